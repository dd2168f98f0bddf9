"""The README's three copy-paste queries run as written, with and without named graphs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Querying from outside"


def readme_queries() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
    return re.findall(r"```sparql\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def merged() -> Graph:
    """The curated Turtle merged into one graph, as a store loading the Turtle export would."""
    graph = Graph()
    for path in sorted((ROOT / "data" / "curated").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def rows_in_merged(graph: Graph, query: str) -> list[tuple[str, ...]]:
    return [tuple(str(v) for v in row) for row in graph.query(query)]


def rows_in_store(store, query: str) -> list[tuple[str, ...]]:
    return [tuple(t.value if t is not None else "" for t in row) for row in store.query(query).rows]


def test_there_are_three_queries():
    assert len(readme_queries()) == 3


def test_find_gist_by_abbreviation(merged, curated_store):
    query = readme_queries()[0]
    expected = [("https://w3id.org/sarcoma-graph/id/histotype/gastrointestinal-stromal-tumour",
                 "gastrointestinal stromal tumour")]
    assert rows_in_merged(merged, query) == expected
    assert rows_in_store(curated_store, query) == expected


def test_gist_agents_and_the_alterations_they_act_on(merged, curated_store):
    query = readme_queries()[1]
    # imatinib (the review's statement) targets KIT and PDGFRA (its label's targets).
    expected = [("imatinib", "KIT activating mutation",
                 "https://w3id.org/sarcoma-graph/id/statement/review-imatinib-gist"),
                ("imatinib", "PDGFRA activating mutation",
                 "https://w3id.org/sarcoma-graph/id/statement/review-imatinib-gist")]
    assert rows_in_merged(merged, query) == expected
    assert rows_in_store(curated_store, query) == expected


def test_crizotinib_targets_with_their_assertion_mode(merged, curated_store):
    query = readme_queries()[2]
    rows = rows_in_merged(merged, query)
    assert [r[0] for r in rows] == ["ALK", "MET", "MST1R", "ROS1"]
    assert {r[1].rsplit("/", 1)[-1] for r in rows} == {"DomainKnowledge"}
    assert all("prescribing information" in r[2] for r in rows)
    assert rows_in_store(curated_store, query) == rows


def test_per_kind_prefixes_make_legal_prefixed_names():
    from sarcoma_graph.namespaces import KIND_PREFIXES, PROJECT_PREFIXES, compress, expand

    iri = "https://w3id.org/sarcoma-graph/id/histotype/gastrointestinal-stromal-tumour"
    assert expand("sgh:gastrointestinal-stromal-tumour") == iri
    assert compress(iri) == "sgh:gastrointestinal-stromal-tumour"
    namespaces = list(PROJECT_PREFIXES.values())
    assert len(namespaces) == len(set(namespaces))
    assert all(re.fullmatch(r"[a-z][a-z0-9]*", prefix) for prefix in KIND_PREFIXES)
