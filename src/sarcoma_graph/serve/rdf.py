"""One way for the server to send RDF: negotiate a syntax (406 when none fits, HTML for a
browser when the route has a page), then serialise with the endpoint's prefixes, through the
answer cache. Every route that answers with triples built in the server uses :func:`rdf_response`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response

from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.plumbing.results import serialize_triples
from sarcoma_graph.serve.answer import cached
from sarcoma_graph.serve.negotiation import HTML, RDF_OFFERS, negotiate, prefers_html
from sarcoma_graph.serve.state import EndpointState

Triples = list[ox.Triple]


async def rdf_response(request: Request, state: EndpointState, key: Hashable,
                       build: Callable[[], Awaitable[Triples]],
                       page: Callable[[Triples], str] | None = None) -> Response:
    """Serve ``build()`` in the negotiated RDF syntax, or as ``page(triples)`` to a browser."""
    if page is not None and prefers_html(request, RDF_OFFERS):
        async def render() -> bytes:
            return page(await build()).encode()

        return await cached(request, state, (key, "html"), HTML, render)
    syntax = rdf_syntax(negotiate(request, RDF_OFFERS))

    async def produce() -> bytes:
        return serialize_triples(await build(), syntax, state.prefixes)

    return await cached(request, state, key, syntax.media_type, produce)
