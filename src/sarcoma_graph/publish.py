"""``publish``: load a release (or the built dataset) into a SPARQL 1.1 server, graph by graph.

Each named graph of the input is written under a staging name (``urn:x-sarcoma-graph:staging:
<run>:<graph>``) in batches, read once from the file as it streams: memory is one batch per
graph plus that graph's blank-node triples (sent together so each blank node stays one node),
whatever the input size. When every graph is staged and its triple count checked, one SPARQL
Update request ``MOVE``\\ s all the staging graphs onto their names: a server that runs an
update request as one transaction (Oxigraph) swaps the whole release at once; others swap graph
by graph. Any failure before the swap drops the staging graphs: the graphs served before stay
as they were.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from sarcoma_graph.errors import InputError, SarcomaGraphError
from sarcoma_graph.plumbing.formats import rdf_syntax_for_path
from sarcoma_graph.plumbing.rdfio import syntax_error
from sarcoma_graph.store.base import QueryError
from sarcoma_graph.store.http import StoreAuthFailed, StoreRejected, StoreUnavailable
from sarcoma_graph.store.sparql_http import BATCH, STAGING, GraphWriter, SparqlHttpStore

RELEASE_DUMP = "sarcoma-graph.nq"


@dataclass
class PublishReport:
    """What was published where: triples per graph, and how long it took."""

    server: str
    graphs: dict[str, int] = field(default_factory=dict)  # distinct triples now served
    seconds: float = 0.0
    sent: int = 0  # triples read from the input (duplicate lines included)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def source_file(path: Path) -> Path:
    """The file to publish: a release folder's ``sarcoma-graph.nq``, or the file itself."""
    if path.is_dir():
        path = path / RELEASE_DUMP
    if not path.is_file():
        raise InputError(f"{path}: no such file (give a release folder, or an .nq/.trig file)")
    return path


def read_quads(path: Path, graph: str | None = None) -> Iterator[ox.Quad]:
    """The quads of a file as they are parsed (never all in memory); triple syntaxes need
    ``graph``, and every quad must be in a named graph."""
    try:
        syntax = rdf_syntax_for_path(path)
    except ValueError as error:
        raise InputError(f"{path}: {error}") from None
    if not syntax.datasets and graph is None:
        raise InputError(f"{path}: {syntax.name} has no named graphs; say which graph with --graph")
    target = ox.NamedNode(graph) if graph else None
    try:
        for quad in ox.parse(path=str(path), format=syntax.oxigraph):
            if target is not None and isinstance(quad.graph_name, ox.DefaultGraph):
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, target)
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise InputError(f"{path}: a triple in the default graph ({quad.triple}); publish "
                                 "writes named graphs only (use --graph for a triple file)")
            yield quad
    except SyntaxError as error:
        raise syntax_error(path, error) from None


def staging_name(run: str, graph: str) -> str:
    """Where ``graph`` is written before the swap."""
    return f"{STAGING}{run}:{graph}"


def publish(store: SparqlHttpStore, quads: Iterable[ox.Quad], batch: int = BATCH,
            progress: Callable[[str], None] = lambda _: None) -> PublishReport:
    """Stage every graph of ``quads``, check the counts, then swap them in with one update."""
    started = time.perf_counter()
    run = uuid.uuid4().hex[:12]
    writers: dict[str, GraphWriter] = {}
    report = PublishReport(store.config.describe())
    try:
        _stage(store, quads, run, batch, writers, progress)
        staged = {g: _check_count(store, g, w) for g, w in sorted(writers.items())}
        progress("swapping the staged graphs in")
        _swap(store, {g: w.graph or "" for g, w in writers.items()})
    except BaseException:
        _drop_staging(store, writers.values())
        raise
    report.graphs = staged
    report.sent = sum(w.sent for w in writers.values())
    report.seconds = time.perf_counter() - started
    return report


def _stage(store: SparqlHttpStore, quads: Iterable[ox.Quad], run: str, batch: int,
           writers: dict[str, GraphWriter], progress: Callable[[str], None]) -> None:
    graph = None
    try:
        for count, quad in enumerate(quads, 1):
            graph = quad.graph_name.value  # type: ignore[union-attr]
            writer = writers.get(graph)
            if writer is None:
                writer = writers[graph] = GraphWriter(store, staging_name(run, graph), batch)
            writer.add(quad.triple)
            if count % 100_000 == 0:
                progress(f"{count} quads sent")
        for name, writer in sorted(writers.items()):
            graph = name
            writer.close()
    except (StoreRejected, StoreUnavailable, StoreAuthFailed, QueryError) as error:
        raise type(error)(_nothing_published(store, graph, error)) from None


def _nothing_published(store: SparqlHttpStore, graph: str | None, error: Exception) -> str:
    where = f" graph <{graph}>" if graph else ""
    return (f"publishing{where} to {store.config.describe()} failed, nothing was published "
            f"(the graphs served before are unchanged): {error}")


def _check_count(store: SparqlHttpStore, graph: str, writer: GraphWriter) -> int:
    """The staged graph's size: at most what was sent (a store merges duplicate lines of the
    input, so fewer is not an error), never none of it, never more (another writer)."""
    staged = store.count_graph(writer.graph or "")
    if not 0 < staged <= writer.sent:
        raise StoreUnavailable(_nothing_published(store, graph, Exception(
            f"{writer.sent} triples sent, the staging graph <{writer.graph}> holds {staged}")))
    return staged


def _swap(store: SparqlHttpStore, staged: dict[str, str]) -> None:
    """One update request: ``MOVE`` each staging graph onto its name."""
    moves = " ;\n".join(f"MOVE <{staging}> TO <{graph}>" for graph, staging in sorted(staged.items()))
    try:
        store.update(moves)
    except (QueryError, SarcomaGraphError) as error:
        graphs = ", ".join(f"<{g}>" for g in sorted(staged))
        raise StoreRejected(f"{store.config.write_url}: the swap of {graphs} failed, the store "
                            f"answered: {error}") from None


def _drop_staging(store: SparqlHttpStore, writers: Iterable[GraphWriter]) -> None:
    """Best effort: a store that fails here already failed once; its message is the one shown."""
    names = [w.graph for w in writers if w.graph]
    if not names:
        return
    with contextlib.suppress(SarcomaGraphError, OSError):
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in names))
