"""Syntax errors in SPARQL said the way a researcher can act on them.

pyoxigraph's parser reports where it gave up and the grammar's alternatives at that point:
``error at 1:22: expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' | …`` for an
undeclared prefix, ``expected CONSTRUCT`` for ``SELEC * {}``, ``expected [_]`` for a group
closed twice. :func:`explain` reads the text again with the scanner's tokenizer and names the
mistake it finds (an undeclared prefix, a bracket never closed or closed twice, a string or
IRI not closed, an invalid IRI, a misspelt query form, an update sent as a query or a query
as an update, a selected variable that is not grouped, a variable selected twice, a character
that is no part of SPARQL, a ``\\u`` escape of half a surrogate pair, a LIMIT or OFFSET that
is not a whole number or too large, an operator without an operand) at the place it is, with
the token found there. When it finds none of these, the message keeps the engine's position
and says which token was found there and which tokens (not character classes) would have
fitted.

The engine's position is often past the mistake (``FILTER(?o = )`` stops at the ``}`` after
it, ``:c @@@ }`` at the end), so these are found by reading the tokens, not from it; the
stray character and the lone operator only among the tokens the engine reached.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import NamedTuple

from sarcoma_graph.namespaces import PROJECT_PREFIXES, W3C_PREFIXES
from sarcoma_graph.plumbing.scanner import Token, position, tokens

_ENGINE = re.compile(r"^error at (\d+):(\d+): expected (?:one of )?(.*)\Z", re.S)
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_CLOSING = {"}": "{", ")": "(", "]": "["}
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_MOST_EXPECTED = 8
#: Punctuation of SPARQL 1.1 and 1.2 (the tokenizer reads any other character as punctuation)
_PUNCTUATION = frozenset(("{", "}", "(", ")", "[", "]", ".", ",", ";", "*", "+", "-", "/", "!",
                          "=", "<", ">", "^", "|", "?", "~", "^^", "&&", "||", "!=", "<=", ">=",
                          ">>", "{|", "|}"))
#: Operators that need an operand on each side (``+``/``-``/``!`` may also start one)
_BINARY = frozenset(("=", "!=", "<", ">", "<=", ">=", "&&", "||", "*", "/"))
_OPERATORS = _BINARY | {"+", "-", "!"}
_ENDS_OPERAND = frozenset((")", ",", "}", "]", ";", "."))
#: The largest LIMIT or OFFSET pyoxigraph reads (an unsigned 64-bit integer)
LARGEST_LIMIT = (1 << 64) - 1
_SURROGATE = re.compile(r"\\u([dD][89a-fA-F][0-9A-Fa-f]{2})(?:\\u([dD][c-fC-F][0-9A-Fa-f]{2}))?"
                        r"|\\U0000([dD][89a-fA-F][0-9A-Fa-f]{2})")
_LONG_ESCAPE = re.compile(r"\\U([0-9A-Fa-f]{8})")
#: The words of SPARQL 1.1's grammar (keywords, built-in functions, aggregates), which a
#: misspelt word is compared with.
_GRAMMAR_WORDS = frozenset((
    *_FORMS, *_UPDATES,
    "WHERE", "FROM", "NAMED", "PREFIX", "BASE", "DISTINCT", "REDUCED", "AS", "FILTER", "OPTIONAL",
    "UNION", "MINUS", "GRAPH", "SERVICE", "SILENT", "BIND", "VALUES", "UNDEF", "GROUP", "BY",
    "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET", "EXISTS", "NOT", "IN", "TRUE", "FALSE",
    "A", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "SEPARATOR", "STR",
    "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL",
    "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI", "CONTAINS",
    "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES",
    "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID", "STRUUID", "MD5", "SHA1", "SHA256", "SHA384",
    "SHA512", "COALESCE", "IF", "STRLANG", "STRDT", "SAMETERM", "ISIRI", "ISURI", "ISBLANK",
    "ISLITERAL", "ISNUMERIC", "REGEX", "SUBSTR", "REPLACE", "DATA", "USING", "DEFAULT", "ALL",
    "TO", "INTO", "TRIPLE", "SUBJECT", "PREDICATE", "OBJECT", "ISTRIPLE",
))
#: What may follow the first character of a variable's name, but not be that character.
_NOT_FIRST_IN_NAME = re.compile("[\u00b7\u0300-\u036f\u203f\u2040]")
_COMMENT = re.compile(r"#[^\r\n]*")
_CUSTOM_FUNCTION = re.compile(r"The custom function (<[^>]*>) is not supported")


class Explained(NamedTuple):
    """A syntax error's message and the line and column (from 1) it points at."""

    message: str
    line: int | None
    column: int | None


def explain(text: str, engine_message: str, update: bool = False, based: bool = False) -> Explained:
    """The mistake in ``text`` (a query, or an update) that made the engine fail with
    ``engine_message``; a message that is not a syntax error comes back as it is. ``based``:
    the engine was given a base IRI (relative IRIs then resolve).

    >>> said = explain("SELECT * { ?s foo:bar ?o }", "error at 1:22: expected Prefix not found")
    >>> said.message.split(":")[0], said.line, said.column
    ("prefix 'foo", 1, 15)
    >>> explain("SELEC * {}", "error at 1:10: expected CONSTRUCT").message.endswith("did you mean SELECT?")
    True
    """
    found = _ENGINE.match(engine_message.strip())
    if found is None:
        return Explained(engine_message, None, None)
    line, column, expected = int(found.group(1)), int(found.group(2)), _alternatives(found.group(3))
    try:
        read = list(tokens(text))
    except RecursionError:  # pragma: no cover - the tokenizer is iterative; belt and braces
        read = []
    stopped = _offset(text, line, column)
    reached = [token for token in read if token.start <= stopped]
    for diagnose in _DIAGNOSES:
        if diagnose in (_QUERY_ONLY if update else _UPDATE_ONLY):
            continue
        # a stray character or a lone operator is the mistake only if the engine got that far
        said = diagnose(text, reached if diagnose in _UP_TO_ENGINE else read, expected, based)
        if said is not None:
            return _named(said, update)
    return _named(_generic(text, read, line, column, expected), update)


def _named(said: Explained, update: bool) -> Explained:
    """The message of an update says "the update", not "the query"."""
    if not update:
        return said
    return said._replace(message=said.message.replace("the query ", "the update "))


def _alternatives(listing: str) -> list[str]:
    """The engine's alternatives, split at top-level commas (character classes hold commas)."""
    items, depth, quoted, start = [], 0, False, 0
    for at, char in enumerate(listing):
        if char == '"' and (at == 0 or listing[at - 1] != "\\"):
            quoted = not quoted
        elif quoted:
            continue
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(listing[start:at].strip())
            start = at + 1
    items.append(listing[start:].strip())
    return [item for item in items if item]


def _at(text: str, offset: int, message: str) -> Explained:
    line, column = position(text, offset)
    return Explained(message, line, column)


def _sentences(expected: Sequence[str]) -> list[str]:
    """The engine's own messages among the alternatives (``Prefix not found``…)."""
    return [item for item in expected if " " in item and not item.startswith(("[", '"'))]


def _undeclared_prefix(text: str, read: list[Token], expected: Sequence[str],
                       based: bool) -> Explained | None:
    declared: set[str] = set()
    for index, token in enumerate(read):
        if token.kind != "pname":
            continue
        previous = read[index - 1].text if index else ""
        following = read[index + 1] if index + 1 < len(read) else None
        prefix = token.text.split(":", 1)[0]
        if previous.upper() == "PREFIX":
            declared.add(prefix)
        elif prefix not in declared:
            return _at(text, token.start, _prefix_mistake(token.text, prefix, previous, following))
    return None


def _prefix_mistake(name: str, prefix: str, previous: str, following: Token | None) -> str:
    """Why a prefixed name's prefix is unknown: a misspelt PREFIX, an IRI without its '<…>',
    or a prefix never declared."""
    if name == prefix + ":" and following is not None and following.kind == "iri":
        if previous and previous[0].isalpha():
            return f"'{previous}' should be PREFIX: a prefix is declared as PREFIX {name} {following.text}"
        return f"a prefix is declared with the PREFIX keyword: PREFIX {name} {following.text}"
    if prefix.lower() in ("http", "https", "urn", "ftp") and following is not None \
            and following.text == "/":
        return f"an IRI is written between angle brackets: <{name}//…>"
    known = {**W3C_PREFIXES, **PROJECT_PREFIXES}.get(prefix)  # this graph's or a W3C prefix
    return (f"prefix '{prefix}:' is not declared (in {name}): add PREFIX {prefix}: "
            f"<{known or 'namespace IRI'}> before the query")


def _unclosed_string(text: str, read: list[Token], expected: Sequence[str],
                     based: bool) -> Explained | None:
    for token in read:
        if token.kind != "string":
            continue
        quote = token.text[:3] if token.text[:3] in ('"""', "'''") else token.text[0]
        body = token.text[len(quote):]
        if len(token.text) < 2 * len(quote) or not body.endswith(quote) or body.endswith("\\" + quote):
            return _at(text, token.start, f"the string opened with {quote} is not closed"
                       + ("" if len(quote) == 3 else " on its line"))
    return None


def _brackets(text: str, read: list[Token], expected: Sequence[str],
              based: bool) -> Explained | None:
    opened: list[Token] = []
    for token in read:
        if token.kind != "punct":
            continue
        if token.text in ("{", "(", "["):
            opened.append(token)
        elif token.text in _CLOSING:
            want = _CLOSING[token.text]
            if not opened:
                return _at(text, token.start, f"'{token.text}' closes nothing: no '{want}' is open here")
            if opened[-1].text != want:
                line, column = position(text, opened[-1].start)
                return _at(text, token.start, f"'{token.text}' does not match the '{opened[-1].text}' "
                                              f"opened at line {line}, column {column}")
            opened.pop()
    if opened:
        last = opened[-1]
        close = {value: key for key, value in _CLOSING.items()}[last.text]
        return _at(text, last.start, f"'{last.text}' is never closed: the query ends before its "
                                     f"'{close}'{_hidden_by_comment(text, read, close)}")
    return None


def _hidden_by_comment(text: str, read: list[Token], close: str) -> str:
    """Why the closing bracket is not read: a last comment that holds it (``#…\\n…}``)."""
    sharp = text.find("#", read[-1].start + len(read[-1].text) if read else 0)
    while sharp >= 0:  # after the last token, only blanks and comments
        comment = _COMMENT.match(text, sharp)
        assert comment is not None  # it starts with '#'
        if close in comment.group():
            break
        sharp = text.find("#", sharp + 1)
    else:
        return ""
    line, column = position(text, sharp)
    written = ", and '\\n' written in it is no line break" if "\\n" in comment.group() else ""
    return (f"; the comment at line {line}, column {column} runs to the end of its line and "
            f"hides the rest{written}")


def _unclosed_iri(text: str, read: list[Token], expected: Sequence[str],
                  based: bool) -> Explained | None:
    """A '<' read as a bracket where no expression is: an IRI not closed, or holding a space."""
    for index, token in enumerate(read):
        if token.kind == "punct" and token.text == "<" and not token.context.startswith("expr"):
            following = read[index + 1] if index + 1 < len(read) else None
            if following is not None and following.start == token.start + 1:
                return _at(text, token.start, "an IRI opened with '<' is not closed with '>' "
                                              "(or holds a space, a quote or one of {}|^`\\)")
    return None


def _bad_iri(text: str, read: list[Token], expected: Sequence[str],
             based: bool) -> Explained | None:
    """An IRI the engine cannot resolve: relative with no base, or with a forbidden character."""
    declared_base = False
    for index, token in enumerate(read):
        if token.kind != "iri":
            continue
        iri, after_base = token.text[1:-1], index > 0 and read[index - 1].text.upper() == "BASE"
        bad = _NOT_IN_IRI.search(iri)
        if bad:
            return _at(text, token.start, f"{token.text} is not a valid IRI: it contains "
                                          f"{bad.group()!r}, which must be written %-encoded")
        unfit = _unfit_in_iri(iri)
        if unfit is not None:
            return _at(text, token.start, f"<{iri[:unfit]}…> is not a valid IRI: it contains "
                                          f"U+{ord(iri[unfit]):04X}, which RFC 3987 keeps out of "
                                          "IRIs (a control, a noncharacter or a private-use "
                                          "character); %-encode it or leave it out")
        if _SCHEME.match(iri):
            declared_base = declared_base or after_base
            continue
        if after_base and not based:
            return _at(text, token.start, f"the BASE IRI {token.text} must be absolute (https://…)")
        if not (based or declared_base or after_base):
            return _at(text, token.start, f"{token.text} is a relative IRI and the query has no "
                                          "BASE: write the full IRI (https://…)")
    return None


def _unfit_in_iri(iri: str) -> int | None:
    """Where ``iri`` holds a non-ASCII character RFC 3987 does not allow (``ucschar``, and
    ``iprivate`` in the query part), as the engine checks; ``None`` if nowhere."""
    query = iri.find("?")
    for at, char in enumerate(iri):
        code = ord(char)
        if code < 0x7F:
            continue
        private = 0xE000 <= code <= 0xF8FF or (code >= 0xF0000 and code & 0xFFFF <= 0xFFFD)
        if not (_ucschar(code) or (private and 0 <= query < at)):
            return at
    return None


def _ucschar(code: int) -> bool:
    if code < 0x10000:
        return 0xA0 <= code <= 0xD7FF or 0xF900 <= code <= 0xFDCF or 0xFDF0 <= code <= 0xFFEF
    if code >= 0xE0000:
        return 0xE1000 <= code <= 0xEFFFD
    return code & 0xFFFF <= 0xFFFD


def _rebound(text: str, read: list[Token], expected: Sequence[str],
             based: bool) -> Explained | None:
    """``BIND (… AS ?v)`` where ``?v`` is already in scope in its group (SPARQL 1.1, 18.2.1)."""
    groups: list[set[str]] = [set()]
    for index, token in enumerate(read):
        if token.kind == "punct" and token.text == "{":
            groups.append(set())
        elif token.kind == "punct" and token.text == "}" and len(groups) > 1:
            inner = groups.pop()
            groups[-1] |= inner
        elif token.kind == "var":
            named = index > 0 and read[index - 1].text.upper() == "AS"
            if named and token.context.startswith("expr") and token.text[1:] in groups[-1] \
                    and _in_bind(read, index):
                return _at(text, token.start, f"BIND (… AS {token.text}) binds a variable already "
                                              "used in its group: name the result another variable")
            if named or not token.context.startswith("expr"):
                groups[-1].add(token.text[1:])
    return None


def _in_bind(read: list[Token], index: int) -> bool:
    """Whether the token at ``index`` is inside a ``BIND (…)``."""
    depth = read[index].depth
    for back in range(index - 1, -1, -1):
        token = read[back]
        if token.depth < depth and token.text == "(":
            return back > 0 and read[back - 1].text.upper() == "BIND"
    return False


def _query_form(text: str, read: list[Token], expected: Sequence[str],
                based: bool) -> Explained | None:
    outer = [t for t in read if t.depth == 0 and t.kind == "word"]
    if any(t.text.upper() in _FORMS for t in outer):
        return None
    words = [t for t in outer if t.text.upper() not in ("PREFIX", "BASE")]
    if not words:
        return _at(text, len(text), "the text has no query: after PREFIX and BASE comes SELECT, "
                                    "CONSTRUCT, ASK or DESCRIBE")
    first = words[0]
    word = first.text.upper()
    if word in _UPDATES:
        return _at(text, first.start, f"{word} starts an update, not a query: send it as an update "
                                      "(the protocol's update operation), or ask with SELECT or CONSTRUCT")
    guess = difflib.get_close_matches(word, _FORMS, n=1, cutoff=0.6)
    hint = f"; did you mean {guess[0]}?" if guess else ""
    return _at(text, first.start, f"'{first.text}' does not start a query: a query begins with "
                                  f"SELECT, CONSTRUCT, ASK or DESCRIBE (after any PREFIX and BASE){hint}")


def _query_as_update(text: str, read: list[Token], expected: Sequence[str],
                     based: bool) -> Explained | None:
    """A query sent where an update was expected (the reverse of :func:`_query_form`'s case)."""
    first = next((t for t in read if t.depth == 0 and t.kind == "word"
                  and t.text.upper() not in ("PREFIX", "BASE")), None)
    if first is None or first.text.upper() not in _FORMS:
        return None
    return _at(text, first.start, f"{first.text.upper()} starts a query, not an update: send it as "
                                  "a query (the protocol's query operation: query=…, or a body of "
                                  "type application/sparql-query)")


def _select_clause(read: list[Token]) -> tuple[list[Token], list[Token]] | None:
    """The tokens of the outermost SELECT clause and those of the whole query after it."""
    for index, token in enumerate(read):
        if token.depth == 0 and token.text.upper() == "SELECT":
            end = index + 1
            while end < len(read) and not (read[end].depth == 0 and
                                           (read[end].text in ("{",) or read[end].text.upper() in
                                            ("WHERE", "FROM"))):
                end += 1
            return read[index + 1:end], read[end:]
    return None


def _selected(clause: list[Token]) -> list[Token]:
    """The plain variables of a SELECT clause (not those inside ``( … AS ?v)``)."""
    return [t for t in clause if t.kind == "var" and t.depth == 0]


def _ungrouped(text: str, read: list[Token], expected: Sequence[str],
               based: bool) -> Explained | None:
    if not any(item.startswith("The SELECT contains a variable that is unbound") for item in expected):
        return None
    parts = _select_clause(read)
    if parts is None:
        return None
    clause, rest = parts
    grouped: set[str] = set()
    after_group = False
    for index, token in enumerate(rest):
        upper = token.text.upper()
        if token.depth == 0 and upper == "BY" and index and rest[index - 1].text.upper() == "GROUP":
            after_group = True
        elif token.depth == 0 and upper in ("HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"):
            after_group = False
        elif after_group and token.kind == "var":
            grouped.add(token.text[1:])
    for index, token in enumerate(clause):  # ( expr AS ?v ) names a grouped column too
        if token.kind == "var" and index and clause[index - 1].text.upper() == "AS":
            grouped.add(token.text[1:])
    for token in _selected(clause):
        if token.text[1:] not in grouped:
            return _at(text, token.start, f"{token.text} is selected but not grouped: with GROUP BY "
                                          "or an aggregate (COUNT, SUM…), select only variables "
                                          "listed in GROUP BY, or wrap it in an aggregate such as "
                                          f"(SAMPLE({token.text}) AS ?any_{token.text[1:]})")
    return None


def _selected_twice(text: str, read: list[Token], expected: Sequence[str],
                    based: bool) -> Explained | None:
    if not any(item.startswith("Duplicated variable name") for item in expected):
        return None
    parts = _select_clause(read)
    if parts is None:
        return None
    seen: set[str] = set()
    clause = parts[0]
    for index, token in enumerate(clause):
        named = token.kind == "var" and (token.depth == 0 or clause[index - 1].text.upper() == "AS")
        if named:
            if token.text[1:] in seen:
                return _at(text, token.start, f"{token.text} is selected twice: each column of a "
                                              "SELECT needs its own name")
            seen.add(token.text[1:])
    return None


def _found(text: str, read: list[Token], offset: int) -> tuple[str, int]:
    """The token at (or the last before) an offset, as the message quotes it, and its offset."""
    before = [t for t in read if t.start <= offset]
    if not before:
        return "does not parse at its start", 0
    token = before[-1]
    shown = token.text if len(token.text) <= 40 else token.text[:37] + "…"
    if offset >= len(text.rstrip()) and token.text not in ("}", ")"):
        return f"ends too early, after '{shown}'", token.start
    return f"does not parse at '{shown}'", token.start


def _stray_character(text: str, read: list[Token], expected: Sequence[str],
                     based: bool) -> Explained | None:
    """A character that is no part of SPARQL outside strings and IRIs: a control character, a
    '%' left by a query string that was not percent-encoded, a byte-order mark, '@'…"""
    for token in read:
        if token.kind in ("word", "pname") and token.text.startswith("\ufeff"):
            return _at(text, token.start, "the text holds a byte-order mark (U+FEFF, invisible) "
                                          f"before '{token.text[1:20]}': remove it")
        if token.kind != "punct" or token.text in _PUNCTUATION:
            continue
        return _at(text, token.start, _stray(token.text))
    return None


def _stray(char: str) -> str:
    code = ord(char[0])
    if code < 0x20 or 0x7F <= code < 0xA0:
        name = "a NUL character" if code == 0 else "a control character"
        return f"{name} (U+{code:04X}) is not allowed outside strings: remove it"
    if char == "%":
        return ("'%' is not allowed here (only in IRIs, strings and the %XX escapes of prefixed "
                "names): a query sent in a URL must be percent-encoded whole, '%' as %25")
    if char in ("&", "$"):
        return f"'{char}' is not allowed alone: " + ("'and' is written &&" if char == "&" else
                                                    "a variable is $ or ? and a name ($x)")
    if char == "@":
        return "'@' is not allowed here: a language tag is @ and letters after a string (\"chat\"@fr)"
    return f"{char!r} (U+{code:04X}) is not allowed here: it is no part of SPARQL outside strings and IRIs"


def _missing_operand(text: str, read: list[Token], expected: Sequence[str],
                     based: bool) -> Explained | None:
    """An operator of an expression with nothing on one side: ``FILTER(?o = )``, ``(= 1)``."""
    for index, token in enumerate(read):
        if token.kind != "punct" or token.context != "expr" or token.text not in _OPERATORS:
            continue
        before = read[index - 1] if index else None
        after = read[index + 1] if index + 1 < len(read) else None
        if token.text in _BINARY and before is not None and before.text in ("(", ","):
            return _at(text, token.start, f"'{token.text}' has nothing on its left: an operand "
                                          f"is missing before '{token.text}'")
        if token.text == "*" and (before is None or not _is_operand(before)):
            continue  # COUNT(*)
        if after is None:
            return _at(text, len(text.rstrip()), f"the query ends after '{token.text}': an "
                                                  "operand is missing")
        if after.kind == "punct" and after.text in _ENDS_OPERAND:
            return _at(text, after.start, f"an operand is missing between '{token.text}' and "
                                          f"'{after.text}'")
    return None


def _is_operand(token: Token) -> bool:
    return token.kind in ("var", "iri", "pname", "string", "number", "langtag", "word") or \
        token.text in (")", "]")


def _limit(text: str, read: list[Token], expected: Sequence[str],
           based: bool) -> Explained | None:
    """LIMIT or OFFSET with something other than a whole number the engine can hold."""
    for index, token in enumerate(read[:-1]):
        word = token.text.upper()
        if token.kind != "word" or word not in ("LIMIT", "OFFSET"):
            continue
        value = read[index + 1]
        if value.kind == "number" and value.text.isdigit():
            if int(value.text) <= LARGEST_LIMIT:
                continue
            return _at(text, value.start, f"the {word} {_shown(value.text)} is too large: this "
                                          f"engine takes at most {LARGEST_LIMIT}")
        return _at(text, value.start, f"{word} takes a whole number (0, 1, 2…), not "
                                      f"'{_shown(value.text)}'")
    return None


def _surrogate(text: str, read: list[Token], expected: Sequence[str],
               based: bool) -> Explained | None:
    """A ``\\uD83D``-style escape in a string or IRI: half of a UTF-16 pair, no character; or
    a ``\\U`` escape past U+10FFFF, the last code point."""
    for token in read:
        if token.kind in ("string", "iri"):
            found = _SURROGATE.search(token.text)
            if found is not None:
                return _at(text, token.start + found.start(), _surrogate_message(*found.groups()))
            for escape in _LONG_ESCAPE.finditer(token.text):
                if int(escape.group(1), 16) > 0x10FFFF:
                    return _at(text, token.start + escape.start(),
                               f"{escape.group()} is no character: Unicode ends at U+10FFFF "
                               "(\\U0010FFFF); check the eight hex digits")
    return None


def _misspelt_keyword(text: str, read: list[Token], expected: Sequence[str],
                      based: bool) -> Explained | None:
    """A bare word (no prefix, no quotes) that is no SPARQL word but close to one, read before
    the engine stopped: ``VALUE ?x {…}`` for ``VALUES``."""
    for token in read:
        word = token.text.upper()
        if token.kind != "word" or word in _GRAMMAR_WORDS or not token.text.isalpha():
            continue
        guess = difflib.get_close_matches(word, _GRAMMAR_WORDS, n=1, cutoff=0.8)
        if guess:
            return _at(text, token.start, f"'{token.text}' is no SPARQL keyword or function: "
                                          f"did you mean {guess[0]}?")
    return None


def _variable_start(text: str, read: list[Token], expected: Sequence[str],
                    based: bool) -> Explained | None:
    """A variable whose name starts with a combining mark, U+00B7 or U+203F/2040, which SPARQL
    allows only after its first character."""
    for token in read:
        if token.kind == "var" and _NOT_FIRST_IN_NAME.match(token.text, 1):
            code = ord(token.text[1])
            return _at(text, token.start, f"a variable name cannot start with U+{code:04X} "
                                          f"({unicodedata.name(token.text[1], 'that character')}): "
                                          "begin it with a letter, a digit or '_'")
    return None


def _surrogate_message(high: str | None, low: str | None, long: str | None) -> str:
    if long is not None:
        return (f"\\U0000{long} is a surrogate code point, not a character: write the "
                "character itself, or its own code as \\U with eight hex digits")
    said = f"\\u{high} is half of a UTF-16 surrogate pair, which SPARQL does not take"
    if low is None or high is None or high[1] in "cdefCDEF":
        return said + ": write the character as \\U with eight hex digits (\\U0001F600), or itself"
    code = 0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00)
    return said + f": write \\u{high}\\u{low} as \\U{code:08X} (eight hex digits), or the character itself"


def _given_twice(text: str, read: list[Token], expected: Sequence[str],
                 based: bool) -> Explained | None:
    """A second query form, LIMIT, OFFSET or trailing VALUES at the top level: one request
    holds one query, with each modifier once."""
    seen: dict[str, Token] = {}
    for token in read:
        word = token.text.upper()
        if token.depth != 0 or token.kind != "word":
            continue
        key = "form" if word in _FORMS else word if word in ("LIMIT", "OFFSET", "VALUES") else None
        if key is None:
            continue
        if key in seen:
            if key == "form":
                return _at(text, token.start, f"a second query ({word}) starts here: a request "
                                              "holds one query; send the other on its own")
            what = "VALUES block may follow the query" if key == "VALUES" else f"{word} is allowed"
            return _at(text, token.start, f"{word} is given twice: only one {what}")
        seen[key] = token
    return None


def _values_row(text: str, read: list[Token], expected: Sequence[str],
                based: bool) -> Explained | None:
    """A row of ``VALUES (?a ?b) { (…) }`` with another number of values than variables."""
    for index, token in enumerate(read):
        if token.text.upper() != "VALUES" or index + 1 >= len(read) or read[index + 1].text != "(":
            continue
        names, at = 0, index + 2
        while at < len(read) and read[at].kind == "var":
            names, at = names + 1, at + 1
        if at + 1 >= len(read) or read[at].text != ")" or read[at + 1].text != "{":
            continue
        at += 2
        while at < len(read) and read[at].text == "(":
            opened, count, at = read[at], 0, at + 1
            while at < len(read) and read[at].text != ")":
                count, at = count + 1, at + 1
            if count != names:
                return _at(text, opened.start, f"this VALUES row has {count} value(s) for "
                                               f"{names} variable(s)")
            at += 1
    return None


def _language_tag(text: str, read: list[Token], expected: Sequence[str],
                  based: bool) -> Explained | None:
    """A language tag that goes on past its last subtag (``"x"@en--us``, ``"x"@en-``): the
    reader stops the tag at the stray hyphen."""
    for index, token in enumerate(read[:-1]):
        after = read[index + 1]
        if token.kind == "langtag" and after.text == "-" and after.start == token.start + len(token.text):
            end = after.start
            while end < len(text) and (text[end].isalnum() or text[end] == "-"):
                end += 1
            return _at(text, token.start, f"the language tag {text[token.start:end]} is not well "
                                          "formed: subtags are letters or digits, one hyphen "
                                          "apart (@en-US)")
    return None


def _path_quantifier(text: str, read: list[Token], expected: Sequence[str],
                     based: bool) -> Explained | None:
    """``<p>{2,3}``: a path quantifier of SPARQL 1.1 drafts, not of the standard."""
    for index in range(1, len(read) - 2):
        before, brace, number = read[index - 1], read[index], read[index + 1]
        if brace.text == "{" and before.kind in ("iri", "pname") and number.kind == "number" \
                and read[index + 2].text in (",", "}") and \
                (index < 2 or read[index - 2].text.upper() not in ("GRAPH", "SERVICE", "SILENT")):
            return _at(text, brace.start, "SPARQL 1.1 has no {n,m} path quantifier: repeat the "
                                          "property (p/p), or use p+ or p*")
    return None


def _shown(word: str) -> str:
    return word if len(word) <= 40 else word[:37] + "…"


def function_call(text: str, message: str) -> Explained | None:
    """Where ``text`` calls the custom function that the engine's ``message`` says it lacks."""
    found = _CUSTOM_FUNCTION.search(message)
    if found is None:
        return None
    iri = found.group(1)
    prefixes: dict[str, str] = {}
    read = list(tokens(text))
    for index, token in enumerate(read[:-1]):
        following = read[index + 1]
        if token.kind == "pname" and index and read[index - 1].text.upper() == "PREFIX" \
                and following.kind == "iri":
            prefixes[token.text[:-1]] = following.text[1:-1]  # the last declaration wins
            continue
        called = following.text == "("
        if called and token.kind == "iri" and token.text == iri:
            break
        prefix, _, local = token.text.partition(":")
        if called and token.kind == "pname" and f"<{prefixes.get(prefix, '')}{local}>" == iri:
            break
    else:
        return None
    return _at(text, token.start, f"the function {iri} is not supported here: use SPARQL's "
                                  "built-in functions (and XSD casts)")


def _generic(text: str, read: list[Token], line: int, column: int,
             expected: Sequence[str]) -> Explained:
    """Where the parser stopped and what it found there; the alternatives only when they are
    all plain tokens (a keyword list from the parser names only those it tried last)."""
    found, at = _found(text, read, _offset(text, line, column))
    said = f"the query {found}"
    sentences = _sentences(expected)
    others = [item for item in expected if item not in sentences and item != "[_]"]
    if sentences:
        said += ": " + "; ".join(s.rstrip(".").lower() for s in sentences)
    elif others and len(others) <= _MOST_EXPECTED and all(i.startswith('"') for i in others):
        said += f" (what fits there: {', '.join(others)})"
    else:
        said += ": look at what comes just before it"
    return _at(text, at, said)


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    return min(len(text), start + column - 1)


_QUERY_ONLY = (_query_form, _ungrouped, _selected_twice, _given_twice)
_UPDATE_ONLY = (_query_as_update,)
_UP_TO_ENGINE = (_stray_character, _missing_operand, _misspelt_keyword)
_DIAGNOSES: tuple[Callable[[str, list[Token], Sequence[str], bool], Explained | None], ...] = (
    _unclosed_string, _brackets, _unclosed_iri, _stray_character, _surrogate, _variable_start,
    _query_form, _query_as_update, _bad_iri, _undeclared_prefix, _limit, _given_twice, _values_row,
    _path_quantifier, _language_tag, _missing_operand, _ungrouped, _selected_twice, _rebound,
    _misspelt_keyword,
)
