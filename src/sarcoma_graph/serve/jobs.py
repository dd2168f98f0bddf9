"""Work done inside the query workers: evaluate, serialise, count. Each gets the store first.

Serialising in the worker keeps the server's event loop free and sends back only bytes.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from sarcoma_graph.plumbing.formats import rdf_syntax, results_syntax
from sarcoma_graph.plumbing.results import (
    serialize_graph,
    serialize_results,
    serialize_triples,
    xml_checked,
)
from sarcoma_graph.serve import guard
from sarcoma_graph.serve.using import add_using
from sarcoma_graph.store import QueryError, Store, Term


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
    service_allow: tuple[str, ...] = ()
    base_iri: str | None = None

    def cache_key(self, version: object) -> bytes:
        """The answer cache's key (and ``ETag``) for this job over one store version: a digest
        of every field but the prefixes, which are fixed for the server's life (pickled
        rather than ``repr``'d: a tenth of the time on a long query)."""
        fields = (version, self.sparql, self.default_graphs, self.named_graphs, self.limit,
                  self.results_syntax, self.rdf_syntax, self.service_allow, self.base_iri)
        return hashlib.blake2b(pickle.dumps(fields, protocol=5), digest_size=20).digest()


def run_query(store: Store, job: QueryJob) -> tuple[str, bytes, bool]:
    """``(kind, body, volatile)``: the answer serialised in the syntax negotiated for its kind,
    and whether it may change between runs (RAND, NOW…, SERVICE: not to be cached).

    The text is checked first (:func:`guard.check`), here in the worker, under the time limit.
    """
    facts = guard.check(job.sparql, job.service_allow)
    try:
        result = store.query_serialised(
            job.sparql, job.results_syntax, default_graphs=job.default_graphs,
            named_graphs=job.named_graphs, limit=job.limit, base_iri=job.base_iri)
    except QueryError as error:
        raise guard.service_failure(error, facts) or error from None
    changes = facts.volatile or bool(facts.services)  # a remote's data is not ours to version
    if isinstance(result, bytes):
        return "select", xml_checked(result, job.results_syntax == "xml"), changes
    if result.kind == "graph":  # both check XML (NotInXml)
        body = serialize_graph(result, rdf_syntax(job.rdf_syntax), dict(job.prefixes))
    else:
        body = serialize_results(result, results_syntax(job.results_syntax))
    return result.kind, body, changes


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


def graph_named_exists(store: Store, graph: str) -> bool:
    """:func:`graph_exists` for a name read from a URL path: one that is no IRI names no graph."""
    try:
        ox.NamedNode(graph)
    except ValueError:
        return False
    return graph_exists(store, graph)


@dataclass(frozen=True)
class UpdateJob:
    """An update with the protocol's graphs, the allowed endpoints and the base IRI."""

    sparql: str
    using: tuple[str, ...] | None = None
    using_named: tuple[str, ...] | None = None
    service_allow: tuple[str, ...] = ()
    base_iri: str | None = None


def trial_update(store: Store, job: UpdateJob) -> tuple[str, int]:
    """Check the update, apply the protocol's graphs and run it on this worker's copy of the
    store (a timed dry run; the worker is retired after). Returns the text to apply and the
    version of the store it ran on (the server applies it only to that version)."""
    version = store.version
    text = job.sparql
    if job.using is not None or job.using_named is not None:
        text = add_using(text, list(job.using or ()), list(job.using_named or ()))
    facts = guard.check(text, job.service_allow, update=True)
    try:
        store.update(text, base_iri=job.base_iri)
    except QueryError as error:
        raise guard.service_failure(error, facts) or error from None
    return text, version


def apply_update(store: Store, text: str, base_iri: str | None) -> None:
    """Apply a checked update to the server's store."""
    store.update(text, base_iri=base_iri)


def select_rows(store: Store, sparql: str, graphs: Sequence[str] | None = None) -> list[
        dict[str, Term]]:
    """SELECT bindings as dictionaries (for pages and statistics)."""
    return list(store.query(sparql, default_graphs=graphs).bindings())
