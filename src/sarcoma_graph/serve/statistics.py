"""Statistics of the store (triples, entities, per class, property and named graph, and per
class the properties its members use with the classes or datatypes of their values), computed
with SPARQL aggregates in a worker once per store version. VoID, the service description and
the home page show them.

The counts describe the data: when the store holds the served self-description graph
(:data:`~sarcoma_graph.namespaces.SERVICE_GRAPH`, which these counts are written into), it is
left out of them, so that VoID never counts itself; ``union_triples`` and ``graphs`` still
include it (what a query of the default graph, or ``GRAPH ?g``, really sees).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import sys
from dataclasses import dataclass, replace

import pyoxigraph as ox

from sarcoma_graph.namespaces import ID, SERVICE_GRAPH, XSD, graph_iri
from sarcoma_graph.serve.answer import in_worker
from sarcoma_graph.serve.state import EndpointState
from sarcoma_graph.store import Store, Term
from sarcoma_graph.store.oxigraph import OxigraphStore

log = logging.getLogger("sarcoma_graph.serve")

#: entities as VoID counts them: the subjects in the dataset's void:uriSpace (:data:`ID`)
_COUNTS = f"""SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?e) AS ?entities) WHERE {{
  ?s ?p ?o BIND(IF(isIRI(?s) && STRSTARTS(STR(?s), "{ID}"), ?s, ?unbound) AS ?e) }}"""
_CLASSES = "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?k } GROUP BY ?k ORDER BY ?k"
_PROPERTIES = "SELECT ?k (COUNT(*) AS ?n) WHERE { ?s ?k ?o } GROUP BY ?k ORDER BY ?k"
_GRAPHS = "SELECT ?k (COUNT(*) AS ?n) WHERE { GRAPH ?k { ?s ?p ?o } } GROUP BY ?k ORDER BY ?k"
_UNION = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_CLASS_PROPERTIES = """SELECT ?k ?p (COUNT(*) AS ?n) WHERE { ?s a ?k ; ?p ?o FILTER(isIRI(?k)) }
GROUP BY ?k ?p ORDER BY ?k ?p"""
_CLASS_PROPERTY_CLASSES = """SELECT ?k ?p ?c (COUNT(*) AS ?n) WHERE {
  ?s a ?k ; ?p ?o . ?o a ?c FILTER(isIRI(?k) && isIRI(?c)) } GROUP BY ?k ?p ?c ORDER BY ?k ?p ?c"""
_CLASS_PROPERTY_DATATYPES = """SELECT ?k ?p ?c (COUNT(*) AS ?n) WHERE {
  ?s a ?k ; ?p ?o FILTER(isIRI(?k) && isLiteral(?o)) BIND(DATATYPE(?o) AS ?c) }
GROUP BY ?k ?p ?c ORDER BY ?k ?p ?c"""


@dataclass(frozen=True)
class VoidStats:
    """Counts over the union default graph, per class, per property and per named graph."""

    triples: int
    entities: int
    classes: tuple[tuple[str, int], ...]
    properties: tuple[tuple[str, int], ...]
    graphs: tuple[tuple[str, int], ...]
    #: Triples the union default graph holds (the data and the self-description graph).
    union_triples: int = 0
    #: ``(class, property, triples)``: what members of a class use.
    class_properties: tuple[tuple[str, str, int], ...] = ()
    #: ``(class, property, class or datatype of the value, triples)``.
    value_classes: tuple[tuple[str, str, str, int], ...] = ()
    value_datatypes: tuple[tuple[str, str, str, int], ...] = ()

    @property
    def data_graphs(self) -> tuple[tuple[str, int], ...]:
        """The named graphs of the data (every one but the self-description)."""
        return tuple((g, n) for g, n in self.graphs if g != SERVICE_GRAPH)


def _rows(store: Store, sparql: str, names: tuple[str, ...],
          graphs: list[str] | None) -> list[tuple[str | int, ...]]:
    """``(IRI, …, count)`` per row whose ``names`` are all IRIs."""
    out: list[tuple[str | int, ...]] = []
    for row in store.query(sparql, default_graphs=graphs).bindings():
        keys = [k.value for name in names if isinstance(k := row.get(name), ox.NamedNode)]
        if len(keys) == len(names):
            out.append((*keys, _integer(row["n"])))
    return out


def _pairs(store: Store, sparql: str,
           graphs: list[str] | None = None) -> tuple[tuple[str, int], ...]:
    return tuple((str(k), int(n)) for k, n in _rows(store, sparql, ("k",), graphs))


def data_graphs(store: Store) -> list[str] | None:
    """The graphs the counts read: every named graph but the self-description when it is
    there, else ``None`` (the union, as any query sees it)."""
    named = store.named_graphs()
    return [g for g in named if g != SERVICE_GRAPH] if SERVICE_GRAPH in named else None


def _integer(term: Term | None) -> int:
    """A COUNT's value (a literal)."""
    if not isinstance(term, ox.Literal):
        raise TypeError(f"a count is not a literal: {term!r}")
    return int(term.value)


def compute(store: Store) -> VoidStats:
    """Every count VoID and the service description need: in one pass over the quads of an
    embedded store (:mod:`sarcoma_graph.serve.census`), else with SPARQL aggregates."""
    if isinstance(store, OxigraphStore):
        return _counted(store)
    return aggregated(store)


def _counted(store: OxigraphStore) -> VoidStats:
    from sarcoma_graph.serve.census import census

    return census(store, data_graphs(store))


def aggregated(store: Store) -> VoidStats:
    """The statistics with SPARQL aggregates (any store; the reference the census must match)."""
    graphs = data_graphs(store)
    (row,) = store.query(_COUNTS, default_graphs=graphs).bindings()
    (union,) = store.query(_UNION).bindings()
    return VoidStats(
        _integer(row["triples"]), _integer(row["entities"]),
        _pairs(store, _CLASSES, graphs), _pairs(store, _PROPERTIES, graphs),
        _pairs(store, _GRAPHS), _integer(union["n"]),
        tuple((str(k), str(p), int(n)) for k, p, n in
              _rows(store, _CLASS_PROPERTIES, ("k", "p"), graphs)),
        tuple((str(k), str(p), str(c), int(n)) for k, p, c, n in
              _rows(store, _CLASS_PROPERTY_CLASSES, ("k", "p", "c"), graphs)),
        tuple((str(k), str(p), str(c), int(n)) for k, p, c, n in
              _rows(store, _CLASS_PROPERTY_DATATYPES, ("k", "p", "c"), graphs)))


async def stats(state: EndpointState) -> VoidStats:
    """The statistics of the current store version (computed at most once per version)."""
    async def run() -> VoidStats:
        counted = await saved_stats(state)
        if counted is not None:
            return counted
        timeout = max(state.settings.timeout, 120.0)
        return await in_worker(state, compute, timeout=timeout)

    return await state.summary("void", run)


async def saved_stats(state: EndpointState) -> VoidStats | None:
    """The statistics counted from the saved file the store holds as loaded, in a child process
    of low priority (the query workers stay free and go first for the CPU); ``None`` when the
    store no longer holds just that file, or the file changed since."""
    saved = state.as_saved
    if saved is None:
        return None
    arguments = [str(saved.path), saved.sha256, SERVICE_GRAPH]
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sarcoma_graph.serve.census", *arguments,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    _lower_priority(child.pid)
    try:
        out, errors = await child.communicate()
    finally:
        if child.returncode is None:  # cancelled (the server stops): stop it, by its PID
            child.kill()
            await child.wait()
    if child.returncode != 0:
        log.warning("counting the statistics from %s failed (%s); counting the store",
                    saved.path, errors.decode(errors="replace").strip()[-500:])
        return None
    if not out:
        log.warning("%s changed since it was loaded; counting the store", saved.path)
        return None
    counted: VoidStats = pickle.loads(out)  # our own child's answer
    return counted


def _lower_priority(pid: int) -> None:
    """Let the query workers go first for the CPU (set from here: a ``preexec_fn`` is unsafe
    in a process with threads)."""
    with contextlib.suppress(OSError, AttributeError):  # gone already; no priorities here
        os.setpriority(os.PRIO_PROCESS, pid, 10)


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD.integer))




def with_description(stats: VoidStats, triples: int) -> VoidStats:
    """The statistics once the self-description graph of ``triples`` triples is in: the data
    counts unchanged, the graph and the union counts with it."""
    graphs = tuple(sorted((*stats.data_graphs, (SERVICE_GRAPH, triples))))
    return replace(stats, graphs=graphs, union_triples=stats.union_triples + triples)


async def missing_graphs(state: EndpointState) -> dict[str, tuple[str, ...]]:
    """``{query name: graphs it needs (#+ needs:) that the store does not hold}``, for the
    queries that lack one (a CIViC query on a server without the CIViC import)."""
    present = {graph for graph, _ in (await stats(state)).graphs}
    out = {}
    for name, query in state.queries.items():
        lacking = tuple(g for g in query.needs if graph_iri(g) not in present)
        if lacking:
            out[name] = lacking
    return out
