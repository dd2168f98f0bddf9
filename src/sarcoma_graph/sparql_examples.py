"""The named queries as SPARQL examples in RDF (SIB sparql-examples style).

Each query is a ``sh:SPARQLExecutable`` (and ``sh:SPARQLSelectExecutable`` …) with its title,
description, text, keywords and the endpoint it targets, under ``BASE + "queries/<name>"``.
Every example has an ``rdfs:comment`` (its description, else its title): SIB's sparql-editor
lists only examples with one. A ``DESCRIBE`` has no SHACL form: SIB's ``spex:describe``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from sarcoma_graph.catalogue import NamedQuery
from sarcoma_graph.namespaces import BASE, RDF, RDFS, SCHEMA, SH, SPEX

RDF_TYPE = ox.NamedNode(RDF.type)
_FORMS = {
    "select": ("SPARQLSelectExecutable", "select"),
    "construct": ("SPARQLConstructExecutable", "construct"),
    "ask": ("SPARQLAskExecutable", "ask"),
}
EXAMPLES_GRAPH = BASE + "graph/queries"


def query_iri(name: str) -> str:
    """The IRI of a named query."""
    return f"{BASE}queries/{name}"


def example_triples(query: NamedQuery, endpoint: str) -> list[ox.Triple]:
    """The RDF description of one named query."""
    node = ox.NamedNode(query_iri(query.name))
    if query.kind == "describe":
        form, text = ox.NamedNode(SPEX.SPARQLDescribeExecutable), ox.NamedNode(SPEX.describe)
    else:
        type_name, text_property = _FORMS[query.kind]
        form, text = ox.NamedNode(SH.term(type_name)), ox.NamedNode(SH.term(text_property))

    def lit(value: str, lang: str | None = "en") -> ox.Literal:
        return ox.Literal(value, language=lang) if lang else ox.Literal(value)

    triples = [
        ox.Triple(node, RDF_TYPE, ox.NamedNode(SH.SPARQLExecutable)),
        ox.Triple(node, RDF_TYPE, form),
        ox.Triple(node, ox.NamedNode(RDFS.label), lit(query.title)),
        ox.Triple(node, ox.NamedNode(SCHEMA.target), ox.NamedNode(endpoint)),
        ox.Triple(node, ox.NamedNode(SCHEMA.identifier), lit(query.name, None)),
    ]
    triples.append(ox.Triple(node, text, lit(query.text, None)))
    triples.append(ox.Triple(node, ox.NamedNode(RDFS.comment),
                             lit(query.description or query.title)))
    triples += [ox.Triple(node, ox.NamedNode(SCHEMA.keywords), lit(k)) for k in query.keywords]
    return triples


def catalogue_quads(queries: Iterable[NamedQuery], endpoint: str) -> list[ox.Quad]:
    """Every query's description, in the queries graph."""
    graph = ox.NamedNode(EXAMPLES_GRAPH)
    return [ox.Quad(t.subject, t.predicate, t.object, graph)
            for q in queries for t in example_triples(q, endpoint)]
