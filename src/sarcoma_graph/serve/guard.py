"""What a request may make the server do beyond its store: no ``LOAD``, ``SERVICE`` only to
allowed endpoints. (``FROM``/``FROM NAMED`` name graphs of the store and never fetch.)

pyoxigraph really calls a ``SERVICE`` endpoint over HTTP, so its IRI is checked before the
query runs. A cheap lexical scan (strings, IRIs and comments masked) says whether
``SERVICE`` may occur; only then is the text parsed with rdflib's SPARQL parser to get each
``SERVICE`` IRI (prefixes and ``BASE`` resolved). Parses are cached by text.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from sarcoma_graph.serve import lexer
from sarcoma_graph.serve.errors import HttpError


def _walk(node: object) -> Iterator[object]:
    stack, seen = [node], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


@lru_cache(maxsize=1024)
def service_targets(text: str, update: bool) -> tuple[str | None, ...] | str:
    """The ``SERVICE`` IRIs of a query or update (``None`` for a variable), or a parse error."""
    from pyparsing import ParseException
    from rdflib import URIRef
    from rdflib.plugins.sparql import algebra, parser

    try:
        if update:
            roots: object = algebra.translateUpdate(parser.parseUpdate(text)).algebra
        else:
            roots = algebra.translateQuery(parser.parseQuery(text)).algebra
    except ParseException as error:
        return f"line {error.lineno}, column {error.col}: {error.msg}"
    except Exception as error:
        return str(error) or type(error).__name__
    targets = []
    for node in _walk(roots):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            term = node.get("term")  # type: ignore[attr-defined]
            targets.append(str(term) if isinstance(term, URIRef) else None)
    return tuple(targets)


def check(text: str, allowed: tuple[str, ...], update: bool = False) -> None:
    """400 unless every ``SERVICE`` of the text calls an allowed endpoint (and no ``LOAD``)."""
    if update and "LOAD" in lexer.update_keywords(text):
        raise HttpError(400, "LOAD is not allowed on this endpoint (the server fetches no URL); "
                             "send the data with the Graph Store protocol instead")
    if not lexer.mentions_service(text):
        return
    targets = service_targets(lexer.unescape(text), update)
    names = ", ".join(allowed) or "none"
    if isinstance(targets, str):
        if not allowed:
            raise HttpError(400, f"SERVICE is not allowed on this endpoint (allowed: {names})")
        raise HttpError(400, f"the query uses SERVICE but could not be checked: {targets}")
    for target in targets:
        if target is None:
            raise HttpError(400, "SERVICE with a variable endpoint is not allowed; name an "
                                 f"allowed endpoint (allowed: {names})")
        if target not in allowed:
            raise HttpError(400, f"SERVICE <{target}> is not allowed on this endpoint "
                                 f"(allowed: {names})")
