"""The streamed Turtle writer formats each subject from its N-Triples text
(:mod:`sarcoma_graph.plumbing.turtle_lines`) and sorts the blocks by subject IRI: its bytes must
be the whole-graph writer's for every kind of term, from the saved dataset and from a store's
dump, with the runs merged from disk, the caches emptied and the blank-node scan cut across
blocks (all made tiny), and it must refuse what Turtle 1.1 cannot write with the same error."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from sarcoma_graph.plumbing import turtle_lines, turtle_stream
from sarcoma_graph.plumbing.turtle import CanonicalTurtleError, canonical_turtle
from sarcoma_graph.plumbing.turtle_stream import write_canonical_turtle
from sarcoma_graph.store import open_store

EX, XSD = "http://example.org/ns#", "http://www.w3.org/2001/XMLSchema#"
PREFIXES = {"ex": EX, "xsd": XSD, "id": "http://example.org/id/"}
G1, G2 = "http://example.org/g1", "http://example.org/g2"


def n(local: str, ns: str = EX) -> ox.NamedNode:
    return ox.NamedNode(ns + local)


def every_kind() -> list[ox.Quad]:
    """Subjects that sort otherwise as lines than as IRIs (``a`` after ``a/b``, ``a#x``,
    ``a-1``, ``a0`` as lines), IRIs that need ``<>``, every kind of literal, blank nodes
    (inline, a list, shared, anonymous), a triple in two graphs."""
    subjects = [n(s, "http://example.org/id/") for s in ("a", "a/b", "a/b/c", "a#x", "a-1", "a0",
                                                          "a.", "b", "é", "\U0001F600")]
    literals = [ox.Literal("plain"), ox.Literal('say "hi"\nthen\tgo\\ \x00\x07\x7f end'),
                ox.Literal("long " * 400 + "\r\u2028\ufffe"), ox.Literal("été"), ox.Literal(""),
                ox.Literal("Bone", language="en"), ox.Literal("os", language="fr-BE"),
                ox.Literal("x", language="x-private"),
                *(ox.Literal(v, datatype=n(t, XSD)) for v, t in (
                    ("1", "integer"), ("-01", "integer"), ("2.50", "decimal"), ("true", "boolean"),
                    ("1e5", "double"), ("2020-01-01", "date"), ("x", "string"))),
                ox.Literal('q"\n', datatype=n("other")), ox.Literal("t", datatype=n("t", "urn:x:"))]
    iris = [n("o"), n("o/p"), ox.NamedNode("http://example.org/not-a-prefix/x"), n("with.dot."),
            n("", "http://example.org/id/"), ox.NamedNode("urn:isbn:1"), n("type", RDF)]
    quads: list[ox.Quad] = []
    for i, subject in enumerate(subjects):
        graph = ox.NamedNode(G1 if i % 2 else G2)
        quads.append(ox.Quad(subject, n("type", RDF), n("Thing"), graph))
        quads += [ox.Quad(subject, n(f"p{j % 3}"), o, graph)
                  for j, o in enumerate(literals[i:] + iris[i % 4:])]
    quads.append(ox.Quad(subjects[0], n("p0"), literals[0], ox.NamedNode(G1)))  # also in G1
    inline, shared, head, rest = (ox.BlankNode(x) for x in ("in", "sh", "l1", "l2"))
    quads += [ox.Quad(*t, ox.NamedNode(G1)) for t in [
        (subjects[1], n("has"), inline), (inline, n("q"), ox.Literal("inside")),
        (subjects[2], n("list"), head), (head, n("first", RDF), n("o")), (head, n("rest", RDF), rest),
        (rest, n("first", RDF), literals[1]), (rest, n("rest", RDF), n("nil", RDF)),
        (subjects[3], n("s"), shared), (subjects[4], n("s"), shared), (shared, n("q"), literals[5]),
        (ox.BlankNode("anon"), n("q"), subjects[0]),
        (n("only-blank", "http://example.org/id/"), n("has"), ox.BlankNode("b2")),
        (ox.BlankNode("b2"), n("q"), ox.Literal("_: not a blank node")),
        (subjects[5], n("p"), ox.Literal("_:x looks like one"))]]
    quads.append(ox.Quad(n("elsewhere"), n("p"), ox.Literal("x"), ox.NamedNode("http://example.org/g3")))
    quads.append(ox.Quad(n("default"), n("p"), ox.NamedNode(G1)))  # default graph, object G1
    return quads


RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def expected(quads: list[ox.Quad], graphs: list[str]) -> str:
    """The whole-graph writer on what a store holds of ``graphs`` (a saved dataset holds the
    store's canonical literals: ``"1e5"^^xsd:double`` is ``"100000"``)."""
    store = open_store("oxigraph")
    store.add_quads(quads)
    return canonical_turtle([q for g in graphs for q in store.quads(g)], PREFIXES, ("h",))


def streamed(quads: list[ox.Quad], graphs: list[str], tmp_path: Path, saved: bool) -> str:
    from sarcoma_graph.dataset import write_sorted_nquads

    store = open_store("oxigraph")
    store.add_quads(quads)
    dataset = None
    if saved:
        tmp_path.mkdir(exist_ok=True)
        dataset = tmp_path / "dataset.nq"
        with dataset.open("wb") as handle:
            write_sorted_nquads(store, handle, tmp_path)
    out = io.BytesIO()
    write_canonical_turtle(store, graphs, PREFIXES, out, ("h",), dataset=dataset)
    return out.getvalue().decode()


@pytest.fixture(params=["default sizes", "tiny sizes"])
def sizes(request, monkeypatch) -> str:
    if request.param == "tiny sizes":  # a run a block, caches emptied at every call
        monkeypatch.setattr(turtle_stream, "RUN_BYTES", 1)
        monkeypatch.setattr(turtle_stream, "IRI_CACHE", 1)
        monkeypatch.setattr(turtle_lines, "TOKEN_CACHE", 1)
    return request.param


@pytest.mark.parametrize("saved", [True, False], ids=["saved dataset", "store dump"])
def test_every_kind_of_term_same_bytes(tmp_path: Path, sizes: str, saved: bool):
    quads = every_kind()
    text = streamed(quads, [G1, G2], tmp_path, saved)
    assert text == expected(quads, [G1, G2])
    assert "<http://example.org/not-a-prefix/x>" in text and "( ex:o " in text  # <> and a list
    assert '"say \\"hi\\"\\nthen\\tgo\\\\ \\u0000\\u0007\\u007F end"' in text
    assert streamed(quads, [G2], tmp_path / "2", saved) == expected(quads, [G2])


@pytest.mark.parametrize("saved", [True, False], ids=["saved dataset", "store dump"])
@pytest.mark.parametrize("bad", [
    ox.Literal("x", language="en", direction=ox.BaseDirection.LTR),
    ox.Triple(n("a"), n("b"), n("c"))], ids=["base direction", "triple term"])
def test_what_turtle_cannot_write_is_refused_as_by_the_writer(tmp_path: Path, saved: bool, bad):
    quads = [ox.Quad(n("s"), n("p"), ox.Literal("fine"), ox.NamedNode(G1)),
             ox.Quad(n("s"), n("q"), bad, ox.NamedNode(G1))]
    with pytest.raises(CanonicalTurtleError) as whole:
        expected(quads, [G1])
    with pytest.raises(CanonicalTurtleError) as lines:
        streamed(quads, [G1], tmp_path, saved)
    assert str(lines.value) == str(whole.value)


def test_unsorted_lines_are_an_error_not_a_wrong_file(tmp_path: Path):
    dataset = tmp_path / "dataset.nq"
    dataset.write_bytes(b"".join(f"<{EX}{s}> <{EX}p> \"{i}\" <{G1}> .\n".encode()
                                 for i, s in enumerate("aba")))
    with pytest.raises(ValueError, match="not sorted"):
        write_canonical_turtle(None, [G1], PREFIXES, io.BytesIO(), dataset=dataset)


@pytest.fixture(scope="module")
def reasoned(tmp_path_factory, root) -> Path:
    from typer.testing import CliRunner

    from sarcoma_graph.cli import app

    build_dir = tmp_path_factory.mktemp("build")
    for stage in ("build", "reason"):
        result = CliRunner().invoke(app, [stage, "--root", str(root), "--build-dir", str(build_dir),
                                          "-q"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return build_dir


@pytest.mark.parametrize("graphs", [[], ["curated", "ontology"]], ids=["every graph", "two graphs"])
@pytest.mark.parametrize("disk", [False, True], ids=["in memory", "on disk"])
def test_cli_export_from_the_saved_file_is_the_store_export(reasoned, root, tmp_path, monkeypatch,
                                                            graphs, disk):
    """``export -f turtle`` reads the saved dataset's file whatever the store mode: the bytes
    of the whole-graph writer on the loaded store, for every graph and for some."""
    from typer.testing import CliRunner

    from sarcoma_graph.cli import app
    from sarcoma_graph.export import export
    from sarcoma_graph.namespaces import graph_iri, prefix_map
    from sarcoma_graph.plumbing.formats import rdf_syntax

    store = open_store("oxigraph")
    store.add_quads(ox.parse(path=str(reasoned / "dataset.nq"), format=ox.RdfFormat.N_QUADS))
    want = export(store, rdf_syntax("turtle"), prefix_map(), [graph_iri(g) for g in graphs] or None)
    if disk:
        monkeypatch.setenv("SARCOMA_GRAPH_STORE_DIR", str(tmp_path / "store"))
    out = tmp_path / "out.ttl"
    args = ["export", "-f", "turtle", "-o", str(out), "-q", "--root", str(root),
            "--build-dir", str(reasoned), *(a for g in graphs for a in ("--graph", g))]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == want
    unknown = CliRunner().invoke(app, [*args, "--graph", "nope"])
    assert unknown.exit_code == 2 and "no graph" in unknown.output


@pytest.mark.parametrize(("locals_", "merged"), [
    (["s1", "s2", "s3", "t"], False),  # line order is IRI order: the runs are copied
    (["s/1", "s/2", "s", "t"], True),  # <s> sorts after <s/2> as a line: the runs are merged
], ids=["copied", "merged"])
def test_runs_copied_or_merged_same_bytes(tmp_path: Path, monkeypatch, locals_, merged):
    from sarcoma_graph.plumbing import block_runs

    calls = []
    original = block_runs.SortedBlocks._merged
    monkeypatch.setattr(block_runs.SortedBlocks, "_merged",
                        lambda self: calls.append(1) or original(self))
    monkeypatch.setattr(turtle_stream, "RUN_BYTES", 1)
    quads = [ox.Quad(n(s, "http://example.org/id/"), n("p"), ox.Literal(s), ox.NamedNode(G1))
             for s in locals_]
    assert streamed(quads, [G1], tmp_path, saved=True) == expected(quads, [G1])
    assert bool(calls) is merged
    assert streamed(quads, [G1], tmp_path / "dump", saved=False) == expected(quads, [G1])


@pytest.mark.parametrize("saved", [True, False], ids=["saved dataset", "store dump"])
@pytest.mark.parametrize("subject", [ox.NamedNode("urn:x:a"), ox.BlankNode("b")], ids=["IRI", "blank"])
def test_no_header_and_no_prefix_starts_with_the_first_block(tmp_path: Path, sizes: str,
                                                             saved: bool, subject):
    from sarcoma_graph.dataset import write_sorted_nquads

    quads = [ox.Quad(subject, ox.NamedNode("urn:x:p"), ox.Literal("x"), ox.NamedNode(G1)),
             ox.Quad(ox.NamedNode("urn:x:z"), ox.NamedNode("urn:x:p"), ox.Literal("y"), ox.NamedNode(G1))]
    store = open_store("oxigraph")
    store.add_quads(quads)
    dataset = None
    if saved:
        dataset = tmp_path / "dataset.nq"
        with dataset.open("wb") as handle:
            write_sorted_nquads(store, handle, tmp_path)
    out = io.BytesIO()
    write_canonical_turtle(store, [G1], PREFIXES, out, dataset=dataset)
    want = canonical_turtle(list(store.quads(G1)), PREFIXES)
    assert out.getvalue().decode() == want
    assert want.startswith(("<urn:x:a>\n", "<urn:x:z>\n")) and want.endswith(" .\n")
