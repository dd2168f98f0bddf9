"""The self-description graph ``serve`` loads into its store beside the data
(:data:`~sarcoma_graph.namespaces.SERVICE_GRAPH`): the VoID description with its nested
partitions, the named queries as SPARQL examples and the prefix declarations, in the shapes
SIB's sparql-editor asks for with plain SPARQL on ``/sparql`` (UniProt, Bgee… do the same):

- examples: ``?sq a sh:SPARQLExecutable ; rdfs:comment ?c ; sh:select|sh:ask|… ?query``;
- prefixes: ``[] sh:namespace ?namespace ; sh:prefix ?prefix`` (``sh:declare`` of the node
  every example names with ``sh:prefixes``);
- classes and properties: ``?cp void:class ?c ; void:propertyPartition ?pp . ?pp void:property ?p``.

Its counts are those of the other graphs (see :mod:`sarcoma_graph.serve.statistics`). The server
writes the graph just after start-up (the endpoint answers meanwhile, see
:mod:`sarcoma_graph.serve.describing`) and after every change it applies, so it always
describes the data it serves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox

from sarcoma_graph.catalogue import NamedQuery
from sarcoma_graph.describe import Release
from sarcoma_graph.namespaces import BASE, OWL, RDF, SERVICE_GRAPH, SH, XSD
from sarcoma_graph.serve.routes.void import void_triples
from sarcoma_graph.serve.statistics import VoidStats, compute
from sarcoma_graph.sparql_examples import example_triples, query_iri
from sarcoma_graph.store import Store

#: The ``owl:Ontology`` node that declares the prefixes (``sh:prefixes`` of every example).
PREFIXES_NODE = BASE + "void/prefixes"


def prefix_iri(prefix: str) -> str:
    """The IRI of one ``sh:PrefixDeclaration``."""
    return f"{BASE}void/prefix/{prefix}"


def prefix_triples(prefixes: Mapping[str, str]) -> list[ox.Triple]:
    """``sh:declare`` of every prefix, sorted by prefix."""
    node = ox.NamedNode(PREFIXES_NODE)
    out = [ox.Triple(node, ox.NamedNode(RDF.type), ox.NamedNode(OWL.Ontology))]
    for prefix, namespace in sorted(prefixes.items()):
        declaration = ox.NamedNode(prefix_iri(prefix))
        out += [ox.Triple(node, ox.NamedNode(SH.declare), declaration),
                ox.Triple(declaration, ox.NamedNode(RDF.type), ox.NamedNode(SH.PrefixDeclaration)),
                ox.Triple(declaration, ox.NamedNode(SH.prefix), ox.Literal(prefix)),
                ox.Triple(declaration, ox.NamedNode(SH.namespace),
                          ox.Literal(namespace, datatype=ox.NamedNode(XSD.anyURI)))]
    return out


def examples_triples(queries: Iterable[NamedQuery], endpoint: str,
                     prefixes: Mapping[str, str]) -> list[ox.Triple]:
    """The examples, each with ``sh:prefixes``, and the prefix declarations they name (also
    ``/.well-known/sparql-examples``)."""
    out: list[ox.Triple] = []
    for query in sorted(queries, key=lambda q: q.name):
        out += example_triples(query, endpoint)
        out.append(ox.Triple(ox.NamedNode(query_iri(query.name)), ox.NamedNode(SH.prefixes),
                             ox.NamedNode(PREFIXES_NODE)))
    return out + prefix_triples(prefixes)


def service_triples(stats: VoidStats, endpoint: str, license_iri: str,
                    queries: Iterable[NamedQuery], prefixes: Mapping[str, str],
                    history: Sequence[Release] = (), changed: bool = False) -> list[ox.Triple]:
    """VoID (with the release history), the examples and the prefix declarations."""
    return void_triples(stats, endpoint, license_iri, history, changed) + \
        examples_triples(queries, endpoint, prefixes)


def install(store: Store, endpoint: str, license_iri: str, queries: Iterable[NamedQuery],
            prefixes: Mapping[str, str], stats: VoidStats | None = None,
            history: Sequence[Release] = (), changed: bool = False) -> int:
    """Replace the self-description graph with one describing the store's other graphs;
    returns its triple count. The caller holds the store's write lock. ``stats``: the
    statistics of the store without that graph, when already computed (in a query worker,
    see :mod:`sarcoma_graph.serve.describing`)."""
    store.clear(SERVICE_GRAPH)
    graph = ox.NamedNode(SERVICE_GRAPH)
    triples = service_triples(stats or compute(store), endpoint, license_iri, queries, prefixes,
                              history, changed)
    store.add_quads(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return store.count(SERVICE_GRAPH)
