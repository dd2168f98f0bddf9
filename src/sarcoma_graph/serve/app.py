"""The application: :func:`endpoint_router` (mountable in any FastAPI app) and
:func:`create_app` (the ``serve`` command's app: router, lifespan, CORS, error handlers).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from sarcoma_graph import __version__
from sarcoma_graph.catalogue import NamedQuery
from sarcoma_graph.serve import errors, slashes
from sarcoma_graph.serve.headers import SafeHeaders
from sarcoma_graph.serve.routes import (
    entities,
    graph_store,
    iris,
    page,
    queries,
    search,
    shapes,
    sparql,
    void,
)
from sarcoma_graph.serve.routes.direct import EndpointApp
from sarcoma_graph.serve.settings import Settings
from sarcoma_graph.serve.state import SavedDataset, endpoint_state
from sarcoma_graph.store import Store

_ABOUT = """SPARQL 1.1 endpoint of **sarcoma-graph**: `/sparql` (SPARQL 1.1 Protocol, any
SPARQL client), `/rdf-graph-store` (Graph Store HTTP Protocol), the named queries as REST
routes under `/queries/`, VoID at `/.well-known/void`, SPARQL examples at
`/.well-known/sparql-examples`, and dereferenceable IRIs under `/id/`, `/ontology/` and `/shapes/`."""


def endpoint_router(named_queries: Sequence[NamedQuery] = (),
                    shape_triples: Sequence[ox.Triple] = ()) -> APIRouter:
    """Every route of the endpoint; the host app must enter :func:`endpoint_state` in its
    lifespan (see :func:`create_app`). ``shape_triples``: the SHACL shapes ``/shapes/…``
    dereferences."""
    router = APIRouter()
    sparql.add_routes(router)
    graph_store.add_routes(router)
    queries.add_routes(router, named_queries)
    void.add_routes(router)
    entities.add_routes(router)
    iris.add_routes(router)
    shapes.add_routes(router, shape_triples)
    search.add_routes(router)
    page.add_routes(router)
    return router


def create_app(settings: Settings, store: Store,
               named_queries: Sequence[NamedQuery] = (),
               saved: SavedDataset | None = None,
               shape_triples: Sequence[ox.Triple] = ()) -> FastAPI:
    """The endpoint over a loaded store; query workers are forked when the app starts.
    ``saved``: the N-Quads file the store was loaded from, if it was; ``shape_triples``: the
    SHACL shapes whose IRIs it dereferences."""
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with endpoint_state(app, settings, store, named_queries, saved):
            yield

    app = EndpointApp(title="sarcoma-graph SPARQL endpoint", version=__version__,
                  description=_ABOUT, lifespan=lifespan, redoc_url=None,
                  docs_url=None)  # /docs is served with bundled assets (routes/page.py)
    app.include_router(endpoint_router(named_queries, shape_triples))
    slashes.install(app.router)  # relative 308s for /shapes/ …, not Starlette's Host-built 307
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST", "PUT",
                                                            "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Accept", "If-None-Match", "If-Match"],
        expose_headers=["ETag", "Location", "Content-Length", "Retry-After", "Link",
                        "Content-Disposition"], max_age=3600)
    app.add_middleware(SafeHeaders)
    errors.install(app)
    return app
