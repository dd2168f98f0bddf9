"""The command line for people: help without ``<bool>`` on flags and with choices as
metavars, ``query --list``, ``stats -q``, ``--format json|csv`` on ``qc`` and ``validate``,
tables that keep whole IRIs, stable shape names, progress lines with elapsed time when
piped, and ``serve`` on a taken port."""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sarcoma_graph.cli import app
from sarcoma_graph.dataset import save_dataset
from sarcoma_graph.project import Project
from tests.conftest import ROOT, require

CLI = Path(sys.executable).with_name("sarcoma-graph")
runner = CliRunner()


@pytest.fixture(scope="module")
def built(curated_store, tmp_path_factory) -> list[str]:
    """``--root``/``--build-dir`` arguments for a built and reasoned copy of the graph."""
    build = tmp_path_factory.mktemp("cli-build")
    save_dataset(curated_store, Project(ROOT, build), "reason")
    return ["--root", str(ROOT), "--build-dir", str(build)]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, output piped (as in a script or CI log)."""
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", ["serve", "validate", "export", "query", "qc", "stats"])
def test_help_has_no_bool_or_list_metavars(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output and "list[" not in result.output


def test_choices_are_the_metavars():
    assert "text|turtle|json|csv" in runner.invoke(app, ["validate", "--help"],
                                                   env={"COLUMNS": "200"}).output
    serve_help = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "200"}).output
    assert "oxigraph" in serve_help and "rdflib was retired" in serve_help  # the one backend


def test_a_query_needing_an_absent_graph_says_so_and_claims_nothing(built):
    """Review r15 F4: without the CIViC graph, civic-curated-claims-without-support listed all
    46 curated claims as unsupported, with no word on the command line. Now the answer is empty
    and stderr names the missing graph; a query that needs nothing prints no such note."""
    result = run("query", "civic-curated-claims-without-support", "--format", "csv", *built)
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["statement", "label", "agent", "tumour", "disputes"]]
    note = " ".join(result.stderr.split())
    assert "needs the named graph civic, which the dataset does not hold" in note
    assert "sarcoma-graph import civic" in note
    plain = run("query", "impresarc-outcomes", "--format", "csv", *built)
    assert plain.returncode == 0 and "needs the named graph" not in plain.stderr


def test_a_query_parameter_naming_nothing_is_noted(built):
    """Review r15 F13: `-p tumour=…/histotype/asps` (a misspelt IRI) gave 0 rows and no hint."""
    iri = "https://w3id.org/sarcoma-graph/id/histotype/asps"
    result = run("query", "tumour-type-profile", "-p", f"tumour={iri}", "--format", "csv", *built)
    assert result.returncode == 0, result.stderr
    assert f"nothing in the dataset is called <{iri}>" in " ".join(result.stderr.split())
    real = run("query", "tumour-type-profile", "-p",
               "tumour=https://w3id.org/sarcoma-graph/id/histotype/chordoma", *built)
    assert real.returncode == 0 and "nothing in the dataset is called" not in real.stderr


def test_query_list_names_every_query_in_full(built):
    result = run("query", "--list", *built)
    assert result.returncode == 0, result.stderr
    names = {p.stem for p in (ROOT / "queries").glob("*.rq")}
    assert names <= set(result.stdout.split())  # whole names, none cut


def test_stats_takes_quiet(built):
    result = run("stats", "-q", *built)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and "triples:" in result.stdout


def test_piped_query_table_keeps_whole_iris(built):
    result = run("query", "agents-targeting-causal-alterations", *built)
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    as_csv = run("query", "agents-targeting-causal-alterations", "--format", "csv", *built)
    iris = {v for row in csv.reader(io.StringIO(as_csv.stdout)) for v in row
            if v.startswith("https://")}
    assert iris and all(i.rsplit("/", 1)[-1] in result.stdout for i in iris)  # none cut


def test_qc_formats_json_and_csv_with_full_iris(built):
    as_json = run("qc", "--format", "json", "-q", *built)
    findings = json.loads(as_json.stdout)
    assert findings and all(f["entity"].startswith("https://") for f in findings)
    as_csv = run("qc", "--format", "csv", "-q", *built)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["entity"] for r in rows] == [f["entity"] for f in findings]


def test_piped_qc_text_is_one_tab_separated_line_per_finding(capsys):
    from sarcoma_graph.cli.pipeline import _print_findings
    from sarcoma_graph.qc import QcFinding

    label = "two\tlines\nof label"
    findings = [
        QcFinding("duplicate-labels", "error", "https://w3id.org/sarcoma-graph/id/gene/kit",
                  "http://www.w3.org/2000/01/rdf-schema#label", label),
        QcFinding("long-quotes", "warning", "http://example.org/passage", "", "1200"),
    ]
    _print_findings(findings, ["check", "severity", "entity", "property", "value"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "check\tseverity\tentity\tproperty\tvalue"
    assert [line.split("\t") for line in lines[1:]] == [
        ["duplicate-labels", "error", "sggene:kit", "rdfs:label", "two lines of label"],
        ["long-quotes", "warning", "http://example.org/passage", "", "1200"],
    ]


def test_validate_csv_names_shapes_the_same_way_every_run(built):
    first = run("validate", "--format", "csv", "-q", *built)
    second = run("validate", "--format", "csv", "-q", *built)
    shapes = [r["shape"] for r in csv.DictReader(io.StringIO(first.stdout))]
    assert shapes and shapes == [r["shape"] for r in csv.DictReader(io.StringIO(second.stdout))]
    assert all((s.startswith("https://") and "→" in s) or s.startswith("https://") for s in shapes)


def test_piped_progress_has_plain_lines_with_elapsed_time(built):
    result = run("validate", *built)
    lines = [x for x in result.stderr.splitlines() if x.startswith("validate (SHACL)")]
    assert lines and lines[-1].startswith("validate (SHACL): done (") and lines[-1].endswith(" s)")
    assert "\x1b[" not in result.stderr  # no terminal control codes in a log


def test_serve_on_a_taken_port_says_so_once_with_a_hint(built):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), *built)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr and "serving" not in result.stderr
    assert "Traceback" not in result.stderr and "ERROR" not in result.stderr


def test_make_help_shows_the_real_address():
    require(shutil.which("make") is not None, "install make (apt-get install -y make)")
    result = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "$(" not in result.stdout
    assert "http://127.0.0.1:8000/sparql" in result.stdout


def test_machine_readable_report_is_printed_as_written(capsys):
    from sarcoma_graph.cli.pipeline import print_document

    document = '{\n  "message": "a value with :smile: and [bold]markup[/bold]\\t"\n}\n'
    print_document(document)
    assert capsys.readouterr().out == document + "\n"


def test_root_may_come_before_the_subcommand(tmp_path, monkeypatch):
    """``sarcoma-graph --root DIR normalize …`` (a newcomer's first guess; three outside
    reviewers typed it) runs on DIR like ``normalize --root DIR``; a folder that is no
    project is named."""
    from typer.testing import CliRunner

    from sarcoma_graph.cli import app

    # set (empty: unset for discover) so that teardown restores what the callback writes
    monkeypatch.setenv("SARCOMA_GRAPH_ROOT", "")
    monkeypatch.chdir(tmp_path)  # no project here or above
    root = Path(__file__).resolve().parents[1]
    checked = CliRunner().invoke(app, ["--root", str(root), "normalize", "--check"])
    assert checked.exit_code == 0, checked.output  # the project's Turtle files, all canonical
    monkeypatch.setenv("SARCOMA_GRAPH_ROOT", "")
    missing = CliRunner().invoke(app, ["--root", str(tmp_path), "normalize", "--check"])
    assert missing.exit_code == 2 and str(tmp_path) in missing.output


def test_python_dash_m_runs_the_same_commands():
    """Two r13 reviewers typed ``python -m sarcoma_graph`` first: the package had no __main__."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sarcoma_graph", "--help"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Usage: sarcoma-graph" in done.stdout and "serve" in done.stdout
