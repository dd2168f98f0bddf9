"""Work done inside the query workers: evaluate, serialise, count. Each gets the store first.

Serialising in the worker keeps the server's event loop free and sends back only bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from sarcoma_graph.plumbing.formats import rdf_syntax, results_syntax
from sarcoma_graph.plumbing.results import serialize_graph, serialize_results, serialize_triples
from sarcoma_graph.store import Store, Term


@dataclass(frozen=True)
class QueryJob:
    """One query with its dataset, limit and the syntaxes negotiated (parameters are in the text)."""

    sparql: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    limit: int | None = None
    results_syntax: str = "json"
    rdf_syntax: str = "turtle"
    prefixes: tuple[tuple[str, str], ...] = ()  # declared in Turtle, TriG and RDF/XML answers


def run_query(store: Store, job: QueryJob) -> tuple[str, bytes]:
    """``(kind, body)``: the answer serialised in the syntax negotiated for its kind."""
    result = store.query(
        job.sparql, default_graphs=job.default_graphs, named_graphs=job.named_graphs,
        limit=job.limit)
    if result.kind == "graph":
        return "graph", serialize_graph(result, rdf_syntax(job.rdf_syntax), dict(job.prefixes))
    return result.kind, serialize_results(result, results_syntax(job.results_syntax))


def graph_triples(store: Store, graph: str | None) -> list[ox.Triple]:
    """The triples of one named graph, or of the store's own default graph (``None``)."""
    if graph is not None:
        return [q.triple for q in store.quads(graph)]
    return [q.triple for q in store.quads() if isinstance(q.graph_name, ox.DefaultGraph)]


def dump_graph(store: Store, graph: str | None, syntax: str,
               prefixes: tuple[tuple[str, str], ...] = ()) -> bytes | None:
    """One graph serialised; ``None`` if that named graph does not exist (is empty)."""
    triples = graph_triples(store, graph)
    if graph is not None and not triples:
        return None
    return serialize_triples(triples, rdf_syntax(syntax), dict(prefixes))


def graph_exists(store: Store, graph: str) -> bool:
    """Whether a named graph has at least one triple."""
    return any(True for _ in store.quads(graph))


def trial_update(store: Store, sparql: str) -> None:
    """Apply an update to this worker's copy (a timed dry run; the worker is retired after)."""
    store.update(sparql)


def select_rows(store: Store, sparql: str, graphs: Sequence[str] | None = None) -> list[
        dict[str, Term]]:
    """SELECT bindings as dictionaries (for pages and statistics)."""
    return list(store.query(sparql, default_graphs=graphs).bindings())
