"""Issue 11: ``sarcoma-graph build`` streams its imports into the saved dataset's sort instead of
loading them into a store. The bytes and counts must be those of the store path (kept here as
the oracle: every source and import loaded into a store, the whole dump canonicalised and
sorted in memory), in memory and in buckets from disk, and a bad import must fail cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from sarcoma_graph import dataset
from sarcoma_graph.build import build, build_saved
from sarcoma_graph.cli import app
from sarcoma_graph.errors import RdfSyntaxError
from sarcoma_graph.plumbing import forked, nqimport, nqsort
from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.project import Project

ROOT = Path(__file__).resolve().parents[1]
XSD = "http://www.w3.org/2001/XMLSchema#"
CURATED = "https://w3id.org/sarcoma-graph/graph/curated"

#: What a store changes on load: typed XSD literals in non-canonical form (equal values then
#: merge), blank-node labels (scoped to their file), duplicates, comments and spacing.
EDGE = f"""# an import written by hand
<http://e/s> <http://e/p> "01"^^<{XSD}integer> <http://e/g> .
<http://e/s> <http://e/p> "1"^^<{XSD}integer> <http://e/g> .
<http://e/s> <http://e/p> "1.0"^^<{XSD}decimal> <http://e/g> .
<http://e/s> <http://e/p> "1"^^<{XSD}boolean> <http://e/g> .
<http://e/s> <http://e/p> "1E0"^^<{XSD}double> <http://e/g> .
<http://e/s> <http://e/p> "2024-01-01T00:00:00+00:00"^^<{XSD}dateTime> .
<http://e/s> <http://e/p> "P1Y12M"^^<{XSD}duration> <http://e/g> .
<http://e/s> <http://e/p> " x "^^<{XSD}integer> <http://e/g> .
<http://e/s> <http://e/p> "07"^^<http://e/myType> <http://e/g> .
<http://e/s> <http://e/q> "a \\"^^<{XSD}integer> trap"^^<{XSD}string> <http://e/g> .
<http://e/s> <http://e/q> "b \\"^^<{XSD}integer> x"^^<{XSD}int> <http://e/g> .
<http://e/s> <http://e/p> "chat"@FR-be <http://e/g> .
<http://e/s> <http://e/p> "\\u00e9\\U0001F600\\t\\"q\\" _: <{CURATED}> ." <http://e/g> .
<http://e/s>   <http://e/p>\t"x"^^<{XSD}string>   <http://e/g>   .

<http://e/s> <http://e/p> <{CURATED}> .
<http://e/s> <http://e/p> "a b <{CURATED}>" .
<http://e/s> <http://e/p> <<( <http://e/a> <http://e/b> "02"^^<{XSD}integer> )>> <{CURATED}> .
_:a <http://e/p> _:b <http://e/g> .
_:a <http://e/p> _:b <http://e/g> .
_:a <http://e/p> "05"^^<{XSD}integer> .
<http://e/s> <http://e/p> "o" _:g .
<http://e/s> <http://e/p> "o" <http://e/g2> .
"""
#: Same blank-node labels as EDGE (other nodes: a store gives each file its own), and lines
#: the curated graph already holds.
SECOND = """_:a <http://e/p> _:b <http://e/g> .
<http://e/t> <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <http://e/g> .
"""


def oracle(store) -> bytes:
    """Sorted N-Quads as before issue 11: the whole store canonicalised and sorted in memory."""
    whole = ox.Dataset(ox.parse(store.dump(rdf_syntax("nquads")), format=ox.RdfFormat.N_QUADS))
    whole.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = sorted(set((ox.serialize(whole, format=ox.RdfFormat.N_QUADS) or b"").splitlines()))
    return b"\n".join(lines) + b"\n"


@pytest.fixture
def project(tmp_path) -> Project:
    proj = Project.discover(ROOT, build_dir=tmp_path / "build")
    proj.imports_dir.mkdir(parents=True)
    (proj.imports_dir / "a-edge.nq").write_text(EDGE, encoding="utf-8")
    (proj.imports_dir / "b-second.nq").write_text(SECOND, encoding="utf-8")
    plain = [line for line in EDGE.splitlines(keepends=True) if "_:" not in line]
    (proj.imports_dir / "c-plain.nq").write_text(_curated_lines(proj) + "".join(plain),
                                                 encoding="utf-8")  # no blank node: in pieces
    return proj


def _curated_lines(proj: Project) -> str:
    store, _ = build(proj)  # no import yet: the edited sources alone
    lines = [line for line in store.dump(rdf_syntax("nquads")).decode().splitlines()
             if "_:" not in line]
    return "".join(line + "\n" for line in lines[:200])


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize(("run_bytes", "piece_bytes"), [
    (dataset.RUN_BYTES, nqimport.PIECE_BYTES),  # each import one run, or parsed here (blank nodes)
    (dataset.RUN_BYTES, 2048),  # runs sorted by workers, merged with the lines kept in memory
    (4096, 2048),  # and the store's own lines spilled to a dump sorted into dozens of buckets
], ids=["whole", "pieces", "cut"])
def test_streamed_build_writes_the_bytes_and_counts_of_the_store_path(project, monkeypatch,
                                                                      run_bytes, piece_bytes,
                                                                      workers):
    monkeypatch.setattr(dataset, "RUN_BYTES", run_bytes)  # 4 KB: dozens of buckets
    monkeypatch.setattr(nqimport, "PIECE_BYTES", piece_bytes)  # imports parsed in 2 KB pieces
    monkeypatch.setattr(forked, "WORKERS", workers)
    pieces = nqimport._pieces(project.imports_dir / "c-plain.nq")
    assert pieces is not None and (len(pieces) > 10 if piece_bytes == 2048 else len(pieces) == 1)
    assert nqimport._pieces(project.imports_dir / "a-edge.nq") is None  # blank nodes: parsed here
    store, report = build(project)  # imports loaded into the store: the old path
    expected = oracle(store)
    path, streamed = build_saved(project)
    assert path.read_bytes() == expected
    manifest = json.loads(project.manifest_path.read_text())
    assert manifest["quads"] == store.count() == expected.count(b"\n")
    assert manifest["graphs"] == store.graph_counts() == report.graphs == streamed.graphs
    assert "http://e/g2" in manifest["graphs"] and b'"1"^^<' + XSD.encode() in expected
    assert not list(path.parent.glob(".*.tmp")) and not list(path.parent.glob(".sarcoma-graph-*"))


def test_a_bucket_merges_its_runs_and_counts_the_lines_found_twice(tmp_path):
    g1, g2 = b" <http://e/g1> .", b" <http://e/g2> ."
    runs = [[b"<http://e/a> <http://e/p> <http://e/o>" + g1, b"<http://e/c> <http://e/p> \"x\"" + g2],
            [b"<http://e/a> <http://e/p> <http://e/o>" + g1, b"<http://e/b> <http://e/p> <http://e/o> ."],
            [b"<http://e/c> <http://e/p> \"x\"" + g2]]
    files = []
    for n, run in enumerate(runs):
        files.append(tmp_path / f"run{n}.nq")
        files[-1].write_bytes(b"".join(line + b"\n" for line in run))
    out, twice = nqsort.merge_bucket((files, True, tmp_path / "merged.nq"))
    assert out is not None and out.read_bytes().splitlines() == sorted({*runs[0], *runs[1]})
    assert twice == {b"http://e/g1": 1, b"http://e/g2": 1}
    assert not any(path.exists() for path in files)
    alone = tmp_path / "alone.nq"
    alone.write_bytes(b"".join(line + b"\n" for line in runs[1]))
    assert nqsort.merge_bucket(([alone], True, tmp_path / "x.nq")) == (alone, {})  # taken as is


def test_runs_are_cut_by_the_pivots_into_buckets_in_order(tmp_path):
    chunk = b"".join(b"<http://e/s%d> <http://e/p> \"0%d\"^^<%sinteger> .\n" % (n % 7, n, XSD.encode())
                     for n in range(1, 10))
    pivots = [b"<http://e/s2>", b"<http://e/s5>"]
    files, counts = nqsort.sort_run(chunk + chunk, pivots, tmp_path / "run")
    buckets = [path.read_bytes().splitlines() if path else [] for path in files]
    assert [line for bucket in buckets for line in bucket] == oracle(_store_of(chunk)).splitlines()
    assert all(line < b"<http://e/s2>" for line in buckets[0]) and buckets[1] and buckets[2]
    assert all(b"<http://e/s2>" <= line < b"<http://e/s5>" for line in buckets[1])
    assert counts == {b"": 9}


def _store_of(data: bytes):
    from sarcoma_graph.store import open_store

    store = open_store()
    store.load_bytes(data, rdf_syntax("nquads"))
    return store


def test_an_unreadable_import_is_named_with_exit_2(project):
    (project.imports_dir / "d-folder.nq").mkdir()  # a folder where a file should be
    result = CliRunner().invoke(app, ["build", "--root", str(ROOT), "--build-dir",
                                      str(project.build_dir), "-q"])
    output = result.output.replace("\n", "")  # the console wraps long lines
    assert result.exit_code == 2 and "Traceback" not in output
    assert "d-folder.nq: cannot read" in output
    assert not project.dataset_path.exists()


@pytest.mark.parametrize("at", [0, 3, 4, 9, 500])
def test_an_import_with_a_blank_node_anywhere_is_parsed_whole(tmp_path, monkeypatch, at):
    monkeypatch.setattr(nqimport, "PIECE_BYTES", 256)
    monkeypatch.setattr(nqimport, "SCAN_BYTES", 4)  # "_:" across every block boundary
    line = b"<http://e/s> <http://e/p> <http://e/o> .\n"
    path = tmp_path / "x.nq"
    path.write_bytes(line * 20)
    assert len(nqimport._pieces(path) or []) == 3
    data = bytearray(line * 20)
    data[at:at + 2] = b"_:"
    path.write_bytes(bytes(data))
    assert nqimport._pieces(path) is None


def test_graph_counts_read_from_lines_agree_with_a_parser():
    lines = oracle(_edge_store()).splitlines()
    expected: dict[bytes, int] = {}
    for quad in ox.parse(b"\n".join(lines), format=ox.RdfFormat.N_QUADS):
        name = quad.graph_name.value.encode() if isinstance(quad.graph_name, ox.NamedNode) else b""
        expected[name] = expected.get(name, 0) + 1
    assert nqsort.graph_counts(lines) == expected and expected[b""] >= 3


def _edge_store():
    from sarcoma_graph.store import open_store

    store = open_store()
    store.load_bytes((EDGE + SECOND).encode(), rdf_syntax("nquads"))
    return store


def test_literals_in_the_stores_form_only_where_the_object_is_the_literal():
    chunk = (f'<http://e/s> <http://e/q> "a \\"^^<{XSD}integer> x"^^<{XSD}int> .\n'
             f'<http://e/s> <http://e/p> "01"^^<{XSD}integer> .\n').encode()
    spans = nqsort.literal_spans(chunk)
    assert [chunk[a:b] for a, b in spans] == [
        f'"a \\"^^<{XSD}integer> x"^^<{XSD}int>'.encode(), f'"01"^^<{XSD}integer>'.encode()]
    assert nqsort.store_literals([chunk[a:b] for a, b in spans])[chunk[spans[1][0]:spans[1][1]]] \
        == f'"1"^^<{XSD}integer>'.encode()


def test_a_malformed_import_names_file_and_line_and_leaves_the_saved_dataset(project):
    runner = CliRunner()
    args = ["build", "--root", str(ROOT), "--build-dir", str(project.build_dir), "-q"]
    assert runner.invoke(app, args).exit_code == 0
    before = project.dataset_path.read_bytes(), project.manifest_path.read_bytes()
    bad = project.imports_dir / "c-bad.nq"
    bad.write_text("<http://e/s> <http://e/p> <http://e/o> .\n<http://e/s> <http://e/p> oops .\n")
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    output = result.output.replace("\n", "")  # the console wraps long lines
    assert f"{bad}:2:27: RDF syntax error" in output and "Traceback" not in output
    assert (project.dataset_path.read_bytes(), project.manifest_path.read_bytes()) == before
    assert sorted(p.name for p in project.build_dir.iterdir()) == [
        "dataset.nq", "imports", "manifest.json"]
    with pytest.raises(RdfSyntaxError) as error:
        build_saved(project)
    assert error.value.line == 2


@pytest.mark.parametrize("piece_bytes", [256, nqimport.PIECE_BYTES], ids=["cut", "whole"])
def test_a_syntax_error_in_a_later_piece_names_its_line_in_the_whole_file(project, monkeypatch,
                                                                          piece_bytes):
    monkeypatch.setattr(nqimport, "PIECE_BYTES", piece_bytes)
    good = "<http://e/s> <http://e/p> <http://e/o> .\n"
    (project.imports_dir / "c-plain.nq").write_text(good * 40 + "<http://e/s> oops .\n" + good * 9)
    with pytest.raises(RdfSyntaxError) as error:
        build_saved(project)
    assert (Path(error.value.path).name, error.value.line, error.value.column) == ("c-plain.nq", 41, 14)
    assert not project.dataset_path.exists()
