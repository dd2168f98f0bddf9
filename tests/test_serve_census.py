"""The one-pass VoID statistics (:mod:`sarcoma_graph.serve.census`) against the SPARQL
aggregates they replace, and the self-description graph written after start-up against the
one written before the workers were forked (as ``serve`` did until it answered first)."""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
from fastapi import FastAPI

from sarcoma_graph.namespaces import SERVICE_GRAPH, prefix_map
from sarcoma_graph.serve.settings import Settings
from sarcoma_graph.serve.state import endpoint_state
from sarcoma_graph.serve.statistics import aggregated, compute
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


def test_the_census_counts_duplicates_blank_nodes_and_the_default_graph_as_sparql():
    """A triple in two graphs counts twice (``COUNT(*)`` over the union), a class stated twice
    for one node multiplies its rows, blank nodes and literals of every kind are values."""
    kind = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    blank = ox.BlankNode("b1")
    one, two = _n("g1"), _n("g2")
    quads = [
        ox.Quad(_n("a"), kind, _n("K"), one), ox.Quad(_n("a"), kind, _n("K"), two),
        ox.Quad(_n("a"), kind, _n("L"), one), ox.Quad(_n("a"), _n("p"), blank, one),
        ox.Quad(_n("a"), _n("p"), blank, two), ox.Quad(blank, kind, _n("M"), one),
        ox.Quad(blank, _n("q"), ox.Literal("x", language="en"), one),
        ox.Quad(_n("a"), _n("q"), ox.Literal("3", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer")), two),
        ox.Quad(_n("a"), _n("r"), _n("untyped"), one),
        ox.Quad(_n("c"), _n("p"), _n("a"), ox.DefaultGraph()),  # only the union sees it
        ox.Quad(_n("c"), kind, ox.Literal("not a class"), one),
    ]
    store = open_store()
    store.add_quads(quads)
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
