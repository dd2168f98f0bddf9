"""``export -f turtle`` of a saved dataset reads its N-Quads file instead of a loaded store:
the bytes must be those of the store-based export, for every graph, for some, and when the
file holds quads outside the named graphs (which the export leaves out)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from sarcoma_graph.dataset import sorted_nquads
from sarcoma_graph.export import export, saved_turtle
from sarcoma_graph.namespaces import graph_iri, prefix_map
from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.store import open_store


def test_the_file_gives_the_store_export_bytes(curated_store, tmp_path: Path):
    store = open_store()
    store.add_quads(curated_store.quads())
    blank = ox.BlankNode()
    store.add_quads([  # outside every named graph; a shared blank node across two graphs
        ox.Quad(ox.NamedNode("http://example.org/x"), ox.NamedNode("http://example.org/p"),
                ox.Literal("in the default graph")),
        ox.Quad(ox.NamedNode("http://example.org/x"), ox.NamedNode("http://example.org/q"), blank,
                ox.NamedNode(graph_iri("curated"))),
        ox.Quad(ox.NamedNode("http://example.org/y"), ox.NamedNode("http://example.org/q"), blank,
                ox.NamedNode(graph_iri("ontology")))])
    path = tmp_path / "dataset.nq"
    path.write_bytes(sorted_nquads(store))
    prefixes, turtle = prefix_map(), rdf_syntax("turtle")
    whole = saved_turtle(path, prefixes, None, only_named=True)
    assert whole == export(store, turtle, prefixes)
    assert b"in the default graph" not in whole
    some = [graph_iri("curated"), graph_iri("ontology")]
    assert saved_turtle(path, prefixes, some, only_named=True) == export(store, turtle, prefixes,
                                                                         some)
