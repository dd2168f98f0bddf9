"""Stage 4, QC: quality checks written as SPARQL, one per file in ``qc/``.

Each check selects ``?entity ?property ?value``; every row is a failure of the check's
severity (``error`` fails the run, ``warning`` and ``info`` are reported).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sarcoma_graph.catalogue import NamedQuery, load_catalogue
from sarcoma_graph.store import Store


@dataclass(frozen=True)
class QcFinding:
    """One failing row of a check."""

    check: str
    severity: str
    entity: str
    property: str
    value: str


@dataclass
class QcReport:
    """All checks run and their findings."""

    checks: list[NamedQuery]
    findings: list[QcFinding]

    @property
    def errors(self) -> list[QcFinding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def passed(self) -> bool:
        return not self.errors


def run_check(store: Store, check: NamedQuery) -> list[QcFinding]:
    """Run one check; each row becomes a finding."""
    result = store.query(check.text)
    findings = []
    for row in result.texts():
        cells = dict(row)
        findings.append(QcFinding(check.name, check.severity, cells.get("entity", ""),
                                  cells.get("property", ""), cells.get("value", "")))
    return findings


def run_qc(store: Store, qc_dir: Path) -> QcReport:
    """Run every check of ``qc_dir``."""
    checks = load_catalogue(qc_dir)
    findings = [f for check in checks for f in run_check(store, check)]
    return QcReport(checks, findings)
