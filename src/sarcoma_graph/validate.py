"""Stage 3, validate: SHACL over the materialised dataset, with a report a curator can read.

pyshacl gets a plain in-memory rdflib ``Graph`` (never an oxrdflib one: typed plain strings
would compare unequal) and ``inference="none"``: the reasoning stage has already
materialised what the shapes need.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import RDF, SH, Graph
from rdflib.term import BNode, Node, URIRef

from sarcoma_graph.errors import InputError
from sarcoma_graph.plumbing.memory import gc_paused
from sarcoma_graph.plumbing.rdfio import rdf_files, read_quads
from sarcoma_graph.plumbing.terms import triples_graph
from sarcoma_graph.store import Store

if TYPE_CHECKING:
    from sarcoma_graph.shacl.engine import Result


@dataclass(frozen=True)
class Violation:
    """One SHACL result."""

    severity: str
    focus: str
    path: str
    value: str
    message: str
    shape: str
    constraint: str


ENGINES = ("auto", "fast", "pyshacl")
#: ``auto`` takes the fast path from this many quads up. Measured (2-core machine, loaded): the
#: fast path wins at every size tried, 0.1–0.5 s against pyshacl's 4–15 s on the 1–6k-quad
#: fixtures and the curated graph, so the threshold only keeps tiny ad-hoc stores on the reference.
AUTO_FAST_FROM = 0


@dataclass
class ValidationReport:
    """The SHACL verdict: violations (and warnings) plus the machine report graph (built when
    first asked for, when given as a function: only ``--format turtle`` needs it)."""

    results: list[Violation]
    report_graph: Graph | Callable[[], Graph]
    engine: str = "pyshacl"
    notice: str = ""

    @property
    def graph(self) -> Graph:
        if not isinstance(self.report_graph, Graph):
            self.report_graph = self.report_graph()
        return self.report_graph

    @property
    def violations(self) -> list[Violation]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def to_json(self) -> str:
        body = {"conforms": self.conforms, "results": [asdict(r) for r in self.results]}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"

    def to_turtle(self) -> str:
        return self.graph.serialize(format="turtle")


def data_graph(store: Store) -> Graph:
    """The union of every named graph, as a plain rdflib graph."""
    return triples_graph(store.quads())


def load_shapes(shapes_dir: Path) -> Graph:
    """Every shapes file of the folder, parsed (syntax errors name file, line and column)."""
    files = rdf_files(shapes_dir)
    if not files:
        raise InputError(f"{shapes_dir}: no shapes file found")
    return triples_graph(q for path in files for q in read_quads(path))


def _text(node: Node | None) -> str:
    return "" if node is None else str(node)


def shape_name(shapes: Graph | None, node: Node | None) -> str:
    """A name for a shape that is the same on every run: its IRI (every property shape of
    the project's shapes/ has one, ``…/shapes/GeneShape-label``), or for a blank property
    shape (shapes written elsewhere) its node shape's IRI and its path
    (``…/AgentShape → sg:hasTarget``), never the random blank-node label."""
    if node is None:
        return ""
    if not isinstance(node, BNode) or shapes is None:
        return str(node)
    from sarcoma_graph.namespaces import compress

    parent = next(iter(sorted(shapes.subjects(SH.property, node), key=str)), None)
    path = shapes.value(node, SH.path)
    name = shapes.value(node, SH.name)
    where = compress(str(path)) or str(path) if isinstance(path, URIRef) else \
        (str(name) if name is not None else "property shape")
    owner = shape_name(shapes, parent) if parent is not None else "(anonymous shape)"
    return f"{owner} → {where}"


def _sorted(results: list[Violation]) -> list[Violation]:
    return sorted(results, key=lambda v: (v.severity, v.focus, v.path, v.message, v.value))


def _results(report: Graph, shapes: Graph | None = None) -> list[Violation]:
    out = []
    names: dict[Node | None, str] = {}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def one(p: Node, result: Node = result) -> Node | None:
            return report.value(result, p)
        source = one(SH.sourceShape)
        if source not in names:
            names[source] = shape_name(shapes, source)
        out.append(Violation(
            severity=_text(one(SH.resultSeverity)).rsplit("#", 1)[-1],
            focus=_text(one(SH.focusNode)), path=_text(one(SH.resultPath)),
            value=_text(one(SH.value)), message=_text(one(SH.resultMessage)),
            shape=names[source],
            constraint=_text(one(SH.sourceConstraintComponent)).rsplit("#", 1)[-1]))
    return _sorted(out)


def validate(store: Store, shapes_dir: Path, engine: str = "auto",
             shapes: Graph | None = None, saved: Path | None = None) -> ValidationReport:
    """Validate the store's content against the shapes of ``shapes_dir`` (or ``shapes``).
    ``saved``: the N-Quads file the store holds exactly (the saved dataset it was loaded from),
    which the fast path reads for its whole-graph targets (:mod:`sarcoma_graph.shacl.census`).

    ``engine``: ``pyshacl`` (the reference), ``fast`` (SPARQL on the store, same report; falls
    back to pyshacl, saying why, when the shapes use a feature it does not reproduce) or
    ``auto`` (fast on the oxigraph backend from :data:`AUTO_FAST_FROM` quads).
    """
    if engine not in ENGINES:
        raise InputError(f"--engine {engine!r}: expected one of {', '.join(ENGINES)}")
    shapes = shapes if shapes is not None else load_shapes(shapes_dir)
    notice = ""
    if engine == "fast" or (engine == "auto" and store.backend == "oxigraph"
                            and store.count() >= AUTO_FAST_FROM):
        from sarcoma_graph.shacl.model import Unsupported

        try:
            return validate_fast(store, shapes, saved)
        except Unsupported as error:
            notice = f"fast SHACL path not used ({error}); validated with pyshacl"
    report = validate_pyshacl(store, shapes)
    report.notice = notice
    return report


def validate_pyshacl(store: Store, shapes: Graph) -> ValidationReport:
    """The reference: pyshacl over the union graph as an in-memory rdflib graph."""
    import pyshacl  # heavy: imported when validation runs

    _, report_graph, _ = pyshacl.validate(
        data_graph(store), shacl_graph=shapes, inference="none",
        advanced=True, allow_warnings=True, abort_on_first=False)
    return ValidationReport(_results(report_graph, shapes), report_graph, "pyshacl")


def validate_fast(store: Store, shapes: Graph, saved: Path | None = None) -> ValidationReport:
    """The fast path (:mod:`sarcoma_graph.shacl`); raises ``Unsupported`` for unknown features.
    ``saved``: as for :func:`validate`."""
    from sarcoma_graph.shacl.engine import Data, Engine, results_graph
    from sarcoma_graph.shacl.model import ShapesReader

    with gc_paused():
        results = Engine(ShapesReader(shapes), Data(store, saved)).validate()

    def report_graph() -> Graph:
        graph = results_graph(results, shapes)
        assert isinstance(graph, Graph)
        return graph

    if any(len(r.messages) > 1 for r in results):  # which message: as read from the graph
        graph = report_graph()
        return ValidationReport(_results(graph, shapes), graph, "fast")
    return ValidationReport(_violations(results, shapes), report_graph, "fast")


def _violations(results: list[Result], shapes: Graph) -> list[Violation]:
    """:func:`_results` straight from the fast path's results (each with one message at most),
    without the report graph: at 100k quads its 1737 results took 0.6 s through the graph."""
    names: dict[Node, str] = {}
    out = []
    for r in results:
        if r.shape not in names:
            names[r.shape] = shape_name(shapes, r.shape)
        out.append(Violation(
            severity=str(r.severity).rsplit("#", 1)[-1], focus=str(r.focus),
            path=_text(r.path), value=_text(r.value), message=_text(next(iter(r.messages), None)),
            shape=names[r.shape], constraint=str(r.component).rsplit("#", 1)[-1]))
    return _sorted(out)
