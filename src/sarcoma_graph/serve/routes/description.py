"""Descriptions the endpoint gives of itself: the SPARQL service description (``GET /sparql``
without a query), VoID (``/.well-known/void``), each negotiated among the RDF syntaxes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sarcoma_graph.namespaces import FORMATS, SD, VOID
from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.plumbing.results import serialize_triples
from sarcoma_graph.serve import jobs
from sarcoma_graph.serve.answer import cached
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.negotiation import RDF_OFFERS, available, pick
from sarcoma_graph.serve.state import EndpointState, State
from sarcoma_graph.serve.void import (
    RDF_TYPE,
    VoidStats,
    endpoint_url,
    integer,
    stats,
    void_triples,
)

RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads",
                  "TriG")


async def rdf_response(request: Request, state: EndpointState, key: Hashable,
                       build: Callable[[], Awaitable[list[ox.Triple]]]) -> Response:
    """Negotiate an RDF syntax (406 if none), then serve ``build()`` through the cache."""
    name = pick(request.headers.get("accept"), RDF_OFFERS)
    if name is None:
        raise HttpError(406, available(RDF_OFFERS))
    syntax = rdf_syntax(name)

    async def produce() -> bytes:
        return serialize_triples(await build(), syntax, jobs.PREFIXES)

    return await cached(request, state, key, syntax.media_type, produce)


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def description_triples(state: EndpointState, endpoint: str, counts: VoidStats) -> list[ox.Triple]:
    """``sd:Service`` with languages, formats, features and the dataset with its graphs."""
    service, dataset = ox.NamedNode(endpoint + "#service"), ox.NamedNode(endpoint + "#dataset")
    default = ox.NamedNode(endpoint + "#default-graph")
    languages = ["SPARQL11Query"] + (["SPARQL11Update"] if state.settings.enable_updates else [])
    features = ["UnionDefaultGraph"] + (["BasicFederatedQuery"]
                                        if state.settings.service_allow else [])
    out = [ox.Triple(service, RDF_TYPE, _sd("Service")),
           ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
           ox.Triple(service, _sd("defaultDataset"), dataset),
           ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
           ox.Triple(dataset, _sd("defaultGraph"), default),
           ox.Triple(default, RDF_TYPE, _sd("Graph")),
           ox.Triple(default, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
           ox.Triple(default, ox.NamedNode(VOID + "triples"), integer(counts.triples)),
           ox.Triple(default, ox.NamedNode(VOID + "entities"), integer(counts.entities))]
    out += [ox.Triple(service, _sd("supportedLanguage"), _sd(x)) for x in languages]
    out += [ox.Triple(service, _sd("feature"), _sd(x)) for x in features]
    out += [ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS + x))
            for x in RESULT_FORMATS]
    for index, (graph, count) in enumerate(counts.graphs, 1):
        named = ox.NamedNode(f"{endpoint}#graph-{index}")
        content = ox.NamedNode(f"{endpoint}#graph-{index}-content")
        out += [ox.Triple(dataset, _sd("namedGraph"), named),
                ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
                ox.Triple(named, _sd("name"), ox.NamedNode(graph)),
                ox.Triple(named, _sd("graph"), content),
                ox.Triple(content, RDF_TYPE, _sd("Graph")),
                ox.Triple(content, ox.NamedNode(VOID + "triples"), integer(count))]
    return out


async def service_description(request: Request, state: EndpointState) -> Response:
    """The service description of this endpoint, at the URL it was asked at."""
    endpoint = endpoint_url(request, state)

    async def build() -> list[ox.Triple]:
        return description_triples(state, endpoint, await stats(state))

    return await rdf_response(request, state, ("service-description", endpoint), build)


async def void_description(request: Request, state: EndpointState) -> Response:
    """The VoID description of the dataset."""
    endpoint = endpoint_url(request, state)

    async def build() -> list[ox.Triple]:
        return void_triples(await stats(state), endpoint, state.settings.license)

    return await rdf_response(request, state, ("void", endpoint), build)


async def void_route(request: Request, state: State) -> Response:
    return await void_description(request, state)


def add_routes(router: APIRouter) -> None:
    router.add_api_route("/.well-known/void", void_route, methods=["GET", "HEAD"],
                         response_class=Response, tags=["self-description"],
                         summary="VoID description of the dataset")
