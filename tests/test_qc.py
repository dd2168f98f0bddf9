"""QC checks (``qc/*.rq``) tested as data: one fixture per check, ``tests/qc/<check>.ttl``.

A fixture is loaded with the ontology into a store and materialised, like the pipeline does;
then the check runs and must return exactly the rows listed in the fixture's header::

    # expect: <entity> <property> <value>

Tokens are CURIEs (the fixture's prefixes), ``<IRIs>``, ``"literals"`` (compared by lexical
value) or ``-`` for an unbound cell. Every check has a fixture, every fixture a check, and the
shapes' valid examples give no row for any check.
"""

from __future__ import annotations

import shlex
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
QC_DIR = ROOT / "qc"
FIXTURES = Path(__file__).resolve().parent / "qc"
CHECKS = sorted(QC_DIR.glob("*.rq"))
VALID_EXAMPLES = sorted((Path(__file__).resolve().parent / "shapes" / "valid").glob("*.ttl"))
SEVERITIES = {"error", "warning", "info"}

Row = tuple[str, str, str]


def materialised_store(*files: Path):
    from sarcoma_graph.namespaces import graph_iri
    from sarcoma_graph.reason import materialise
    from sarcoma_graph.store import open_store

    store = open_store()
    store.load_file(ROOT / "ontology" / "sarcoma-graph.ttl", graph_iri("ontology"))
    for path in files:
        store.load_file(path, graph_iri("curated"))
    materialise(store)
    return store


def run(store, check_path: Path) -> list[Row]:
    from sarcoma_graph.catalogue import load_query

    check = load_query(check_path)
    result = store.query(check.text)
    assert result.variables == ("entity", "property", "value"), check.name
    return [tuple("-" if cell is None else cell.value for cell in row) for row in result.rows]


def expected_rows(path: Path) -> list[Row]:
    prefixes = {p: str(ns) for p, ns in Graph().parse(path, format="turtle").namespaces()}

    def expand(token: str) -> str:
        if token == "-":
            return token
        if token.startswith("<") and token.endswith(">"):
            return token[1:-1]
        prefix, sep, local = token.partition(":")
        if not sep or prefix not in prefixes:
            raise ValueError(f"{path.name}: cannot expand {token!r}")
        return prefixes[prefix] + local

    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            tokens = shlex.split(line.removeprefix("# expect:"), posix=False)
            cells = [t[1:-1] if t.startswith('"') else expand(t) for t in tokens]
            assert len(cells) == 3, f"{path.name}: {line!r}"
            rows.append(tuple(cells))
    return rows


def test_there_are_checks():
    assert len(CHECKS) >= 12


@pytest.mark.parametrize("check_path", CHECKS, ids=lambda p: p.stem)
def test_check_header(check_path: Path):
    from sarcoma_graph.catalogue import load_query

    check = load_query(check_path)
    assert check.kind == "select"
    assert check.title and check.description
    assert check.metadata.get("severity") in SEVERITIES
    assert "ORDER BY" in check.text, "checks must be deterministic"


def test_every_check_has_a_fixture_and_every_fixture_a_check():
    assert {p.stem for p in CHECKS} == {p.stem for p in FIXTURES.glob("*.ttl")}


@pytest.mark.parametrize("check_path", CHECKS, ids=lambda p: p.stem)
def test_check_catches_its_fixture(check_path: Path):
    fixture = FIXTURES / f"{check_path.stem}.ttl"
    expected = expected_rows(fixture)
    assert expected, f"{fixture.name} has no '# expect:' line"
    rows = run(materialised_store(fixture), check_path)
    assert Counter(rows) == Counter(expected), f"\ngot:      {sorted(rows)}\nexpected: {sorted(expected)}"
    assert rows == run(materialised_store(fixture), check_path), "rows must come in a stable order"


@pytest.mark.parametrize("example", VALID_EXAMPLES, ids=lambda p: p.stem)
def test_valid_examples_pass_every_check(example: Path):
    store = materialised_store(Path(__file__).resolve().parent / "shapes" / "base.ttl", example)
    failures = {p.stem: rows for p in CHECKS if (rows := run(store, p))}
    assert not failures, failures


def test_curated_data_passes_the_error_checks(curated_store):
    from sarcoma_graph.qc import run_qc

    report = run_qc(curated_store, QC_DIR)
    errors = [f"{f.check}: {f.entity} {f.property} {f.value}" for f in report.errors]
    assert not errors, "\n".join(errors)
