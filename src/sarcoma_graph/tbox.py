"""The ontology's own check: consistency, unsatisfiable classes and the inferred class
hierarchy, by HermiT through owlready2 (on the TBox only: HermiT does not scale to our ABox).

Without Java the check is skipped with a one-line reason, never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from sarcoma_graph.namespaces import OWL

OWL_NOTHING = OWL.Nothing
JAVA_HINT = ("Java not found: install a Java runtime (Debian: apt-get install default-jre-headless) "
             "to check the ontology with HermiT")


@dataclass
class TboxReport:
    """HermiT's verdict on the ontology."""

    consistent: bool | None = None
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_subclasses: list[tuple[str, str]] = field(default_factory=list)
    classes: int = 0
    seconds: float = 0.0
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        return self.skipped is not None or (bool(self.consistent) and not self.unsatisfiable)


def _subclass_pairs(world: object) -> set[tuple[str, str]]:
    pairs = set()
    for cls in world.classes():  # type: ignore[attr-defined]
        for parent in cls.is_a:
            if hasattr(parent, "iri"):
                pairs.add((cls.iri, parent.iri))
    return pairs


def check_tbox(ontology: Graph, java: str | None = None) -> TboxReport:
    """Run HermiT over the ontology graph; skip (with the reason) when Java is missing."""
    java = java or shutil.which("java")
    if not java:
        return TboxReport(skipped=JAVA_HINT)
    import owlready2  # heavy: imported only when the check runs

    owlready2.JAVA_EXE = java
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ontology.owl"
        ontology.serialize(path, format="xml")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        before = _subclass_pairs(world)
        report = TboxReport(classes=len(list(world.classes())))
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(
                    io.StringIO()), onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
            report.consistent = True
        except owlready2.OwlReadyInconsistentOntologyError:
            report.consistent = False
        except owlready2.OwlReadyJavaError as error:
            return TboxReport(skipped=f"HermiT could not run: {str(error).splitlines()[0]}")
        report.unsatisfiable = sorted(c.iri for c in world.inconsistent_classes()
                                      if hasattr(c, "iri") and c.iri != OWL_NOTHING)
        report.inferred_subclasses = sorted(_subclass_pairs(world) - before)
        report.seconds = time.perf_counter() - started
        return report
