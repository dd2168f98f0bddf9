"""The curated Turtle files as one rdflib graph, parsed once per test run (read-only)."""

from __future__ import annotations

from functools import cache

from rdflib import Graph

from tests.conftest import ROOT


@cache
def curated() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "data" / "curated").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph
