"""Issue 11: the saved dataset is sorted in runs merged from disk, and only the quads holding
blank nodes are canonicalised; the bytes are those of the plain algorithm (kept here as the
oracle: canonicalise everything, sort every line in memory)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from sarcoma_graph import dataset
from sarcoma_graph.dataset import sorted_nquads
from sarcoma_graph.plumbing import turtle
from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.plumbing.turtle import canonical_turtle
from sarcoma_graph.store import open_store
from sarcoma_graph.store.oxigraph import _statements

DATA = """
@prefix ex: <http://example.org/> .
ex:a ex:p ( ex:x ex:y [ ex:q "_: in a literal" ] ) ; ex:r _:shared ; ex:label "a\\nb", "é"@fr .
ex:b ex:r _:shared ; ex:n 7 .
_:shared ex:p _:loop . _:loop ex:p _:shared .
[] ex:p ex:a .
"""


def oracle(store) -> bytes:
    """The algorithm before issue 11."""
    data = store.dump(rdf_syntax("nquads"))
    whole = ox.Dataset(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    whole.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = sorted(set((ox.serialize(whole, format=ox.RdfFormat.N_QUADS) or b"").splitlines()))
    return b"\n".join(lines) + b"\n"


@pytest.fixture
def store():
    s = open_store()
    for n in range(40):  # enough lines for several tiny runs
        s.load_bytes(DATA.replace("ex:a ", f"ex:a{n} ").encode(), rdf_syntax("turtle"),
                     f"http://example.org/g{n % 3}")
    return s


def test_sorted_in_memory_equals_the_plain_algorithm(store):
    assert sorted_nquads(store) == oracle(store)


def test_sorted_in_runs_from_disk_equals_the_plain_algorithm(store, monkeypatch):
    monkeypatch.setattr(dataset, "RUN_BYTES", 2048)  # dozens of runs, merged from files
    assert sorted_nquads(store) == oracle(store)


def test_turtle_canonicalises_only_blank_node_triples_to_the_same_bytes(store, monkeypatch):
    quads = list(store.quads())
    ours = canonical_turtle(quads, {"ex": "http://example.org/"})

    def everything(triples):  # the plain way: every triple through RDFC-1.0
        whole = ox.Dataset(ox.Quad(s, p, o) for s, p, o in triples)
        whole.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        triples[:] = [(q.subject, q.predicate, q.object) for q in whole]
    monkeypatch.setattr(turtle, "_canonical_triples", everything)
    assert ours == canonical_turtle(quads, {"ex": "http://example.org/"})
    assert "_:c14n" in ours  # the shared blank node is labelled canonically


def test_statements_of_a_line_file_are_counted_without_parsing(tmp_path: Path):
    path = tmp_path / "x.nq"
    path.write_bytes(b"# comment\n\n<http://a> <http://b> <http://c> <http://g> .\n  \t\n"
                     b"<http://a> <http://b> \"#\" .")  # no final newline
    assert _statements(path) == 2
    store = open_store()
    assert store.load_file(path) == 2 and store.count() == 2



@pytest.mark.parametrize(("text", "expected"), [
    (b"", 0), (b"\n", 0), (b"\n\n\n", 0), (b"#a\n#b\n", 0), (b" \r# c\n\r\n", 0),
    (b"<a> <b> <c> .\n", 1), (b"\n<a> <b> <c> .", 1), (b"<a> <b> <c> .\n\n  #x\n<a> <b> <d> .\n", 2),
    (b"  <a#b> <c> \"#\" .\n# <a> <b> <c> .\n", 1),
])
def test_blank_and_comment_lines_are_not_statements(tmp_path: Path, text: bytes, expected: int):
    path = tmp_path / "x.nt"
    path.write_bytes(text)
    assert _statements(path) == expected


def _plain_quads(graph: str, text: str) -> list:
    return [ox.Quad(ox.NamedNode(f"http://example.org/s{n}"), ox.NamedNode("http://example.org/p"),
                    ox.Literal(f"{text} {n}"), ox.NamedNode(graph)) for n in range(30)]


def test_saving_after_one_graph_changed_merges_to_the_same_bytes(store, tmp_path: Path, monkeypatch):
    from sarcoma_graph.dataset import Since, load_dataset, read_manifest, save_dataset
    from sarcoma_graph.project import Project

    merged, full = Project(tmp_path, tmp_path / "a"), Project(tmp_path, tmp_path / "b")
    graph = "http://example.org/replaced"
    store.add_quads(_plain_quads(graph, "old"))
    save_dataset(store, merged, "build")
    loaded = load_dataset(merged, require="build")
    sha = read_manifest(merged).sha256
    loaded.clear(graph)
    loaded.add_quads(_plain_quads(graph, "new"))
    with monkeypatch.context() as patch:  # the merge writes it: no whole-store sort
        patch.setattr(dataset, "write_sorted_nquads", None)
        save_dataset(loaded, merged, "reason", Since(sha, graph))
    save_dataset(loaded, full, "reason")
    assert merged.dataset_path.read_bytes() == full.dataset_path.read_bytes()
    written = merged.dataset_path.read_bytes()
    assert b'"new 7"' in written and b'"old 7"' not in written
    assert read_manifest(merged) == read_manifest(full)
    # a file changed since loading is not merged from: the store is written whole
    merged.dataset_path.write_bytes(b"")
    save_dataset(loaded, merged, "reason", Since(sha, graph))
    assert merged.dataset_path.read_bytes() == full.dataset_path.read_bytes()


def test_saved_dataset_loads_as_load_file_does(tmp_path: Path):
    from sarcoma_graph.errors import RdfSyntaxError
    from sarcoma_graph.store.oxigraph import OxigraphStore

    path = tmp_path / "dataset.nq"
    path.write_bytes(b"# saved\n<http://a> <http://b> <http://c> <http://g> .\n"
                     b"<http://a> <http://b> \"x\"@en .\n"
                     # what the lenient load of a saved file must still normalise as the strict one
                     b"<http://a/\\u00e9> <http://b> \"x\"@EN-us .\n"
                     b"<http://a> <http://b> \"01\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n")
    counted, saved = OxigraphStore(), OxigraphStore()
    assert counted.load_file(path) == 4
    saved.load_saved(path)
    assert sorted(map(str, saved.quads())) == sorted(map(str, counted.quads()))
    path.write_bytes(b"<http://a> <http://b> .\n")
    with pytest.raises(RdfSyntaxError, match=r"dataset\.nq:1:"):
        OxigraphStore().load_saved(path)
