"""Cheap lexical facts about a SPARQL text, without a full parse.

Strings, IRIs and comments are *masked* (replaced by spaces, same length) so that keyword
searches and brace counting never look inside them. ``\\u``/``\\U`` escapes are decoded first,
as the SPARQL grammar does before parsing, so that they cannot hide a keyword.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

_NOISE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*', re.S)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_WORD = r"(?<![\w:?$\-.]){}(?![\w:-])"
_FORM = re.compile(_WORD.format("(SELECT|CONSTRUCT|ASK|DESCRIBE)"), re.I)
_SERVICE = re.compile(_WORD.format("SERVICE"), re.I)
_VOLATILE = re.compile(_WORD.format("(RAND|NOW|UUID|STRUUID|BNODE)") + r"\s*\(", re.I)
_TOKEN = re.compile(r"[{}]|;|[A-Za-z_][\w-]*", re.S)


def unescape(text: str) -> str:
    """Decode SPARQL ``\\uXXXX``/``\\UXXXXXXXX`` escapes (done before parsing by the grammar)."""
    if "\\u" not in text and "\\U" not in text:
        return text
    return _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


@lru_cache(maxsize=4096)
def mask(text: str) -> str:
    """The text with strings, IRIs and comments blanked out (offsets kept)."""
    return _NOISE.sub(lambda m: " " * len(m.group(0)), unescape(text))


@lru_cache(maxsize=4096)
def query_form(text: str) -> str | None:
    """``select``, ``construct``, ``ask`` or ``describe``; ``None`` when no form keyword shows."""
    match = _FORM.search(mask(text))
    return match.group(1).lower() if match else None


def mentions_service(text: str) -> bool:
    """Whether ``SERVICE`` may occur as a keyword (no false negatives)."""
    return _SERVICE.search(mask(text)) is not None


def is_volatile(text: str) -> bool:
    """Whether the answer may change between runs on the same data (RAND, NOW, UUID…)."""
    return _VOLATILE.search(mask(text)) is not None


def top_level_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """``(WORD, start, depth)`` for every keyword-like token, braces and ``;`` of the masked text."""
    depth, masked = 0, mask(text)
    for match in _TOKEN.finditer(masked):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        else:
            start = match.start()
            before = masked[start - 1] if start else " "
            if before not in ":?$" and not (before.isalnum() or before in "_-."):
                yield token.upper(), start, depth


def _closing_brace(masked: str, opening: int) -> int:
    depth = 0
    for index in range(opening, len(masked)):
        if masked[index] == "{":
            depth += 1
        elif masked[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced braces in the update")


def update_keywords(text: str) -> set[str]:
    """The keywords used outside braces: operation names, USING, WITH…"""
    return {word for word, _, depth in top_level_tokens(text) if depth == 0}


def add_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Apply the protocol's ``using-graph-uri``/``using-named-graph-uri`` to every operation.

    ``USING`` clauses are inserted before each top-level ``WHERE``; the ``DELETE WHERE {P}``
    shortcut (which has no ``USING`` slot) is rewritten as ``DELETE {P} USING … WHERE {P}``.
    Raises ``ValueError`` when the update has its own ``USING``/``WITH`` (SPARQL 1.1 Protocol
    §2.2.3: such a request must be refused).
    """
    text = unescape(update)
    tokens = [t for t in top_level_tokens(text) if t[2] == 0]
    if {"USING", "WITH"} & {word for word, _, _ in tokens}:
        raise ValueError("the update has its own USING or WITH clause, so using-graph-uri and "
                         "using-named-graph-uri cannot be applied (SPARQL 1.1 Protocol §2.2.3)")
    clauses = "".join(f" USING <{g}>" for g in using)
    clauses += "".join(f" USING NAMED <{g}>" for g in using_named)
    masked, edits = mask(text), []
    for index, (word, start, _) in enumerate(tokens):
        if word != "WHERE":
            continue
        if index and tokens[index - 1][0] == "DELETE":  # DELETE WHERE shortcut
            opening = masked.index("{", start)
            pattern = text[opening:_closing_brace(masked, opening) + 1]
            edits.append((start, start, f"{pattern}{clauses} "))
        else:
            edits.append((start, start, f"{clauses.strip()} "))
    for begin, end, insert in reversed(edits):
        text = text[:begin] + insert + text[end:]
    return text
