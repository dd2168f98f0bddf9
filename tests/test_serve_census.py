"""The one-pass VoID statistics (:mod:`sarcoma_graph.serve.census`) against the SPARQL
aggregates they replace, and the self-description graph written after start-up against the
one written before the workers were forked (as ``serve`` did until it answered first)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pyoxigraph as ox
from fastapi import FastAPI

from sarcoma_graph.namespaces import SERVICE_GRAPH, prefix_map
from sarcoma_graph.serve.census import saved_census
from sarcoma_graph.serve.settings import Settings
from sarcoma_graph.serve.state import SavedDataset, endpoint_state
from sarcoma_graph.serve.statistics import aggregated, compute, stats
from sarcoma_graph.store import open_store

EX = "http://example.org/"


def _n(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def _copy(store):
    copy = open_store()
    copy.add_quads(store.quads())
    return copy


def test_the_census_counts_the_curated_graph_as_the_aggregates_do(curated_store):
    store = _copy(curated_store)
    counted = compute(store)
    assert counted.value_classes and counted.value_datatypes  # the nested partitions are there
    assert counted == aggregated(store)


KIND = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _mixed_quads() -> list[ox.Quad]:
    """Several graphs (the default one too), classes stated twice, blank nodes, literals."""
    kind = KIND
    blank = ox.BlankNode("b1")
    one, two = _n("g1"), _n("g2")
    return [
        ox.Quad(_n("a"), kind, _n("K"), one), ox.Quad(_n("a"), kind, _n("K"), two),
        ox.Quad(_n("a"), kind, _n("L"), one), ox.Quad(_n("a"), _n("p"), blank, one),
        ox.Quad(_n("a"), _n("p"), blank, two), ox.Quad(blank, kind, _n("M"), one),
        ox.Quad(blank, _n("q"), ox.Literal("x", language="en"), one),
        ox.Quad(_n("a"), _n("q"), ox.Literal("3", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer")), two),
        ox.Quad(_n("a"), _n("r"), _n("untyped"), one),
        ox.Quad(_n("c"), _n("p"), _n("a"), ox.DefaultGraph()),  # only the union sees it
        ox.Quad(_n("c"), kind, ox.Literal("not a class"), one),
        ox.Quad(_n("d"), kind, _n("K"), two), ox.Quad(_n("d"), _n("p"), _n("a"), two),
        ox.Quad(_n("d"), _n("s"), ox.Literal("a literal naming <x> rdf:type", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#string")), one),
    ]


def test_the_census_counts_duplicates_blank_nodes_and_the_default_graph_as_sparql():
    """A triple in two graphs counts twice (``COUNT(*)`` over the union), a class stated twice
    for one node multiplies its rows, blank nodes and literals of every kind are values."""
    store = open_store()
    store.add_quads(_mixed_quads())
    counted = compute(store)
    assert counted == aggregated(store)
    assert ("http://example.org/K", "http://example.org/p", "http://example.org/M", 4) \
        in counted.value_classes  # 2 type quads of K × 2 quads of p × 1 of M
    store.add_quads([ox.Quad(_n("s"), _n("p"), _n("o"), ox.NamedNode(SERVICE_GRAPH))])
    assert compute(store) == aggregated(store)  # the description's graph left out, and the default


def test_the_graph_written_after_start_up_is_the_one_written_before(curated_store):
    from sarcoma_graph.catalogue import load_catalogue
    from sarcoma_graph.serve.state import describe
    from tests.conftest import ROOT

    queries = load_catalogue(ROOT / "queries")
    settings = Settings(workers=1, listen_url="http://127.0.0.1:1")
    before = _copy(curated_store)
    prefixes = tuple(sorted(prefix_map().items()))
    describe(settings, before, queries, prefixes)  # what serve did before forking
    after = _copy(curated_store)

    async def serve_and_wait() -> bool:
        async with endpoint_state(FastAPI(), settings, after, queries) as state:
            for _ in range(600):  # written in the background once the workers answer
                if state.described:
                    break
                await asyncio.sleep(0.1)
            return state.described

    assert asyncio.run(serve_and_wait()), "the self-description graph was not written in a minute"
    graph = SERVICE_GRAPH

    def described(store) -> set[str]:
        return {str(q) for q in store.quads(graph)}

    assert described(after) == described(before) and described(after)
    assert after.count() == before.count()


def _saved(store, path: Path) -> str:
    """Save the store as the pipeline does (sorted N-Quads); the file's SHA-256."""
    from sarcoma_graph.dataset import sorted_nquads

    data = sorted_nquads(store)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_the_saved_file_is_counted_as_the_store_it_was_loaded_into(tmp_path, curated_store):
    """Counted from the file, the statistics are those of the store's aggregates: on a graph
    with several graphs, classes and properties, and on the curated graph."""
    mixed = open_store()
    mixed.add_quads(_mixed_quads())
    for store in (mixed, _copy(curated_store)):
        path = tmp_path / "dataset.nq"
        counted = saved_census(path, _saved(store, path))
        assert counted is not None and counted.classes and counted.value_classes
        assert counted == aggregated(store) == compute(store)


def test_the_saved_census_is_wrong_when_the_file_is_not_the_store(tmp_path):
    """The comparison above can fail: one quad less in the file changes the counts; a file
    that is not the one of the checksum given is not counted at all."""
    store = open_store()
    store.add_quads(_mixed_quads())
    path = tmp_path / "dataset.nq"
    sha256 = _saved(store, path)
    fewer = open_store()
    fewer.add_quads(_mixed_quads()[1:])
    other = tmp_path / "other.nq"
    counted = saved_census(other, _saved(fewer, other))
    assert counted is not None and counted != aggregated(store)
    assert counted.triples == aggregated(store).triples - 1
    path.write_bytes(path.read_bytes() + b"<http://example.org/x> <http://example.org/p> "
                     b"<http://example.org/y> .\n")
    assert saved_census(path, sha256) is None
    assert saved_census(tmp_path / "missing.nq", sha256) is None


def test_a_saved_self_description_is_left_out_as_serve_clears_it(tmp_path):
    store = open_store()
    store.add_quads(_mixed_quads())
    store.add_quads([ox.Quad(_n("s"), KIND, _n("K"), ox.NamedNode(SERVICE_GRAPH))])
    path = tmp_path / "dataset.nq"
    sha256 = _saved(store, path)
    store.clear(SERVICE_GRAPH)
    assert saved_census(path, sha256, SERVICE_GRAPH) == aggregated(store)


def _serve(settings, store, queries, saved=None):
    async def serve_and_wait():
        async with endpoint_state(FastAPI(), settings, store, queries, saved) as state:
            for _ in range(600):  # written in the background once the workers answer
                if state.described:
                    break
                await asyncio.sleep(0.1)
            return state.described, await stats(state), state.version

    return asyncio.run(serve_and_wait())


def test_serve_counts_its_saved_file_and_knows_the_counts_after_describing(tmp_path,
                                                                          curated_store, caplog):
    """The description written from the file's counts is the one written from the store's,
    and the statistics the routes show afterwards are those of the store (not counted again:
    no worker is asked)."""
    from sarcoma_graph.catalogue import load_catalogue
    from tests.conftest import ROOT

    queries = load_catalogue(ROOT / "queries")
    settings = Settings(workers=1, listen_url="http://127.0.0.1:1")
    path = tmp_path / "dataset.nq"
    sha256 = _saved(curated_store, path)
    from_store, from_file = _copy(curated_store), _copy(curated_store)
    described, _, _ = _serve(settings, from_store, queries)
    described_too, after, version = _serve(settings, from_file, queries,
                                           SavedDataset(path, sha256))
    assert described and described_too
    graph = SERVICE_GRAPH
    assert {str(q) for q in from_file.quads(graph)} == {str(q) for q in from_store.quads(graph)}
    assert version == from_file.version and after == aggregated(from_file)
    assert "counting the store" not in caplog.text  # counted from the file indeed


def test_serve_counts_the_store_when_its_saved_file_changed(tmp_path, curated_store, caplog):
    from sarcoma_graph.catalogue import load_catalogue
    from tests.conftest import ROOT

    queries = load_catalogue(ROOT / "queries")
    settings = Settings(workers=1, listen_url="http://127.0.0.1:1")
    path = tmp_path / "dataset.nq"
    sha256 = _saved(curated_store, path)
    path.write_bytes(b"")  # rebuilt meanwhile: its counts are not the store's
    store = _copy(curated_store)
    described, after, _ = _serve(settings, store, queries, SavedDataset(path, sha256))
    assert described and after == aggregated(store)
    assert "changed since it was loaded; counting the store" in caplog.text
