"""The SPARQL service description (``GET /sparql`` without a query): RDF for clients, a page
for browsers."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response

from sarcoma_graph.namespaces import FORMATS
from sarcoma_graph.serve.pages.triples import triples_page
from sarcoma_graph.serve.rdf import rdf_response
from sarcoma_graph.serve.routes.void import RDF_TYPE, SD, VOID
from sarcoma_graph.serve.state import EndpointState
from sarcoma_graph.serve.statistics import VoidStats, integer, stats

RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads",
                  "TriG")


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
           # the union default graph: the data and the self-description graph
           ox.Triple(default, ox.NamedNode(VOID + "triples"), integer(counts.union_triples)),
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
    endpoint = state.endpoint_url(request)

    async def build() -> list[ox.Triple]:
        return description_triples(state, endpoint, await stats(state))

    root = request.scope.get("root_path", "").rstrip("/")
    return await rdf_response(request, state, ("service-description", endpoint, root), build,
                              lambda triples: triples_page("SPARQL service description",
                                                           triples, root, state.footer(root)))
