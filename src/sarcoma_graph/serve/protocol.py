"""Reading a SPARQL 1.1 Protocol request: parameters from the URL or the body, decoded once.

Queries come by GET (``?query=``), by POST ``application/x-www-form-urlencoded`` or by POST
``application/sparql-query``; updates by POST form (``update=``) or
``application/sparql-update``. Those two media types are UTF-8 only (another ``charset`` is
refused with 415, bytes that are not UTF-8 with 400). A form is percent-decoded, then decoded
as UTF-8 (or its declared ``charset``) *after* decoding, so raw UTF-8 bytes in a form body
(``curl --data 'query=…é…'``) read as the characters they are. A byte-order mark before a
query or update (a file saved by a Windows editor) is dropped. Large bodies are decoded in a
thread, not on the event loop.
"""

from __future__ import annotations

import binascii
import codecs
import contextlib
import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

import anyio
import pyoxigraph as ox
from fastapi import Request

from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.headers import Tally
from sarcoma_graph.serve.pool import CLIENT

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


def check_iri(value: str, what: str) -> None:
    """400 unless ``value`` is an absolute IRI that the engine takes (RFC 3987: no control
    or private-use characters, which the pattern above lets through: a 500 from the engine)."""
    if not ABSOLUTE_IRI.match(value):
        raise HttpError(400, f"{what} {value!r} is not an absolute IRI")
    try:
        ox.NamedNode(value)
    except ValueError as error:
        raise HttpError(400, f"{what} {value!r} is not a valid IRI: {error}") from None


GRAPH_PARAMETERS = ("default-graph-uri", "named-graph-uri", "using-graph-uri",
                    "using-named-graph-uri")


@dataclass(frozen=True)
class Operation:
    """A query or an update with the graphs the protocol's parameters name."""

    query: str | None = None
    update: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


#: the character sets a request body may declare (``codecs`` names): UTF-8 and the
#: single-byte sets browsers send forms in; each decodes to characters, never to surrogates
CHARSETS = frozenset({"utf-8", "ascii", "iso8859-1", "cp1252"})


def media_type(header: str | None) -> tuple[str, str]:
    """``(type, charset)`` of a ``Content-Type`` header; 415 for an unknown charset."""
    kind, *params = (header or "").split(";")
    charset = "utf-8"
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
            try:
                info = codecs.lookup(charset)
            except LookupError:
                raise HttpError(415, f"unknown charset {charset!r}; send UTF-8") from None
            # rot13, base64, zlib… are codecs but no character sets (a 500 in r12), and
            # utf-7 or unicode_escape decode to lone surrogates (a 500 in r13): only the
            # character sets a form is sent in are taken
            if info.name not in CHARSETS:
                raise HttpError(415, f"charset {charset!r} is not accepted here: send UTF-8 "
                                     "(or US-ASCII, ISO-8859-1, windows-1252)")
    return kind.strip().lower(), charset


#: Byte classes for checking escapes in C: hex digits become "h", "%" stays, the rest "x".
_SHAPE = bytes(ord("h") if chr(b) in "0123456789abcdefABCDEF" else b if b == ord("%")
               else ord("x") for b in range(256))


def percent_decode(raw: bytes) -> bytes:
    """``urllib.parse.unquote_to_bytes``, five to ten times faster on a long query.

    A query in a URL is mostly ``%XX`` escapes, which the standard library decodes one by
    one in Python. Rewritten as ``=XX``, they are quoted-printable, which ``binascii``
    decodes in C. The two readings agree when every ``%`` starts a valid escape and the text
    has no raw ``=`` and no line break (soft line breaks); other texts take the standard
    library's path.
    """
    if b"=" in raw or b"\n" in raw or b"\r" in raw:
        return unquote_to_bytes(raw)
    shape = raw.translate(_SHAPE)
    if shape.count(b"%hh") != shape.count(b"%"):  # an escape that is not one
        return unquote_to_bytes(raw)
    return binascii.a2b_qp(raw.replace(b"%", b"="))


def _component(raw: bytes, charset: str) -> str:
    data = percent_decode(raw.replace(b"+", b" "))
    try:
        return data.decode(charset)
    except UnicodeError as error:  # UnicodeDecodeError, and the plain UnicodeError of a codec
        name = raw.partition(b"=")[0][:40].decode("ascii", "replace")
        raise HttpError(400, f"a parameter ({name}…) is not valid {charset}: "
                             f"{_why(error)}") from None


def parse_pairs(data: bytes | str, charset: str = "utf-8") -> list[tuple[str, str]]:
    """Percent-decode ``a=b&c=d`` once, then decode the bytes (raw or escaped) in the
    charset; 400 if they are not valid in it."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    pairs = []
    for part in raw.split(b"&"):
        if part:
            name, _, value = part.partition(b"=")
            pairs.append((_component(name, charset), _component(value, charset)))
    return pairs


#: the most parameters a request's URL may carry (a form or a query takes a handful; 30,000
#: empty ones cost 0.6 s of parsing per request, probe r13 M1)
MAX_PARAMETERS = 1000
_PAIRS = "sarcoma_graph.url_pairs"


def url_pairs(scope: MutableMapping[str, Any]) -> list[tuple[str, str]]:
    """The URL's parameters, decoded once per request (kept in the ASGI scope); 400 past
    :data:`MAX_PARAMETERS` of them."""
    pairs = scope.get(_PAIRS)
    if pairs is None:
        raw = scope.get("query_string", b"")
        if raw.count(b"&") >= MAX_PARAMETERS:
            raise HttpError(400, f"the request's URL has more than {MAX_PARAMETERS} parameters")
        pairs = scope[_PAIRS] = parse_pairs(raw)
    return pairs


async def parse_body_pairs(body: bytes, charset: str) -> list[tuple[str, str]]:
    """:func:`parse_pairs` of a form body, in a thread when the body is large; 400 past
    :data:`MAX_PARAMETERS`, as for the URL (probe r16 H7: 2.6 million ``x=1`` pairs in a
    10 MB body cost 17 s of the server's own CPU, outside every time limit)."""
    if body.count(b"&") >= MAX_PARAMETERS:
        raise HttpError(400, f"the form has more than {MAX_PARAMETERS} parameters (a query "
                             "takes a handful: query=, default-graph-uri=, named-graph-uri=)")
    if len(body) < 65536:
        return parse_pairs(body, charset)
    return await anyio.to_thread.run_sync(parse_pairs, body, charset)


#: bytes of POST bodies each client has in the server now (being read, or held until answered)
_BODY_BYTES = Tally()

#: the size a body without Content-Length (chunked) is counted as before a byte of it came
_UNDECLARED = 64 * 1024


class BodyCount:
    """A request's share of its client's body budget: what it was admitted with, grown as its
    body arrives past that (a chunked body declares no size: probe r16 H1, 40 chunked 10 MB
    bodies from one address were all read and held, each counted as 64 KB)."""

    def __init__(self, client: str | None, budget: int, counted: int = 0) -> None:
        self.client, self.budget, self.counted = client, budget, counted

    def grow(self, size: int) -> None:
        """The body has ``size`` bytes in the server: count what it has beyond its share; 503
        when that takes the client past its budget (the body read so far is then dropped)."""
        if self.client is None or size <= self.counted:
            return
        held = _BODY_BYTES.add(self.client, size - self.counted)
        self.counted = size
        if held > self.budget:
            raise _over_budget(held - size, self.budget)


def _over_budget(held: int, budget: int) -> HttpError:
    return HttpError(503, f"your requests already hold {held} bytes of bodies in this server "
                          f"(the limit is {budget}); send the next when one is answered",
                     {"Retry-After": "1"})


@contextlib.contextmanager
def body_slot(request: Request, budget: int) -> Iterator[BodyCount]:
    """Count the request's body against its client's ``budget`` of body bytes in the server
    while it is read and answered; past the budget, 503 before a byte of it is read (probe r15
    M2: 40 parallel 10 MB bodies from one address were all read and held, 324 MB, only to be
    refused for waiting too long), or, for a body longer than it said or without a length,
    as soon as the bytes read take the client past it (:meth:`BodyCount.grow`, given to
    :func:`read_body`). Small queries never come near it."""
    client = CLIENT.get()
    if client is None:
        yield BodyCount(None, budget)
        return
    declared = request.headers.get("content-length", "")
    size = int(declared) if declared.isdigit() and len(declared) < 19 else _UNDECLARED
    held = _BODY_BYTES.get(client, 0)
    if held and held + size > budget:
        raise _over_budget(held, budget)
    _BODY_BYTES.add(client, size)
    count = BodyCount(client, budget, size)
    try:
        yield count
    finally:
        _BODY_BYTES.take(client, count.counted)


async def read_body(request: Request, limit: int, count: BodyCount | None = None) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes (before reading when declared,
    as it arrives when chunked), and with 415 when it is encoded (gzip, br…): this server reads
    bodies as sent, and a gzip'ed query was reported as "not valid UTF-8" with its bytes echoed
    (probe r15 L2). With ``count``, the bytes read count against the client's body budget as
    they arrive (503 past it)."""
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise HttpError(415, f"this endpoint takes request bodies without Content-Encoding (got "
                             f"{encoding[:40]!r}); send the body uncompressed",
                        {"Accept-Encoding": "identity"})
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HttpError(413, f"the request body is larger than the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpError(413, f"the request body is larger than the limit of {limit} bytes")
        if count is not None:
            count.grow(size)
        chunks.append(chunk)
    return b"".join(chunks)


def decode(body: bytes, charset: str, what: str) -> str:
    try:
        return body.decode(charset)
    except UnicodeError as error:  # UnicodeDecodeError, and the plain UnicodeError of a codec
        raise HttpError(400, f"the {what} is not valid {charset}: {_why(error)}") from None


def _why(error: UnicodeError) -> str:
    """What a decoding error says, and where when it knows (a plain ``UnicodeError`` does not)."""
    if isinstance(error, UnicodeDecodeError):
        return f"{error.reason} at byte {error.start}"
    return str(error)


def _not_for(pairs: list[tuple[str, str]], operation: str, names: tuple[str, ...],
             instead: str) -> None:
    """400 for a graph parameter the operation does not take (it would be ignored)."""
    given = sorted({k for k, _ in pairs if k in names})
    if given:
        verb = "does" if len(given) == 1 else "do"
        raise HttpError(400, f"{' and '.join(given)} {verb} not apply to {operation} (SPARQL 1.1 "
                             f"Protocol); {operation} takes {instead}")


def _graphs(pairs: list[tuple[str, str]], name: str) -> tuple[str, ...] | None:
    """The graph IRIs of one parameter, each once: a dataset is a set of graphs, and the engine
    counted a graph named twice twice (probe r15 M6)."""
    values = tuple(dict.fromkeys(v for k, v in pairs if k == name))
    for value in values:
        check_iri(value, name)
    return values or None


def _single(pairs: list[tuple[str, str]], name: str) -> str | None:
    # a leading byte-order mark (Windows editors save one) is no part of the text: dropped
    values = [v.removeprefix("\ufeff") for k, v in pairs if k == name]
    if len(values) > 1:
        raise HttpError(400, f"the request has {len(values)} {name!r} parameters; send one")
    if values and not values[0].strip():
        raise HttpError(400, f"the {name!r} parameter is empty")
    return values[0] if values else None


def operation(pairs: list[tuple[str, str]]) -> Operation:
    """The query or update of a list of parameters; 400 for both, several, or bad graphs."""
    query, update = _single(pairs, "query"), _single(pairs, "update")
    if query is not None and update is not None:
        raise HttpError(400, "the request has both 'query' and 'update'; send one")
    if update is not None:
        _not_for(pairs, "an update", ("default-graph-uri", "named-graph-uri"),
                 "using-graph-uri and using-named-graph-uri")
        return Operation(update=update, default_graphs=_graphs(pairs, "using-graph-uri"),
                         named_graphs=_graphs(pairs, "using-named-graph-uri"))
    if query is not None:
        _not_for(pairs, "a query", ("using-graph-uri", "using-named-graph-uri"),
                 "default-graph-uri and named-graph-uri")
    default, named = _graphs(pairs, "default-graph-uri"), _graphs(pairs, "named-graph-uri")
    if default is not None or named is not None:
        # the parameters specify the whole RDF dataset (SPARQL 1.1 Protocol §2.1.4): the part
        # not given is empty, as FROM without FROM NAMED leaves no named graph
        default, named = default or (), named or ()
    return Operation(query=query, default_graphs=default, named_graphs=named)


async def read_post(request: Request, limit: int, count: BodyCount | None = None) -> Operation:
    """The operation of a POST to the endpoint (form, ``sparql-query`` or ``sparql-update``);
    its body counted with ``count`` (:func:`body_slot`) as it arrives."""
    kind, charset = media_type(request.headers.get("content-type"))
    in_url = url_pairs(request.scope)
    if kind not in (FORM, QUERY, UPDATE):
        raise HttpError(415, f"cannot read a POST body of type {kind or '(none)'!r}; "
                             f"send {FORM}, {QUERY} or {UPDATE}")
    if kind != FORM and charset.replace("-", "").replace("_", "") not in ("utf8", "usascii",
                                                                           "ascii"):
        raise HttpError(415, f"{kind} bodies are UTF-8 (SPARQL 1.1 Protocol); got charset "
                             f"{charset!r}")
    body = await read_body(request, limit, count)
    if kind == FORM:
        return operation(in_url + await parse_body_pairs(body, charset))
    if any(k in ("query", "update") for k, _ in in_url):
        raise HttpError(400, f"a {kind} body is the operation: the URL cannot also carry "
                             "'query' or 'update'")
    text = decode(body, "utf-8", "query" if kind == QUERY else "update")
    if not text.strip():
        raise HttpError(400, f"the {kind} body is empty")
    name = "query" if kind == QUERY else "update"
    return operation([*in_url, (name, text)])
