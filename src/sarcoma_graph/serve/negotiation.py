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

from sarcoma_graph.plumbing.formats import RDF_SYNTAXES, RESULTS_SYNTAXES, RdfSyntax, ResultsSyntax


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
def choose(header: str | None, offers: tuple[str, ...]) -> str | None:
    """The best of ``offers`` for an ``Accept`` header, or ``None`` if none is acceptable."""
    ranges = parse_accept(header) if header and header.strip() else ()
    if not ranges:
        return offers[0] if offers else None
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for rank, offer in enumerate(offers):
        matching = [r for r in ranges if r.matches(offer)]
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


def pick(header: str | None, table: dict[str, str]) -> str | None:
    """The syntax name chosen from an offer table (see :data:`RESULTS_OFFERS`)."""
    media_type = choose(header, tuple(table))
    return table[media_type] if media_type else None


def available(table: dict[str, str]) -> str:
    """The message of a 406 answer: what can be asked for."""
    return "none of the acceptable media types can be served; available: " + ", ".join(table)
