"""VoID statistics of the store, computed with SPARQL aggregates in a worker once per store
version, and the VoID description at ``/.well-known/void``.

Partitions get IRIs under ``BASE + "void/"`` (readable local name plus a short hash of the
partitioned IRI, so two classes never share one).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pyoxigraph as ox
from fastapi import Request

from sarcoma_graph.namespaces import BASE, DCTERMS, GRAPH, ID, RDF, SD, VOID, XSD
from sarcoma_graph.serve.state import EndpointState
from sarcoma_graph.store import Store

RDF_TYPE = ox.NamedNode(RDF.type)
DATASET = BASE + "void/dataset"
_COUNTS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?e) AS ?entities) WHERE {
  ?s ?p ?o BIND(IF(isIRI(?s), ?s, ?unbound) AS ?e) }"""
_CLASSES = "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?k } GROUP BY ?k ORDER BY ?k"
_PROPERTIES = "SELECT ?k (COUNT(*) AS ?n) WHERE { ?s ?k ?o } GROUP BY ?k ORDER BY ?k"
_GRAPHS = "SELECT ?k (COUNT(*) AS ?n) WHERE { GRAPH ?k { ?s ?p ?o } } GROUP BY ?k ORDER BY ?k"


@dataclass(frozen=True)
class VoidStats:
    """Counts over the union default graph, per class, per property and per named graph."""

    triples: int
    entities: int
    classes: tuple[tuple[str, int], ...]
    properties: tuple[tuple[str, int], ...]
    graphs: tuple[tuple[str, int], ...]


def _pairs(store: Store, sparql: str) -> tuple[tuple[str, int], ...]:
    return tuple((row["k"], int(row["n"])) for row in store.query(sparql).texts()
                 if isinstance(row.get("k"), ox.NamedNode))


def compute(store: Store) -> VoidStats:
    """Run in a worker: every count VoID and the service description need."""
    (row,) = store.query(_COUNTS).texts()
    return VoidStats(int(row["triples"]), int(row["entities"]),
                     _pairs(store, _CLASSES), _pairs(store, _PROPERTIES), _pairs(store, _GRAPHS))


async def stats(state: EndpointState) -> VoidStats:
    """The statistics of the current store version (computed at most once per version)."""
    from sarcoma_graph.serve.answer import in_worker

    async def run() -> VoidStats:
        timeout = max(state.settings.timeout, 120.0)
        return await in_worker(state, compute, timeout=timeout)  # type: ignore[return-value]

    return await state.summary("void", run)


def mint(kind: str, iri: str) -> ox.NamedNode:
    """A partition IRI: ``BASE void/<kind>/<local name>-<hash>``."""
    if kind == "graph" and iri.startswith(GRAPH):
        return ox.NamedNode(f"{BASE}void/graph/{iri[len(GRAPH):]}")
    local = re.sub(r"[^A-Za-z0-9_]+", "_", re.split(r"[/#:]", iri.rstrip("/#"))[-1])[:40]
    digest = hashlib.blake2b(iri.encode(), digest_size=4).hexdigest()
    return ox.NamedNode(f"{BASE}void/{kind}/{local}-{digest}")


def namespace(iri: str) -> str:
    """The vocabulary an IRI belongs to (up to its last ``#`` or ``/``)."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD.integer))


def void_triples(stats: VoidStats, endpoint: str, license_iri: str) -> list[ox.Triple]:
    """The VoID description of the dataset and its partitions."""
    d = ox.NamedNode(DATASET)

    def p(name: str) -> ox.NamedNode:
        return ox.NamedNode(VOID + name)

    out = [ox.Triple(d, RDF_TYPE, p("Dataset")),
           ox.Triple(d, ox.NamedNode(DCTERMS.term("title")), ox.Literal("sarcoma-graph", language="en")),
           ox.Triple(d, ox.NamedNode(DCTERMS.license), ox.NamedNode(license_iri)),
           ox.Triple(d, p("sparqlEndpoint"), ox.NamedNode(endpoint)),
           ox.Triple(d, p("uriSpace"), ox.Literal(ID)),
           ox.Triple(d, p("triples"), integer(stats.triples)),
           ox.Triple(d, p("entities"), integer(stats.entities)),
           ox.Triple(d, p("classes"), integer(len(stats.classes))),
           ox.Triple(d, p("properties"), integer(len(stats.properties)))]
    vocabularies = {namespace(i) for i, _ in stats.classes + stats.properties}
    out += [ox.Triple(d, p("vocabulary"), ox.NamedNode(v)) for v in sorted(vocabularies)]
    for kind, link, member, count, rows in (
            ("class", "classPartition", "class", "entities", stats.classes),
            ("property", "propertyPartition", "property", "triples", stats.properties),
            ("graph", "subset", "inDataset", "triples", stats.graphs)):
        for iri, n in rows:
            node = mint(kind, iri)
            out += [ox.Triple(d, p(link), node), ox.Triple(node, p(count), integer(n))]
            if kind == "graph":
                out += [ox.Triple(node, RDF_TYPE, p("Dataset")),
                        ox.Triple(node, ox.NamedNode(SD.name), ox.NamedNode(iri))]
            else:
                out.append(ox.Triple(node, p(member), ox.NamedNode(iri)))
    return out


def endpoint_url(request: Request, state: EndpointState) -> str:
    """The public URL of ``/sparql``."""
    return state.settings.endpoint(str(request.url_for("sparql")))
