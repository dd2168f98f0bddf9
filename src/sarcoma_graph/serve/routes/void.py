"""VoID: the description of the dataset and its partitions at ``/.well-known/void``
(RDF for clients, a page for browsers).

Partitions get IRIs under ``BASE + "void/"`` (readable local name plus a short hash of the
partitioned IRI, so two classes never share one). Each class partition has a property
partition per property its members use, and that one a class partition per class of the
values (``void:classPartition``) or a ``void-ext:datatypePartition`` per datatype: the shape
SIB's sparql-editor reads for its autocompletion.

The counts are those of the data graphs; the self-description graph the server loads
(:data:`~sarcoma_graph.namespaces.SERVICE_GRAPH`) is not counted (it holds this description).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sarcoma_graph import __version__
from sarcoma_graph.describe import Release, history_triples
from sarcoma_graph.namespaces import BASE, GRAPH, ID, SERVICE_GRAPH, VOID_EXT, W3C_PREFIXES
from sarcoma_graph.serve.answer import cached, in_worker
from sarcoma_graph.serve.negotiation import HTML, RDF_OFFERS, prefers_html
from sarcoma_graph.serve.pages.facts import english_labels
from sarcoma_graph.serve.pages.void import void_page
from sarcoma_graph.serve.rdf import rdf_response
from sarcoma_graph.serve.state import State
from sarcoma_graph.serve.statistics import VoidStats, integer, stats

VOID = W3C_PREFIXES["void"]
PROV = W3C_PREFIXES["prov"]
RDFS = W3C_PREFIXES["rdfs"]
DCTERMS = W3C_PREFIXES["dcterms"]
SD = W3C_PREFIXES["sd"]
DCAT = W3C_PREFIXES["dcat"]
OWL = W3C_PREFIXES["owl"]
RDF_TYPE = ox.NamedNode(W3C_PREFIXES["rdf"] + "type")
DATASET = BASE + "void/dataset"


def mint(kind: str, iri: str) -> ox.NamedNode:
    """A partition IRI: ``BASE void/<kind>/<local name>-<hash>`` (``iri`` may be several IRIs
    joined by spaces: the local name is the last one's)."""
    if kind == "graph" and iri.startswith(GRAPH):
        return ox.NamedNode(f"{BASE}void/graph/{iri[len(GRAPH):]}")
    local = re.sub(r"[^A-Za-z0-9_]+", "_", re.split(r"[/#:]", iri.rstrip("/#"))[-1])[:40]
    digest = hashlib.blake2b(iri.encode(), digest_size=4).hexdigest()
    return ox.NamedNode(f"{BASE}void/{kind}/{local}-{digest}")


def namespace(iri: str) -> str:
    """The vocabulary an IRI belongs to (up to its last ``#`` or ``/``)."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


def void_triples(stats: VoidStats, endpoint: str, license_iri: str,
                 history: Sequence[Release] = (), changed: bool = False) -> list[ox.Triple]:
    """The VoID description of the dataset and its partitions, and the releases up to the
    one served (``history``: their dates, notes and order); ``changed``: updates changed the
    data since the server started (:func:`version_triples`)."""
    d = ox.NamedNode(DATASET)

    def p(name: str) -> ox.NamedNode:
        return ox.NamedNode(VOID + name)

    out = [ox.Triple(d, RDF_TYPE, p("Dataset")),
           ox.Triple(d, ox.NamedNode(DCTERMS + "title"), ox.Literal("sarcoma-graph", language="en")),
           ox.Triple(d, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(license_iri)),
           ox.Triple(d, p("sparqlEndpoint"), ox.NamedNode(endpoint)),
           ox.Triple(d, p("uriSpace"), ox.Literal(ID)),
           ox.Triple(d, p("triples"), integer(stats.triples)),
           ox.Triple(d, p("entities"), integer(stats.entities)),
           ox.Triple(d, p("classes"), integer(len(stats.classes))),
           ox.Triple(d, p("properties"), integer(len(stats.properties)))]
    out += version_triples(d, changed) + history_triples(history)
    out += [ox.Triple(d, p("vocabulary"), ox.NamedNode(v)) for v in vocabularies(stats)]
    for kind, link, member, count, rows in (
            ("class", "classPartition", "class", "entities", stats.classes),
            ("property", "propertyPartition", "property", "triples", stats.properties),
            ("graph", "subset", "inDataset", "triples", stats.data_graphs)):
        for iri, n in rows:
            node = mint(kind, iri)
            out += [ox.Triple(d, p(link), node), ox.Triple(node, p(count), integer(n))]
            if kind == "graph":
                out += [ox.Triple(node, RDF_TYPE, p("Dataset")),
                        ox.Triple(node, ox.NamedNode(SD + "name"), ox.NamedNode(iri)),
                        ox.Triple(node, p("dataDump"), ox.NamedNode(graph_dump(endpoint, iri)))]
            else:
                out.append(ox.Triple(node, p(member), ox.NamedNode(iri)))
    out += _nested_partitions(stats)
    if note(stats):
        out.append(ox.Triple(d, ox.NamedNode(DCTERMS + "description"),
                             ox.Literal(note(stats), language="en")))
    return out


def version_triples(dataset: ox.NamedNode, changed: bool = False) -> list[ox.Triple]:
    """Which release the served data is (review r15 F3: the endpoint could not say): its
    version, as the release's VoID gives it, the dataset it is a version of, and that
    dataset's version IRI for this release (which the server resolves to this description).
    Once updates changed it, the data is no release: it is a revision of this one (review r16
    interop A11: it still claimed the release's version)."""
    release = ox.NamedNode(f"{BASE}releases/{__version__}/dataset")
    if changed:
        return [ox.Triple(dataset, ox.NamedNode(DCTERMS + "isVersionOf"),
                          ox.NamedNode(BASE + "dataset")),
                ox.Triple(dataset, ox.NamedNode(PROV + "wasRevisionOf"), release),
                ox.Triple(dataset, ox.NamedNode(RDFS + "comment"), ox.Literal(
                    f"The data of release {__version__}, changed since by updates to this "
                    "endpoint: it is no release.", language="en"))]
    return [ox.Triple(dataset, ox.NamedNode(DCAT + "version"), ox.Literal(__version__)),
            ox.Triple(dataset, ox.NamedNode(OWL + "versionInfo"), ox.Literal(__version__)),
            ox.Triple(dataset, ox.NamedNode(DCTERMS + "isVersionOf"), ox.NamedNode(BASE + "dataset")),
            ox.Triple(ox.NamedNode(BASE + "dataset"), ox.NamedNode(DCTERMS + "hasVersion"),
                      ox.NamedNode(f"{BASE}releases/{__version__}/dataset"))]


def graph_dump(endpoint: str, graph: str) -> str:
    """The URL that gives one named graph as a file: the Graph Store beside the endpoint."""
    return f"{endpoint.rsplit('/', 1)[0]}/rdf-graph-store?graph={quote(graph, safe='')}"


def vocabularies(stats: VoidStats) -> list[str]:
    """The namespaces of the classes and properties the data uses."""
    return sorted({namespace(i) for i, _ in stats.classes + stats.properties})


def note(stats: VoidStats) -> str:
    """What the counts leave out, when the self-description graph is loaded."""
    if len(stats.data_graphs) == len(stats.graphs):
        return ""
    return ("Counts over the data graphs (the subsets); the graph " + SERVICE_GRAPH + ", which "
            "holds this description, the SPARQL examples and the prefix declarations, is not "
            "counted.")


def _nested_partitions(stats: VoidStats) -> list[ox.Triple]:
    """Class partition → property partition → class or datatype partition of the values."""
    out: list[ox.Triple] = []
    for cls, prop, n in stats.class_properties:
        node = mint("class-property", f"{cls} {prop}")
        out += [ox.Triple(mint("class", cls), ox.NamedNode(VOID + "propertyPartition"), node),
                ox.Triple(node, ox.NamedNode(VOID + "property"), ox.NamedNode(prop)),
                ox.Triple(node, ox.NamedNode(VOID + "triples"), integer(n))]
    for kind, link, member, rows in (
            ("value-class", VOID + "classPartition", VOID + "class", stats.value_classes),
            ("value-datatype", VOID_EXT + "datatypePartition", VOID_EXT + "datatype",
             stats.value_datatypes)):
        for cls, prop, value, n in rows:
            node = mint(kind, f"{cls} {prop} {value}")
            out += [ox.Triple(mint("class-property", f"{cls} {prop}"), ox.NamedNode(link), node),
                    ox.Triple(node, ox.NamedNode(member), ox.NamedNode(value)),
                    ox.Triple(node, ox.NamedNode(VOID + "triples"), integer(n))]
    return out


async def void_description(request: Request, state: State) -> Response:
    """The VoID description of the dataset: RDF, or a page of tables for a browser."""
    endpoint = state.endpoint_url(request)
    root = request.scope.get("root_path", "").rstrip("/")

    async def build() -> list[ox.Triple]:
        return void_triples(await stats(state), endpoint, state.settings.license,
                            state.settings.history, state.written)

    async def page() -> bytes:
        found = await stats(state)
        terms = sorted({i for i, _ in found.classes + found.properties})
        labels = await in_worker(state, english_labels, terms)
        release = next((r for r in state.settings.history if r.version == __version__), None)
        return void_page(found, mint, endpoint, state.settings.license, vocabularies(found),
                         note(found), root, labels, state.footer(root), release,
                         lambda graph: graph_dump(endpoint, graph)).encode()

    key = ("void", endpoint, root)
    if prefers_html(request, RDF_OFFERS):  # the page needs the terms' labels besides the
        return await cached(request, state, (key, "html"), HTML, page)  # counts
    return await rdf_response(request, state, key, build)


def add_routes(router: APIRouter) -> None:
    router.add_api_route("/.well-known/void", void_description, methods=["GET", "HEAD"],
                         response_class=Response, tags=["self-description"],
                         summary="VoID description of the dataset")
