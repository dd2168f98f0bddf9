"""Counts per named graph, class and property (VoID-style partitions)."""

from __future__ import annotations

from dataclasses import dataclass

from sarcoma_graph.namespaces import ID
from sarcoma_graph.store import Store

_CLASSES = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY DESC(?n) ?class"""
_PROPERTIES = """SELECT ?property (COUNT(*) AS ?n) WHERE { ?s ?property ?o }
GROUP BY ?property ORDER BY DESC(?n) ?property"""
#: entities as the VoID description counts them: the subjects under the dataset's uriSpace
_ENTITIES = ("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
             f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) }}')


@dataclass
class Stats:
    """What the dataset holds."""

    triples: int
    entities: int
    graphs: dict[str, int]
    classes: list[tuple[str, int]]
    properties: list[tuple[str, int]]


def _pairs(store: Store, query: str, var: str) -> list[tuple[str, int]]:
    return [(row[var], int(row["n"])) for row in store.query(query).texts()]


def compute_stats(store: Store) -> Stats:
    """Counts over the union of the named graphs (distinct triples)."""
    (row,) = store.query(_ENTITIES).texts()
    triples = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    (total,) = triples.texts()
    return Stats(int(total["n"]), int(row["n"]),
                 {g: store.count(g) for g in store.named_graphs()},
                 _pairs(store, _CLASSES, "class"), _pairs(store, _PROPERTIES, "property"))
