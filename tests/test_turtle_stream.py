"""The streamed canonical Turtle writer (``export -f turtle`` on any size) gives the same bytes
as the in-memory writer: on the curated build and on random graphs with lists, shared and
cyclic blank nodes, non-ASCII IRIs and one triple in two graphs."""

from __future__ import annotations

import io

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sarcoma_graph.plumbing.turtle import canonical_turtle
from sarcoma_graph.plumbing.turtle_stream import write_canonical_turtle
from sarcoma_graph.store import open_store
from tests.test_turtle_writer import PREFIXES, graphs_with_lists

G1, G2 = "http://example.org/g1", "http://example.org/g2"


def streamed(store, graphs: list[str], header: tuple[str, ...] = ()) -> str:
    out = io.BytesIO()
    write_canonical_turtle(store, graphs, PREFIXES, out, header)
    return out.getvalue().decode()


def in_memory(store, graphs: list[str], header: tuple[str, ...] = ()) -> str:
    return canonical_turtle([q for g in graphs for q in store.quads(g)], PREFIXES, header)


def test_curated_build_same_bytes(root):
    from sarcoma_graph.build import build
    from sarcoma_graph.namespaces import prefix_map
    from sarcoma_graph.project import Project

    store, _ = build(Project.discover(root))
    graphs = store.named_graphs()
    out = io.BytesIO()
    write_canonical_turtle(store, graphs, prefix_map(), out, ("a header",))
    expected = canonical_turtle([q for g in graphs for q in store.quads(g)], prefix_map(),
                                ("a header",))
    assert "[" in expected  # the ontology's restrictions and lists are inline blank nodes
    assert out.getvalue().decode() == expected


def test_empty_graph_and_header_only():
    store = open_store("oxigraph")
    assert streamed(store, [], ("only a header",)) == in_memory(store, [], ("only a header",))
    assert streamed(store, []) == ""


def test_non_ascii_subjects_sort_as_the_in_memory_writer_does():
    store = open_store("oxigraph")
    p = ox.NamedNode("http://example.org/ns#p")
    subjects = ["http://example.org/é", "http://example.org/z", "http://example.org/a-b",
                "http://example.org/a", "http://example.org/a>"[:-1] + "0", "http://example.org/\U0001F600"]
    store.add_quads(ox.Quad(ox.NamedNode(s), p, ox.Literal(s), ox.NamedNode(G1)) for s in subjects)
    store.add_quads([ox.Quad(ox.NamedNode(subjects[0]), p, ox.BlankNode("x"), ox.NamedNode(G2)),
                     ox.Quad(ox.BlankNode("x"), p, ox.Literal("in"), ox.NamedNode(G2))])
    assert streamed(store, [G1, G2]) == in_memory(store, [G1, G2])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs_with_lists(), st.integers(0, 3))
def test_random_graphs_same_bytes(triples, copied):
    """Triples split over two graphs, the first ``copied`` of them in both."""
    store = open_store("oxigraph")
    store.add_quads(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(G1 if i % 2 else G2))
                    for i, t in enumerate(triples))
    store.add_quads(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(G1))
                    for t in triples[:copied])
    assert streamed(store, [G1, G2], ("h",)) == in_memory(store, [G1, G2], ("h",))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs_with_lists(), st.integers(0, 3))
def test_read_from_the_saved_dataset_same_bytes(triples, copied):
    """From the saved N-Quads (canonical blank-node labels, sorted) instead of the store: only
    the graphs asked for, not a default-graph triple whose object is one of them."""
    import tempfile
    from pathlib import Path

    from sarcoma_graph.dataset import write_sorted_nquads

    store = open_store("oxigraph")
    store.add_quads(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(G1 if i % 2 else G2))
                    for i, t in enumerate(triples))
    store.add_quads(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(G1))
                    for t in triples[:copied])
    p = ox.NamedNode("http://example.org/ns#p")
    store.add_quads([ox.Quad(p, p, ox.NamedNode(G1)),
                     ox.Quad(p, p, ox.Literal("elsewhere"), ox.NamedNode("http://example.org/g3"))])
    with tempfile.TemporaryDirectory() as tmp:
        dataset = Path(tmp) / "dataset.nq"
        with dataset.open("wb") as handle:
            write_sorted_nquads(store, handle, Path(tmp))
        out = io.BytesIO()
        write_canonical_turtle(store, [G1, G2], PREFIXES, out, ("h",), dataset=dataset)
    assert out.getvalue().decode() == in_memory(store, [G1, G2], ("h",))


def test_runs_merged_and_caches_emptied_same_bytes(root, monkeypatch):
    """Every subject block its own run (merged from disk), the store's dump sorted in buckets on
    disk, the IRI and token caches emptied at every call: the bytes stay the same."""
    from sarcoma_graph.build import build
    from sarcoma_graph.namespaces import prefix_map
    from sarcoma_graph.plumbing import turtle_lines, turtle_stream
    from sarcoma_graph.project import Project

    store, _ = build(Project.discover(root))
    graphs = store.named_graphs()
    expected = canonical_turtle([q for g in graphs for q in store.quads(g)], prefix_map())
    for name, value in (("RUN_BYTES", 1), ("DUMP_RUN_BYTES", 1 << 16), ("IRI_CACHE", 1)):
        monkeypatch.setattr(turtle_stream, name, value)
    monkeypatch.setattr(turtle_lines, "TOKEN_CACHE", 1)
    out = io.BytesIO()
    write_canonical_turtle(store, graphs, prefix_map(), out)
    assert out.getvalue().decode() == expected
