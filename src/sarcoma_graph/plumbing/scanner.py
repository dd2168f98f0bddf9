"""A linear, single-pass SPARQL tokenizer and the facts callers need from it.

:func:`scan` reads a query or update once and says which operation it is, whether it uses
``SERVICE`` (and with which endpoints), ``LOAD``, a dataset clause (``FROM``/``FROM NAMED``),
a volatile function, and how deeply it nests. It never decides by regular expressions over
the whole text: every token is matched where it starts, by patterns that cannot backtrack
(possessive quantifiers), so the time is linear in the size of the text.

It reads the text the way the engines do, and errs towards seeing a keyword:

- pyoxigraph matches keywords *without word boundaries* (``SERVICESILENT<x>{}``,
  ``trueSERVICE``, ``service:a {…}`` = ``SERVICE :a {…}`` all call out), so a keyword is
  seen wherever its letters appear in a bare word, and in a prefixed name's prefix;
- rdflib (and the SPARQL grammar) decode ``\\u``/``\\U`` escapes before parsing while
  pyoxigraph decodes them only inside strings and IRIs: a text with such escapes is read
  both ways and the facts are merged;
- ``<`` is the less-than operator after an operand inside an expression and an IRI
  elsewhere (as in pyoxigraph's grammar). Where both readings are possible and they would
  tokenize the rest differently, the text is :attr:`Facts.ambiguous` and callers refuse it.

Prefixed names honour ``PN_LOCAL`` escapes (``ex:a\\#``, ``ex:a\\'`` are names, not a
comment or a string).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
         "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_CHARS = _BASE + r"_0-9\-\u00b7\u0300-\u036f\u203f-\u2040"
_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]|%[0-9A-Fa-f]{2}"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_SPACE = re.compile(r"(?:[ \t\r\n]++|#[^\r\n]*+)++")
_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*+(?:"""|\Z)'
    r"|'''(?:[^'\\]|\\.|'(?!''))*+(?:'''|\Z)"
    r'|"(?:[^"\\\r\n]|\\.)*+"?'
    r"|'(?:[^'\\\r\n]|\\.)*+'?)"
    rf"|(?P<var>[?$][{_CHARS}]++)"
    r"|(?P<number>[0-9]++\.[0-9]*+[eE][+-]?[0-9]++|\.[0-9]++(?:[eE][+-]?[0-9]++)?"
    r"|[0-9]++(?:\.[0-9]++)?(?:[eE][+-]?[0-9]++)?)"
    r"|(?P<langtag>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+)"
    rf"|(?P<name>[{_BASE}_][{_CHARS}.]*+(?::(?:[{_CHARS}.:]|{_ESC})*+)?|:(?:[{_CHARS}.:]|{_ESC})*+)"
    r"|(?P<punct>\^\^|&&|\|\||!=|<=|>=|>>|\{\||\|\}|.)", re.S)
_IRI = re.compile(rf'<(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*+>')
_RISKY = re.compile(r"[#']|service|load", re.I)
_CODEPOINT = re.compile(_UCHAR)
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_BRACKETS = frozenset("{}()[]")
_OPENING = ("{", "(", "[")
_OPERANDS = frozenset(("var", "iri", "pname", "string", "number", "langtag"))
_QUERY_FORMS = ("select", "construct", "ask", "describe")
_VOLATILE = ("rand", "now", "uuid", "struuid", "bnode")
_CHAIN = frozenset((".", ";", "+", "-", "*", "/", "&&", "||", "=", "!=", "<", ">", "<=", ">=",
                    "|", "^", "!"))
_CHAIN_WORDS = frozenset(("union", "optional", "minus", "filter", "bind"))
_WATCHED = ("service", "load", "from", *_VOLATILE)
#: Where a watched word may be: the tokenizer runs when one of them could be a keyword.
_CANDIDATE = re.compile("[sflrnub](?:ervice|oad|rom|and|ow|uid|node)")  # in lower case
_BLANKS = re.compile(r"(?:[ \t\r\n]++|#[^\r\n]*+)*+")
_PREFIX_RUN = re.compile(r"[^\s:\"'{}()<>#]*+")
#: How far past a candidate the quick check looks, and how many candidates it weighs, before
#: it leaves the decision to the tokenizer (keeps the check linear on any text).
_WINDOW = 256
_MOST_CANDIDATES = 64
_MODES = {"select": "select", "group": "modifier", "order": "modifier", "having": "modifier",
          "values": "values", "where": "pattern", "limit": "pattern", "offset": "pattern",
          "construct": "pattern", "ask": "pattern", "describe": "pattern"}


class Token(NamedTuple):
    """One token: its kind, text, offset, bracket depth and the context it was read in."""

    kind: str  # iri string var number langtag pname word bnode punct
    text: str
    start: int
    depth: int
    context: str = ""  # innermost bracket: root/brace + mode, expr, paren, values, bracket


@dataclass(frozen=True)
class Service:
    """A ``SERVICE`` seen in the text: its endpoint IRI, or why it has none we can check."""

    iri: str | None
    problem: str | None = None  # "variable", "relative", "unknown prefix", "unreadable"


@dataclass
class Facts:
    """What a SPARQL text does, as far as a tokenizer can tell (keywords over-approximated)."""

    form: str | None = None  # select / construct / ask / describe; None for an update
    operations: set[str] = field(default_factory=set)  # keywords outside every bracket
    services: list[Service] = field(default_factory=list)
    load: bool = False
    dataset_clause: bool = False
    volatile: bool = False
    depth: int = 0
    chain: int = 0  # operators, separators and UNION/OPTIONAL…: how long a left-deep tree may get
    # (outside the data blocks of INSERT DATA, DELETE DATA and VALUES, which build no tree)
    ambiguous: int | None = None  # offset of a '<' read differently by the engines
    crossed: int | None = None  # offset of the token that went past a limit (this reading's)

    def merge(self, other: Facts) -> None:
        self.form = self.form or other.form
        self.operations |= other.operations
        self.services += [s for s in other.services if s not in self.services]
        self.load |= other.load
        self.dataset_clause |= other.dataset_clause
        self.volatile |= other.volatile
        self.depth = max(self.depth, other.depth)
        self.chain = max(self.chain, other.chain)
        if self.ambiguous is None:
            self.ambiguous = other.ambiguous


def unescape(text: str) -> str:
    """Decode ``\\uXXXX``/``\\UXXXXXXXX`` everywhere (the SPARQL grammar's reading)."""
    def decode(match: re.Match[str]) -> str:
        code = int(match.group(0)[2:], 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(decode, text)


def position(text: str, offset: int) -> tuple[int, int]:
    """``(line, column)``, both from 1, of an offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class _Frame:
    __slots__ = ("context", "kind", "mode")

    def __init__(self, kind: str, mode: str) -> None:
        self.kind = kind  # root brace expr paren values bracket
        self.set_mode(mode)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.context = self.kind if self.kind not in ("root", "brace") else f"{self.kind}:{mode}"


def _name(text: str, start: int, end: int) -> tuple[str, str]:
    """``(kind, text)`` of a name: a name cannot end with an unescaped '.'."""
    while end > start + 1 and text[end - 1] == "." and text[end - 2] != "\\":
        end -= 1
    word = text[start:end]
    if word.startswith("_:"):
        return "bnode", word
    return ("pname" if ":" in word else "word"), word


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a text, comments and white space left out (pyoxigraph's reading)."""
    stack = [_Frame("root", "prologue")]
    prev: list[Token] = []
    pos, size, space = 0, len(text), _SPACE.match
    while True:
        blank = space(text, pos)
        if blank:
            pos = blank.end()
        if pos >= size:
            return
        frame = stack[-1]
        char = text[pos]
        if char in _BRACKETS:
            token = Token("punct", char, pos, len(stack) - 1, frame.context)
            pos += 1
        else:
            kind, word = _read(text, pos, frame, prev)
            token = Token(kind, word, pos, len(stack) - 1, frame.context)
            pos += len(word)
        _track(token, stack, prev)
        yield token


def _read(text: str, pos: int, frame: _Frame, prev: list[Token]) -> tuple[str, str]:
    if text[pos] == "<":
        if not (frame.kind == "expr" and prev and _is_operand(prev[-1])):
            iri = _IRI.match(text, pos)
            if iri:
                return "iri", iri.group(0)
        return "punct", "<=" if text.startswith("<=", pos) else "<"
    match = _TOKEN.match(text, pos)
    assert match is not None  # the last branch matches any character
    kind = match.lastgroup or "punct"
    if kind == "name":
        return _name(text, pos, match.end())
    return kind, match.group(0)


def _is_operand(token: Token) -> bool:
    if token.kind in _OPERANDS:
        return True
    if token.kind == "word":
        return token.text.lower() in ("true", "false")
    return token.kind == "punct" and token.text in (")", "]")


def _paren_kind(frame: _Frame, prev: list[Token]) -> str:
    """What a '(' opens: an expression, a collection or path group, or a VALUES list."""
    if frame.kind == "expr":
        return "expr"
    if frame.kind == "values" or frame.mode == "values":
        return "values"
    if frame.kind in ("paren", "bracket"):
        return "paren"
    if frame.mode in ("select", "modifier") or frame.kind == "root":
        return "expr"
    last = prev[-2].text.lower() if len(prev) > 1 else ""  # prev[-1] is the '(' itself
    before = prev[-3].text.lower() if len(prev) > 2 else ""
    if last in ("filter", "bind"):
        return "expr"
    if len(prev) > 1 and prev[-2].kind in ("word", "iri", "pname") and before == "filter":
        return "expr"
    return "paren"


def _track(token: Token, stack: list[_Frame], prev: list[Token]) -> None:
    frame, text = stack[-1], token.text
    prev.append(token)
    if len(prev) > 3:
        del prev[0]
    if token.kind != "punct" and token.kind != "word":
        return
    if text in ("{", "(", "["):
        if text == "{":
            values = frame.mode == "values" or frame.kind == "values"
            if frame.mode == "select":
                frame.set_mode("pattern")
            stack.append(_Frame("brace", "values" if values else "pattern"))
        elif text == "(":
            stack.append(_Frame(_paren_kind(frame, prev), "pattern"))
        else:
            stack.append(_Frame("bracket", "pattern"))
    elif text in ("}", ")", "]") and len(stack) > 1:
        closed = stack.pop()
        if closed.kind == "brace" and closed.mode == "values" and stack[-1].mode == "values":
            stack[-1].set_mode("pattern")
    elif token.kind == "word" and frame.kind in ("root", "brace"):
        mode = _MODES.get(text.lower())
        if mode:
            frame.set_mode(mode)


def scan(text: str, quick: tuple[int, int] | None = None) -> Facts:
    """The facts of a query or update, under every reading the engines may make of it.

    With ``quick=(depth, chain)``, a text that has none of the watched keywords' letters
    anywhere, at most ``depth`` opening brackets and at most ``chain`` operator characters is
    not tokenized: its facts then say only that depth and chain are within those bounds (form
    and operations left empty). A text found past either bound is not read further: its facts
    then only say so (the caller refuses it).

    >>> scan("PREFIX ex: <http://e/> SELECT * { ?s ex:a\\\\# ?o . SERVICE <http://x/> {} }").services
    [Service(iri='http://x/', problem=None)]
    >>> scan('SELECT * FROM <http://g> { ?s ?p "FROM" } # FROM').dataset_clause
    True
    """
    readings = [text, unescape(text)] if "\\u" in text or "\\U" in text else [text]
    if quick is not None and not any(_must_read(t, *quick) for t in readings):
        return Facts(depth=quick[0], chain=quick[1])  # nothing a token could reveal
    facts = _Reader(readings[0], quick).read()
    for reading in readings[1:]:
        facts.merge(_Reader(reading, quick).read())
    return facts


def _must_read(text: str, depth: int, chain: int) -> bool:
    """Whether the tokenizer must run: a keyword of interest, or limits that may be passed."""
    if sum(text.count(c) for c in _OPENING) > depth or may_have_keyword(text):
        return True
    lower = text.lower()
    return sum(text.count(c) for c in ".;,+-*/&|=<>!^") + sum(
        lower.count(w) for w in _CHAIN_WORDS) > chain


def may_call_volatile(text: str) -> bool:
    """Whether a volatile function (:data:`_VOLATILE`) may be called in the text: its name
    followed by ``(`` or a comment, found by ``str.find``. A cheaper first test than
    :func:`may_have_keyword` for a caller that needs only this (15 us on the 2.6 KB headline
    join against 45 us; a case-blind regular expression took 200 us); :func:`scan` decides.

    >>> may_call_volatile("SELECT (STRUUID() AS ?u) {}"), may_call_volatile("SELECT ?known {}")
    (True, False)
    """
    lower = text.lower()
    for name in _VOLATILE:
        at = lower.find(name)
        while at >= 0:
            rest = lower[at + len(name):at + len(name) + 64].lstrip()
            if rest.startswith(("(", "#")):  # a comment may stand between them
                return True
            at = lower.find(name, at + 1)
    return False


def may_have_keyword(text: str) -> bool:
    """Whether ``SERVICE``, ``LOAD``, a ``FROM`` clause or a volatile function may be in the
    text (one reading of it), judged without tokenizing: ``False`` only when none can be.

    ``service`` and ``load`` anywhere count, as the tokenizer reads them (no word
    boundaries). ``from`` counts only where a dataset clause could follow it (``<``,
    ``NAMED`` or a prefixed name, past blanks and comments), and ``rand``/``now``/``uuid``/
    ``bnode`` only before ``(``: prose such as ``"inferred from mechanism"`` or ``known``
    in a string then costs no tokenizing. Undecided cases (past a window of
    :data:`_WINDOW` characters, or more than :data:`_MOST_CANDIDATES` candidates) count.

    >>> may_have_keyword('SELECT ?w { ?s ?p "known from papers" }')
    False
    >>> may_have_keyword("SELECT * FROM # graph\\n <http://g> { ?s ?p ?o }")
    True
    >>> may_have_keyword("SELECT (NOW () AS ?t) {}"), may_have_keyword("SELECT * FROM ex:g {}")
    (True, True)
    """
    text = text.lower()  # then matched without re.I: ten times faster
    for count, found in enumerate(_CANDIDATE.finditer(text)):
        word = found.group()
        if word in ("service", "load") or count >= _MOST_CANDIDATES:
            return True
        end = min(len(text), found.end() + _WINDOW)
        at = _end(_BLANKS.match(text, found.end(), end), found.end())
        if at == end:
            if end < len(text):
                return True  # blanks up to the window: undecided
            continue
        if word != "from":
            if text[at] == "(":
                return True
            continue
        if text[at] == "<" or text.startswith("named", at):
            return True
        run = _end(_PREFIX_RUN.match(text, at, end), at)
        if run == end and end < len(text):
            return True  # a name running past the window: undecided
        if run < end and text[run] == ":":
            return True
    return False


def _end(match: re.Match[str] | None, start: int) -> int:
    """Where a pattern that may match empty stopped (its start when it did not match)."""
    return match.end() if match else start


def has_dataset_clause(sparql: str) -> bool:
    """Whether a query has ``FROM``/``FROM NAMED`` (not in comments, strings or IRIs).

    >>> has_dataset_clause("SELECT * FROM <http://g> WHERE { ?s ?p ?o }")
    True
    >>> has_dataset_clause('SELECT * WHERE { ?s ?p "FROM" } # FROM')
    False
    """
    readings = [sparql, unescape(sparql)] if "\\u" in sparql or "\\U" in sparql else [sparql]
    if not any(may_have_keyword(reading) for reading in readings):
        return False
    return scan(sparql).dataset_clause


class _Reader:
    """One pass over the tokens of one reading, gathering :class:`Facts`."""

    def __init__(self, text: str, limits: tuple[int, int] | None = None) -> None:
        self.text, self.facts = text, Facts()
        self.limits = limits or (1 << 62, 1 << 62)
        self.prefixes: dict[str, str] = {}
        self.chain_words = 0
        self.block = -1  # the depth of the '{' opening the data block the reader is in
        self.pending: str | None = None  # "target" after SERVICE, "brace" after service:x
        self.pending_target = Service(None, "unreadable")

    def read(self) -> Facts:
        facts, none = self.facts, Token("punct", "", 0, 0)
        first = second = none
        depth = chain = 0
        for token in tokens(self.text):
            if token.depth >= depth and token.text in _OPENING:
                depth = token.depth + 1
            if self.pending:
                self._pending(token)
            kind = token.kind
            if self.block >= 0 and token.depth <= self.block:
                self.block = -1  # the data block closed
            if token.text == "{" and self.block < 0 and _opens_block(first, second, token):
                self.block = token.depth
            elif kind == "punct" and token.text in _CHAIN and self.block < 0:
                chain += 1
            if kind == "iri" and second.kind == "pname":
                self._declare(first, second, token)
            if kind == "word" or kind == "pname":
                self._keywords(second, token)
            if (kind == "iri" or (kind == "punct" and token.text[0] == "<")) \
                    and facts.ambiguous is None:
                self._check_reading(second, token)
            first, second = second, token
            if depth > self.limits[0] or chain + self.chain_words > self.limits[1]:
                facts.crossed = token.start
                break  # past a limit: refused whatever follows
        else:  # SERVICE ends the text (a comment ran to its end): no engine parses it, none calls
            self.pending = None if self.pending == "target" else self.pending
        self._pending(none)
        facts.depth, facts.chain = depth, chain + self.chain_words
        return facts

    def _pending(self, token: Token) -> None:
        if self.pending == "target":
            if token.kind == "word" and token.text.lower() == "silent":
                return
            self.facts.services.append(self._target(token))
        elif self.pending == "brace" and token.text == "{":
            self.facts.services.append(self.pending_target)
        self.pending = None

    def _declare(self, first: Token, second: Token, third: Token) -> None:
        if not second.text.endswith(":"):
            return
        keyword = first.kind == "word" and first.text.lower() == "prefix"
        if keyword:
            name = second.text[:-1]
        elif second.text.lower().startswith("prefix"):  # PREFIXex: <…> is PREFIX ex: <…>
            name = second.text[6:-1]
        else:
            return
        # redeclared: the later declaration applies from here on (SPARQL 1.1 §4.1.1; pyoxigraph
        # and rdflib agree), as each operation of an update may declare its own
        self.prefixes[name] = _decode_iri(third.text)

    def _keywords(self, before: Token, token: Token) -> None:
        facts, lower = self.facts, token.text.lower()
        if token.kind == "pname":
            if before.kind == "word" and before.text.lower() == "prefix":
                return
            lower = lower[:lower.find(":")]
        else:
            if lower in _CHAIN_WORDS and self.block < 0:
                self.chain_words += 1
            if token.depth == 0:
                facts.operations.add(lower)
                facts.form = facts.form or next((f for f in _QUERY_FORMS if f in lower), None)
                facts.dataset_clause |= "from" in lower
            facts.volatile |= any(v in lower for v in _VOLATILE)
        if token.depth == 0 and "load" in lower:
            facts.load = True
        at = lower.find("service")
        if at < 0:
            return
        rest = token.text[at + 7:]
        rest = rest[6:] if rest.lower().startswith("silent") else rest
        if token.kind == "pname":
            self.pending, self.pending_target = "brace", self._expand(rest)
        elif rest:
            facts.services.append(Service(None, "unreadable"))
        else:
            self.pending = "target"

    def _target(self, token: Token) -> Service:
        if token.kind == "var":
            return Service(None, "variable")
        if token.kind == "pname":
            return self._expand(token.text)
        if token.kind == "iri":
            iri = _decode_iri(token.text)
            return Service(iri) if _is_absolute(iri) else Service(None, "relative")
        return Service(None, "unreadable")

    def _expand(self, pname: str) -> Service:
        prefix, _, local = pname.partition(":")
        namespace = self.prefixes.get(prefix)
        if namespace is None:
            return Service(None, "unknown prefix")
        iri = namespace + _LOCAL_ESCAPE.sub(r"\1", local)
        return Service(iri) if _is_absolute(iri) else Service(None, "relative")

    def _check_reading(self, before: Token, token: Token) -> None:
        """Where an engine could read a '<' the other way, the rest must not depend on it."""
        if token.kind == "iri":
            risky = token.context in ("paren", "bracket") or token.context.endswith(
                (":select", ":modifier"))
            body = token.text
        elif token.text in ("<", "<=") and token.context == "expr":
            iri = _IRI.match(self.text, token.start)
            risky, body = iri is not None, iri.group(0) if iri else ""
        else:
            return
        if risky and _is_operand(before) and _RISKY.search(body, 1, max(len(body) - 1, 1)):
            self.facts.ambiguous = token.start


def _opens_block(first: Token, second: Token, brace: Token) -> bool:
    """Whether ``brace`` opens a block of data, whose separators and signs build no operator
    tree (:data:`_CHAIN`): the quads of ``INSERT DATA``/``DELETE DATA``, or the rows of
    ``VALUES``. pyoxigraph 0.5.13 reads 300,000 triples or rows of either on an 8 MB stack
    (a group of 20,000 triple patterns overflowed it; probe r16 M3)."""
    if brace.context.endswith("values"):
        return True
    return (brace.depth == 0 and second.kind == "word" and second.text.lower() == "data"
            and first.kind == "word" and first.text.lower() in ("insert", "delete"))


def _decode_iri(text: str) -> str:
    body = text[1:-1] if text.startswith("<") else text
    return unescape(body) if "\\" in body else body


def _is_absolute(iri: str) -> bool:
    return re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri) is not None


def dataset_iris(text: str) -> tuple[list[str], list[str]] | None:
    """The IRIs of ``FROM`` and ``FROM NAMED`` (prefixed names expanded), or ``None``.

    >>> dataset_iris('PREFIX g: <http://g/> SELECT * FROM g:a FROM NAMED <http://b> { ?s ?p "FROM" }')
    (['http://g/a'], ['http://b'])
    """
    found = list(tokens(text))
    prefixes: dict[str, str] = {}
    defaults: list[str] = []
    named: list[str] = []
    for index, token in enumerate(found):
        word = token.text.lower() if token.kind == "word" else ""
        after = found[index + 1:index + 3]
        if word == "prefix" and len(after) == 2 and after[0].kind == "pname" and after[1].kind == "iri":
            prefixes[after[0].text[:-1]] = _decode_iri(after[1].text)
        if word != "from" or token.depth != 0 or not after:
            continue
        target, ref = (named, after[1:]) if after[0].text.lower() == "named" else (defaults, after[:1])
        if not ref:
            continue
        if ref[0].kind == "iri":
            target.append(_decode_iri(ref[0].text))
        elif ref[0].kind == "pname" and ref[0].text.partition(":")[0] in prefixes:
            prefix, _, local = ref[0].text.partition(":")
            target.append(prefixes[prefix] + local)
    return (defaults, named) if defaults or named else None


def query_form(text: str) -> str | None:
    """``select``, ``construct``, ``ask`` or ``describe`` (``None`` for an update or nothing).

    >>> query_form('PREFIX ask: <http://e/ask#>  # SELECT\\nASK { ?s ask:p "CONSTRUCT" }')
    'ask'
    """
    return scan(text).form
