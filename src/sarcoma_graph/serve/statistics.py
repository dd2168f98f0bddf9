"""Statistics of the store (triples, entities, per class, property and named graph), computed
with SPARQL aggregates in a worker once per store version. VoID, the service description and
the home page show them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from sarcoma_graph.namespaces import XSD
from sarcoma_graph.serve.answer import in_worker
from sarcoma_graph.serve.state import EndpointState
from sarcoma_graph.store import Store, Term

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
    return tuple((key.value, _integer(row["n"])) for row in store.query(sparql).bindings()
                 if isinstance(key := row.get("k"), ox.NamedNode))


def _integer(term: Term | None) -> int:
    """A COUNT's value (a literal)."""
    if not isinstance(term, ox.Literal):
        raise TypeError(f"a count is not a literal: {term!r}")
    return int(term.value)


def compute(store: Store) -> VoidStats:
    """Run in a worker: every count VoID and the service description need."""
    (row,) = store.query(_COUNTS).bindings()
    return VoidStats(_integer(row["triples"]), _integer(row["entities"]),
                     _pairs(store, _CLASSES), _pairs(store, _PROPERTIES), _pairs(store, _GRAPHS))


async def stats(state: EndpointState) -> VoidStats:
    """The statistics of the current store version (computed at most once per version)."""
    async def run() -> VoidStats:
        timeout = max(state.settings.timeout, 120.0)
        return await in_worker(state, compute, timeout=timeout)

    return await state.summary("void", run)


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD.integer))


