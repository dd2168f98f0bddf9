"""HTTP content negotiation: an ``Accept`` parser (q-values, wildcards, specificity).

An offer's quality is the q of the most specific range that matches it (``type/subtype``
beats ``type/*`` beats ``*/*``). The best offer has the highest quality; ties go to the offer
matched by the more specific range, then to the client's order, then to the server's order
(its first offer is its default). A missing or unreadable ``Accept`` accepts anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from starlette.requests import Request

from sarcoma_graph.plumbing.formats import RDF_SYNTAXES, RESULTS_SYNTAXES, RdfSyntax, ResultsSyntax
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.protocol import url_pairs


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        return 0 if self.type == "*" else 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def _quality(value: str) -> float | None:
    try:
        q = float(value)
    except ValueError:
        return None
    return q if 0.0 <= q <= 1.0 else None


@lru_cache(maxsize=512)
def parse_accept(header: str) -> tuple[MediaRange, ...]:
    """The media ranges of an ``Accept`` header; malformed elements are left out."""
    ranges = []
    for order, element in enumerate(header.split(",")):
        media, *params = element.split(";")
        media = media.strip().lower()
        if media == "*":
            media = "*/*"
        kind, slash, sub = media.partition("/")
        if not slash or not kind or not sub or (kind == "*" and sub != "*"):
            continue
        q: float | None = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                q = _quality(value.strip())
        if q is not None:
            ranges.append(MediaRange(kind, sub, q, order))
    return tuple(ranges)


@lru_cache(maxsize=1024)
def choose(header: str | None, offers: tuple[str, ...],
           aliases: frozenset[str] = frozenset()) -> str | None:
    """The best of ``offers`` for an ``Accept`` header, or ``None`` if none is acceptable. An
    offer in ``aliases`` (another name of a type we send under its own) is matched only by a
    range that names it exactly: a wildcard means the types we send, and ``text/*`` must not
    pick ``text/xml`` to send ``application/sparql-results+xml``."""
    ranges = parse_accept(header) if header and header.strip() else ()
    if not ranges:
        return offers[0] if offers else None
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for rank, offer in enumerate(offers):
        matching = [r for r in ranges if r.matches(offer)
                    and (offer not in aliases or r.specificity == 2)]
        if not matching:
            continue
        top = max(matching, key=lambda r: (r.specificity, -r.order))
        if top.q <= 0:
            continue
        score = (top.q, top.specificity, -top.order, -rank)
        if best is None or score > best:
            best, chosen = score, offer
    return chosen


def _offers(syntaxes: Sequence[ResultsSyntax | RdfSyntax]) -> dict[str, str]:
    table: dict[str, str] = {}
    for syntax in syntaxes:
        for media_type in (syntax.media_type, *syntax.aliases):
            if "/" in media_type:
                table.setdefault(media_type, syntax.name)
    return table


#: media type → results syntax name, the default (SPARQL JSON) first.
RESULTS_OFFERS = _offers(RESULTS_SYNTAXES)
#: media type → RDF syntax name, the default (Turtle) first.
RDF_OFFERS = _offers(sorted(RDF_SYNTAXES, key=lambda s: s.name != "turtle"))
HTML = "text/html"
VARY = "Accept, Sec-Fetch-Dest"
"""``Vary`` of a query answer: a browser navigating (``Sec-Fetch-Dest: document``) to a
query URL gets a page, a SPARQL client the results (``routes/browser.wants_page``)."""


def pick(header: str | None, table: dict[str, str]) -> str | None:
    """The syntax name chosen from an offer table (see :data:`RESULTS_OFFERS`); a syntax's
    first media type in the table is its own, the others aliases."""
    media_type = choose(header, tuple(table), _aliases(tuple(table.items())))
    return table[media_type] if media_type else None


@lru_cache(maxsize=64)
def _aliases(items: tuple[tuple[str, str], ...]) -> frozenset[str]:
    seen: set[str] = set()
    aliases = set()
    for media_type, name in items:
        if name in seen:
            aliases.add(media_type)
        seen.add(name)
    return frozenset(aliases)


def available(table: dict[str, str]) -> str:
    """The message of a 406 answer: what can be asked for."""
    return "none of the acceptable media types can be served; available: " + ", ".join(table)


#: ``format=`` / ``output=`` short names (as Fuseki and Virtuoso take them) → an ``Accept``
#: header; one name can stand for a results syntax and an RDF syntax (``json``, ``xml``).
FORMAT_NAMES = {
    "json": "application/sparql-results+json, application/ld+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml, application/rdf+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "text": "text/plain, text/csv", "txt": "text/plain, text/csv",
    "ttl": "text/turtle", "turtle": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "nq": "application/n-quads", "nquads": "application/n-quads",
    "n-quads": "application/n-quads", "trig": "application/trig",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml", "rdfxml": "application/rdf+xml",
    "rdf/xml": "application/rdf+xml", "rdf+xml": "application/rdf+xml",
    "rdf xml": "application/rdf+xml",  # rdf+xml typed in an address bar: "+" reads as a space
    "n3": "text/turtle",  # SPARQLWrapper's N3: Turtle is N3 (and what we write)
    "html": HTML,
}
#: media types clients send in ``format=`` that are another name of one we serve
FORMAT_MEDIA_ALIASES = {"application/x-json+ld": "application/ld+json",
                        "text/n3": "text/turtle", "text/rdf+n3": "text/turtle"}
_FORMAT_PARAMETERS = ("format", "output")


def accept_of(request: Request) -> str | None:
    """The ``Accept`` to negotiate with: a ``format=``/``output=`` URL parameter (a short name
    or a media type) overrides the header, as Fuseki and Virtuoso do; 400 for an unknown one.
    An empty value is no value: SPARQLWrapper sends ``format=`` empty beside the real one when
    the format does not fit the query form, and a form's blank choice sends it (review r16
    interop A1: both were 400 "unknown format=''")."""
    given = sorted({(name, v.strip().lower()) for name in _FORMAT_PARAMETERS
                    for v in url_parameters(request, name)} - {(n, "") for n in _FORMAT_PARAMETERS})
    if not given:
        return request.headers.get("accept")
    each = [_media_types(name, value) for name, value in given]
    common = [t for t in each[0] if all(t in other for other in each[1:])]
    if not common:  # SPARQLWrapper sends format=tsv&format=text/tab-separated-values: one
        # (format= and output= together count as one: format=csv&output=json gave CSV without a
        # word, probe r16 L2)
        names = sorted({name for name, _ in given})
        raise HttpError(400, f"{'= and '.join(names)}= {'are' if len(names) > 1 else 'is'} given "
                             f"{len(given)} ways that ask for different syntaxes "
                             f"({', '.join(v for _, v in given)}); give one")
    return ", ".join(common)


def _media_types(name: str, value: str) -> list[str]:
    """The media types one ``format=`` value stands for: a short name, a media type, or a
    comma list of them (SPARQLWrapper sends ``application/ld+json,application/x-json+ld``)."""
    if "," in value:
        return list(dict.fromkeys(t for part in value.split(",") if part.strip()
                                  for t in _media_types(name, part.strip())))
    if value in FORMAT_NAMES:
        return [t.strip() for t in FORMAT_NAMES[value].split(",")]
    if "/" in value:
        return [FORMAT_MEDIA_ALIASES.get(value, value)]
    known = ", ".join(sorted(FORMAT_NAMES))
    raise HttpError(400, f"unknown {name}={value!r}; use a media type or one of: {known}")


def url_parameter(request: Request, name: str) -> str | None:
    """The last value of one URL parameter (see :func:`url_parameters`)."""
    values = url_parameters(request, name)
    return values[-1] if values else None


def url_parameters(request: Request, name: str) -> list[str]:
    """Every value of one URL parameter (the URL is decoded once per request)."""
    return [value for key, value in url_pairs(request.scope) if key == name]


def asks_for_html(request: Request) -> bool:
    """Whether a ``format=``/``output=`` URL parameter names HTML (a person asking for a page)."""
    return any(FORMAT_NAMES.get(v.strip().lower(), v.strip().lower()) == HTML
               for name in _FORMAT_PARAMETERS for v in url_parameters(request, name))


def negotiate(request: Request, table: dict[str, str]) -> str:
    """The syntax name chosen for a request from an offer table; 406 when none is acceptable."""
    name = pick(accept_of(request), table)
    if name is None:
        raise HttpError(406, available(table))
    return name


def prefers_html(request: Request, table: dict[str, str]) -> bool:
    """Whether the client (a browser) ranks HTML above every syntax of ``table``."""
    return pick(accept_of(request), {HTML: "html", **table}) == "html" and \
        pick(accept_of(request), {**table, HTML: "html"}) == "html"
