"""``sh:pattern`` as a SPARQL ``REGEX``: pyshacl's Python regular expression rewritten for the
store's engine (oxigraph: Rust's ``regex`` crate) so that both accept the same strings, or
``None`` when the pattern uses anything whose meaning could differ between the two dialects.

Only a plain subset is rewritten: literal characters, ``.``, groups ``(…)`` and ``(?:…)``,
``|``, the quantifiers ``* + ? {n} {n,} {n,m}`` (greedy or lazy), ``^``, a final ``$``, character
classes of plain characters and ranges, the escapes ``\\n \\r \\t``, escaped punctuation, and
``\\s``/``\\S``. Where the dialects differ inside that subset the rewrite says what Python means:
``\\s`` becomes the exact set of characters Python counts as white space (``str.isspace``: Rust
leaves out U+001C–U+001F), and ``$`` also matches before a final line break, as Python's does.
pyshacl reads only the ``i`` and ``m`` flags; a pattern with either stays in Python.
"""

from __future__ import annotations

import re

#: Python's ``\\s`` on ``str`` (equal to ``str.isspace``; a test compares every code point)
PYTHON_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
                "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_SPACE_ITEMS = "".join(f"\\x{{{ord(c):X}}}" for c in PYTHON_SPACE)
#: ``\\X`` that means the character X in both dialects
_PUNCTUATION = set(".\\-/[](){}*+?^$|")
_QUANTIFIER = re.compile(r"\{\d{1,4}(,\d{0,4})?\}")
_CONTROL = {"n": "\n", "r": "\r", "t": "\t"}


def _char(char: str) -> str:
    """One literal character in Rust syntax: ASCII letters and digits as is, any other
    character by its code point (no escape rule of either dialect involved)."""
    return char if char.isascii() and char.isalnum() else f"\\x{{{ord(char):X}}}"


def _class(pattern: str, i: int) -> tuple[str, int] | None:
    """The character class starting at ``i`` (plain characters, ranges, escaped punctuation
    and control characters) rewritten item by item, and where it ends; ``None`` otherwise."""
    j = i + 1
    negated = pattern.startswith("^", j)
    j += negated
    items: list[tuple[str, bool]] = []  # (character, escaped)
    while j < len(pattern) and (pattern[j] != "]" or not items):  # a first "]" is literal
        char = pattern[j]
        if char == "\\":
            escaped = pattern[j + 1:j + 2]
            if escaped in _CONTROL:
                items.append((_CONTROL[escaped], True))
            elif escaped and escaped in _PUNCTUATION:
                items.append((escaped, True))
            else:
                return None
            j += 2
        elif char == "[":
            return None  # a nested set in Rust, a future one in Python
        else:
            items.append((char, False))
            j += 1
    if j >= len(pattern):
        return None
    out, k = [], 0
    while k < len(items):
        low = items[k][0]
        if k + 2 < len(items) and items[k + 1] == ("-", False):  # Python's ranges, as it reads them
            high = items[k + 2][0]
            if high < low:
                return None
            out.append(f"{_char(low)}-{_char(high)}")
            k += 3
        else:
            out.append(_char(low))
            k += 1
    return "[" + ("^" if negated else "") + "".join(out) + "]", j + 1


def _quantifier(pattern: str, i: int) -> int | None:
    """The end of the quantifier starting at ``i`` (``None``: none there, or a possessive one)."""
    if pattern[i] in "*+?":
        end = i + 1
    else:
        match = _QUANTIFIER.match(pattern, i)
        if match is None:
            return None
        end = match.end()
    if pattern[end:end + 1] == "?":  # lazy: the same strings match
        end += 1
    if pattern[end:end + 1] in ("+", "*", "{"):
        return None  # possessive (Python 3.11) or a quantifier of a quantifier
    return end


def to_rust(pattern: str) -> str | None:
    """The pattern in the store's dialect, matching the same strings as Python's ``re.search``
    without flags, or ``None``."""
    out: list[str] = []
    depth, i, quantifiable = 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char in "*+?{":
            end = _quantifier(pattern, i) if quantifiable else None
            if end is None:
                return None
            out.append(pattern[i:end])
            i, quantifiable = end, False
            continue
        quantifiable = True
        if char == "\\":
            escaped = pattern[i + 1:i + 2]
            if escaped in ("s", "S"):
                out.append(f"[{'^' if escaped == 'S' else ''}{_SPACE_ITEMS}]")
            elif escaped in _CONTROL:
                out.append(_char(_CONTROL[escaped]))
            elif escaped and escaped in _PUNCTUATION:
                out.append(_char(escaped))
            else:
                return None
            i += 2
        elif char == "[":
            found = _class(pattern, i)
            if found is None:
                return None
            out.append(found[0])
            i = found[1]
        elif char == "(":
            if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
                return None  # look-around, named group, inline flags
            opening = "(?:" if pattern.startswith("(?:", i) else "("
            out.append(opening)
            depth, i, quantifiable = depth + 1, i + len(opening), False
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
            out.append(")")
            i += 1
        elif char == ".":  # any character but \n in both (no DOTALL: pyshacl ignores "s")
            out.append(".")
            i += 1
        elif char in "|^":
            out.append(char)
            i, quantifiable = i + 1, False
        elif char == "$":
            rest = pattern[i + 1:]
            if depth != 0 or not (rest == "" or rest.startswith("|")):
                return None  # Python's "$" is also "before a final \n": kept where that is exact
            out.append("(?:\\n?$)")
            i, quantifiable = i + 1, False
        else:
            out.append(_char(char))
            i += 1
    return "".join(out) if depth == 0 else None


def sparql_string(text: str) -> str:
    """``text`` as a SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'
