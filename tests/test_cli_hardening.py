"""Issue 8's CLI and data defects, one regression test each: every bad input is a message with
exit code 2 (never a traceback), no command replaces data with nothing, and identical builds
give identical bytes."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sarcoma_graph.cli import app
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[1]
CIVIC_FIXTURES = Path(__file__).parent / "fixtures" / "civic"
runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), catch_exceptions=False, env=env)


def make_project(base: Path) -> Path:
    """A copy of the project's edited sources (no build/) at ``base``."""
    for folder in ("ontology", "shapes", "queries", "qc", "data/curated", "data/mappings"):
        shutil.copytree(ROOT / folder, base / folder)
    return base


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "project")


def at(project: Path) -> tuple[str, ...]:
    return ("--root", str(project), "--build-dir", str(project / "build"))


def build(project: Path, *extra: str):
    return run("build", *at(project), "-q", *extra)


def assert_message(result, *fragments: str, code: int = 2) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    text = "".join(result.output.split())  # rich wraps and folds long lines
    for fragment in fragments:
        assert "".join(fragment.split()) in text, result.output


# --- one error boundary ----------------------------------------------------------------------

def test_every_command_has_the_error_boundary():
    import typer.main

    group = typer.main.get_group(app)
    seen = []

    def walk(command, name):
        if hasattr(command, "commands"):
            for sub, child in command.commands.items():
                walk(child, f"{name} {sub}".strip())
        else:
            seen.append(name)
            assert getattr(command.callback, "__wrapped__", None) is not None, name

    walk(group, "")
    assert {"build", "query", "export", "normalize", "import civic", "check-links"} <= set(seen)


# --- 7: build outside a project ----------------------------------------------------------------

def test_build_outside_a_project_does_not_touch_the_checkout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("SARCOMA_GRAPH_ROOT", "SARCOMA_GRAPH_BUILD"):
        monkeypatch.delenv(name, raising=False)
    manifest = ROOT / "build" / "manifest.json"
    before = manifest.read_bytes() if manifest.is_file() else None
    result = run("build", "-q")
    assert_message(result, "no sarcoma-graph project", "--root")
    assert (manifest.read_bytes() if manifest.is_file() else None) == before


# --- 8: a project under a dot-folder ----------------------------------------------------------

def test_a_project_under_a_dot_folder_builds(tmp_path):
    project = make_project(tmp_path / ".local" / "share" / "graph")
    assert build(project).exit_code == 0
    assert (project / "build" / "dataset.nq").stat().st_size > 100_000


def test_hidden_files_below_the_sources_are_still_skipped(project):
    (project / "data" / "curated" / ".draft.ttl").write_text("not turtle at all")
    assert build(project).exit_code == 0


# --- 13: tracebacks that are now messages -----------------------------------------------------

def test_a_literal_over_16_mib_is_a_message(project):
    big = project / "data" / "curated" / "big.ttl"
    big.write_text('<https://e.org/a> <https://e.org/b> "' + "x" * (16 * 1024 * 1024 + 10) + '" .\n')
    assert_message(build(project), "big.ttl", "too large")


@pytest.mark.parametrize("target", ["nowhere.sssom.tsv", "loop.sssom.tsv"])
def test_a_broken_or_looping_mapping_link_is_a_message(project, target):
    link = project / "data" / "mappings" / "loop.sssom.tsv"
    link.symlink_to(target)
    assert_message(build(project), "loop.sssom.tsv", "cannot read")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("built") / "project")
    assert build(project).exit_code == 0
    assert run("reason", *at(project), "-q").exit_code == 0
    return project


@pytest.mark.parametrize("output", ["/proc/no/such.ttl", "{tmp}", "{tmp}/a-file/x.ttl"])
def test_export_to_an_unwritable_path_is_a_message(built, tmp_path, output):
    (tmp_path / "a-file").write_text("")
    target = output.format(tmp=tmp_path)
    result = run("export", *at(built), "-o", target)
    assert_message(result, target, "cannot write")


def test_export_follows_a_link_and_writes_through_a_pipe(built, tmp_path):
    """Review r15 H2: the atomic rename replaced a symbolic link, a named pipe (its reader got
    nothing) and, as root, /dev/full by a regular file, and said it wrote there."""
    import threading

    real = tmp_path / "real.ttl"
    real.write_text("keep me until replaced")
    link = tmp_path / "link.ttl"
    link.symlink_to(real.name)
    result = run("export", *at(built), "-o", str(link), "-q")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and real.stat().st_size > 100_000
    pipe = tmp_path / "pipe.ttl"
    os.mkfifo(pipe)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()))
    reader.start()
    result = run("export", *at(built), "-o", str(pipe), "-q")
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert pipe.is_fifo() and got and got[0] == real.read_bytes()


def test_export_to_dev_stdout_appended_to_a_log_keeps_the_log(built, tmp_path):
    """Probe r16 M5: `export -o /dev/stdout >> my.log` replaced the log with the export (the
    link chain ends at the log file, which was renamed over); written through the process's
    own descriptor, it appends as the shell meant, as `-o -` does."""
    import subprocess
    import sys

    log = tmp_path / "my.log"
    log.write_text("line 1 of my log\n")
    for output in ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"):
        with log.open("ab") as appending:
            done = subprocess.run([sys.executable, "-m", "sarcoma_graph", "export", *at(built),
                                   "-f", "ntriples", "-o", output, "-q"], stdout=appending,
                                  stderr=subprocess.PIPE, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
    text = log.read_text()
    assert text.startswith("line 1 of my log\n")
    one = (len(text) - len("line 1 of my log\n")) // 3
    assert one > 1000 and text.count(text[len("line 1 of my log\n"):][:200]) == 3


def test_export_to_a_full_device_is_a_message_and_keeps_the_device(built):
    full = Path("/dev/full")
    require(full.exists(), "this test needs Linux's /dev/full (a device whose writes fail with ENOSPC)")
    result = run("export", *at(built), "-o", str(full))
    assert_message(result, "/dev/full", "cannot write")
    assert full.is_char_device()


def test_export_to_dash_writes_standard_output(built, tmp_path):
    result = subprocess.run([str(Path(sys.executable).with_name("sarcoma-graph")), "export",
                             *at(built), "-o", "-", "-f", "ntriples"], capture_output=True,
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(b"\n") > 1000 and not (tmp_path / "-").exists()


def test_export_with_an_unwritable_home(built, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o555)
    out = tmp_path / "out.ttl"
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "PYSTOW_HOME": str(home / "p")}
    result = run("export", *at(built), "-o", str(out), "-q", env=env)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 100_000


@pytest.mark.parametrize(("text", "fragment"), [
    (b"#+ title: f\nSELECT * { BIND(<urn:f>(1) AS ?x) }\n", "urn:f"),
    (b"#+ title: caf\xe9\nSELECT * {}\n", "not UTF-8"),
    (b"#+ title: f\nSELECT * {\n  ?s foo:bar ?o }\n", "q.rq:3:6: prefix 'foo:' is not declared"),
])
def test_query_file_errors_are_messages(built, tmp_path, text, fragment):
    rq = tmp_path / "q.rq"
    rq.write_bytes(text)
    assert_message(run("query", str(rq), *at(built)), fragment)


@pytest.mark.parametrize("text", ['SELECT ("a\\u0001b" AS ?x) {}',
                                  'CONSTRUCT { <urn:a> <urn:b> "a\\u0001b" } WHERE {}'])
def test_xml_that_cannot_carry_the_answer_is_a_message_and_writes_nothing(built, tmp_path, text):
    """XML 1.0 has no U+0001: the CLI says so and which formats can carry it, as the endpoint's
    406 does, instead of printing a document no XML parser reads."""
    rq = tmp_path / "q.rq"
    rq.write_text(f"#+ title: control character\n{text}\n")
    fmt = "xml" if text.startswith("SELECT") else "rdfxml"
    result = run("query", str(rq), *at(built), "--format", fmt)
    assert result.exit_code != 0 and result.stdout == ""
    assert_message(result, "U+0001", "--format")


@pytest.mark.parametrize(("turtle", "fragment"), [
    ('<https://e.org/a> <https://e.org/p> <<( <https://e.org/a> <https://e.org/b> <https://e.org/c> )>> .\n',
     "triple term"),
    ('<https://e.org/a> <https://e.org/p> "a"@en--ltr .\n', "base direction"),
])
def test_normalize_check_on_what_turtle_cannot_write_is_a_message(tmp_path, turtle, fragment):
    path = tmp_path / "x.ttl"
    path.write_text(turtle)
    assert_message(run("normalize", "--check", str(path), "--root", str(ROOT)), "x.ttl", fragment)


def test_normalize_check_on_a_shared_blank_node_names_the_file(tmp_path):
    path = tmp_path / "shared.ttl"
    path.write_text("<https://e.org/a> <https://e.org/p> _:b .\n<https://e.org/c> <https://e.org/p> _:b .\n")
    assert_message(run("normalize", "--check", str(path), "--root", str(ROOT)),
                   "not canonical", "shared.ttl", code=1)
    assert run("normalize", str(path), "--root", str(ROOT)).exit_code == 0
    assert run("normalize", "--check", str(path), "--root", str(ROOT)).exit_code == 0


# --- 14: stale temporary files ------------------------------------------------------------------

def test_stale_temp_files_of_a_killed_writer_are_removed(project):
    folder = project / "build"
    folder.mkdir()
    dead = folder / ".dataset.nq.999999999.abc123.tmp"  # no such process id
    legacy = folder / ".manifest.json.k2j4h5.tmp"  # the name an older version left
    alive = folder / f".dataset.nq.{os.getppid()}.xyz.tmp"  # a live writer's
    for path in (dead, legacy, alive):
        path.write_bytes(b"half a file")
    assert build(project).exit_code == 0
    assert not dead.exists()
    assert not legacy.exists()
    assert alive.exists()


# --- 15: identical builds, identical bytes --------------------------------------------------------

def test_identical_builds_give_identical_bytes(project):
    curated = project / "data" / "curated"
    assert any("[" in p.read_text() for p in curated.glob("*.ttl")), "no blank node to label"
    assert build(project).exit_code == 0
    first = (project / "build" / "dataset.nq").read_bytes()
    assert build(project).exit_code == 0
    assert (project / "build" / "dataset.nq").read_bytes() == first
    assert b"_:c14n" in first


# --- 18: no silent loss ----------------------------------------------------------------------

@pytest.mark.parametrize("content", ["", "# only a comment\n@prefix ex: <https://e.org/> .\n"])
def test_an_empty_curated_file_is_refused(project, content):
    (project / "data" / "curated" / "empty.ttl").write_text(content)
    assert_message(build(project), "empty.ttl", "no triple")


def test_an_unreadable_curated_file_is_refused(project):
    (project / "data" / "curated" / "gone.ttl").symlink_to("/no/such/file.ttl")
    assert_message(build(project), "gone.ttl", "cannot read")


def test_a_header_only_civic_table_keeps_the_previous_import(project, tmp_path, shared):
    reference = str(shared / "data" / "reference")
    release = tmp_path / "release"
    shutil.copytree(CIVIC_FIXTURES / "edge-release", release)
    args = ("import", "civic", str(release), "--all", "--reference", reference,
            "--root", str(project), "--build-dir", str(project / "build"), "-q")
    assert run(*args).exit_code == 0
    output = project / "build" / "imports" / "civic.nq"
    before = output.read_bytes()
    evidence = next(release.glob("*ClinicalEvidenceSummaries.tsv"))
    evidence.write_text(evidence.read_text().splitlines()[0] + "\n")
    assert_message(run(*args), evidence.name, "no row")
    assert output.read_bytes() == before


# --- 14: kill -9 at random points ------------------------------------------------------------------

KILLS = 10  # per command; seeded, so a failure replays


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from sarcoma_graph.cli import main; main()", *args]


def kill_at_random_points(command: list[str], seed: int, after_each) -> None:
    """Run ``command`` to completion once (timing it), then ``KILLS`` times killed with SIGKILL
    at a random moment of that span, calling ``after_each()`` after every kill."""
    start = time.monotonic()
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    span = time.monotonic() - start
    rng = random.Random(seed)
    for _ in range(KILLS):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, span))
        process.kill()
        process.wait(timeout=60)
        after_each()


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp"))


@pytest.mark.slow
def test_kill_during_build_leaves_a_dataset_its_manifest_vouches_for(project):
    def check() -> None:
        result = run("stats", *at(project), "--format", "json")
        if result.exit_code != 0:  # a kill between the two writes: the next command says so
            assert_message(result, "run `sarcoma-graph build")

    kill_at_random_points(cli("build", *at(project), "-q"), seed=14, after_each=check)
    assert build(project).exit_code == 0
    assert run("stats", *at(project)).exit_code == 0
    assert temp_files(project / "build") == []


@pytest.mark.slow
def test_kill_during_civic_import_leaves_the_previous_or_the_new_file(project, shared):
    args = cli("import", "civic", str(CIVIC_FIXTURES / "edge-release"), "--all", "--reference",
               str(shared / "data" / "reference"), *at(project), "-q")
    output = project / "build" / "imports" / "civic.nq"
    complete: list[bytes] = []

    def check() -> None:
        if not complete:
            complete.append(output.read_bytes())
        assert output.read_bytes() == complete[0]  # never half a file (the import is deterministic)

    kill_at_random_points(args, seed=18, after_each=check)
    subprocess.run(args, check=True, capture_output=True, timeout=300)
    assert temp_files(output.parent) == []
    assert build(project).exit_code == 0


# --- one reference-set module (issue 9.5) ------------------------------------------------------

def test_check_links_honours_the_reference_variable(built, tmp_path):
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    result = run("check-links", *at(built), "-q", env={"SARCOMA_GRAPH_REFERENCE": str(empty)})
    assert_message(result, str(empty), "reference file missing")


@pytest.mark.parametrize("command", [("check-links",),
                                     ("import", "civic", str(CIVIC_FIXTURES / "edge-release"))])
def test_a_missing_reference_folder_says_how_to_give_one(built, tmp_path, command):
    absent = tmp_path / "no-such-folder"
    result = run(*command, *at(built), "-q", env={"SARCOMA_GRAPH_REFERENCE": str(absent)})
    assert_message(result, str(absent), "no reference folder", "--reference", "SARCOMA_GRAPH_REFERENCE")


def test_a_named_query_that_does_not_parse_stops_the_catalogue(project):
    """Probe r15 M7: a broken .rq was listed, served (its route answered 400 as if the client
    were wrong) and published in the release as a SPARQL example."""
    (project / "queries" / "zz-broken.rq").write_text("#+ title: Broken\nSELECT * WHERE { ?s ?p \n")
    assert_message(run("query", "--list", *at(project)), "zz-broken.rq:2:16", "never closed")


def test_a_build_without_curated_data_stops(project):
    """Probe r15 M8: with data/curated/ gone, build, reason, validate, qc and release all
    passed and released the ontology alone."""
    shutil.rmtree(project / "data" / "curated")
    assert_message(build(project), "data/curated", "no curated file")
    (project / "data" / "curated").mkdir()
    assert_message(build(project), "no curated file")


@pytest.mark.parametrize(("args", "fragment"), [
    (("--port", "70000"), "--port"),
    (("--max-body", "-5"), "--max-body"),
    (("--host", "0.0.0.0.0", "--port", "8097"), "--host '0.0.0.0.0' is not an address"),
    (("--timeout", "nan", "--port", "8097"), "--timeout nan"),  # probe r16 L4: every query a 500
    (("--send-timeout", "inf", "--port", "8097"), "--send-timeout inf"),
])
def test_serve_options_out_of_range_are_messages(built, args, fragment):
    """Probe r15 L3/M1: --port 70000 was a traceback, --max-body -5 was accepted (every POST
    then 413), and a bad --host got advice about the port."""
    assert_message(run("serve", *at(built), *args), fragment)


def test_a_query_parameter_given_twice_is_refused(built):
    """Probe r15 L3: the second -p gene=… silently won; the HTTP route refuses the same."""
    result = run("query", "agents-by-target-gene", *at(built), "-p", "gene=sggene:ROS1",
                 "-p", "gene=sggene:ALK")
    assert_message(result, "'gene' is given more than once")


def test_a_linked_folder_in_the_data_is_read_and_a_link_loop_is_named(project, tmp_path):
    """Probe r16 M4: a symbolically linked folder in data/ was skipped without a word (a
    linked file was read)."""
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "more.ttl").write_text(
        '<https://w3id.org/sarcoma-graph/id/agent/imatinib> '
        '<http://www.w3.org/2000/01/rdf-schema#comment> "from a linked folder" .\n')
    curated = project / "data" / "curated"
    (curated / "extra").symlink_to(extra)
    assert build(project).exit_code == 0
    assert "from a linked folder" in (project / "build" / "dataset.nq").read_text()
    (extra / "back").symlink_to(curated)
    assert_message(build(project), "link loop", "curated")
