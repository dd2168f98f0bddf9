"""The self-description graph in the store (VoID, SPARQL examples, prefixes): the queries SIB's
sparql-editor sends to ``/sparql`` (``tests/fixtures/sib-sparql-editor/``) return them, the
counts never include the graph itself, and ``--no-service-graph`` leaves the data alone."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx

from sarcoma_graph.catalogue import load_catalogue
from sarcoma_graph.namespaces import PROJECT_PREFIXES, W3C_PREFIXES
from tests.serve_fixtures import (
    GRAPH,
    QUERIES,
    RDF_TYPE,
    SERVICE_GRAPH,
    SG,
    count_triples,
    data_triples,
    dataset_quads,
    serving,
)

pytest_plugins = ["tests.serve_fixtures"]

EDITOR = Path(__file__).parent / "fixtures" / "sib-sparql-editor"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def editor_asks(server, name: str) -> list[dict[str, str]]:
    """One of the editor's queries, sent as the editor sends it; the rows as plain values."""
    response = httpx.get(server.sparql, params={"ac": "1", "query": (EDITOR / name).read_text()},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()}
            for row in response.json()["results"]["bindings"]]


def test_the_editor_finds_the_prefixes(server):
    prefixes = {row["prefix"]: row["namespace"] for row in editor_asks(server, "prefixes.rq")}
    assert {**W3C_PREFIXES, **PROJECT_PREFIXES}.items() <= prefixes.items()
    assert prefixes["NCIT"] == "http://purl.obolibrary.org/obo/NCIT_"  # the registry's prefixes
    assert prefixes["void-ext"] == "http://ldf.fi/void-ext#"  # what the description itself uses


def test_the_editor_finds_every_named_query_as_an_example(server, serve_project):
    rows = editor_asks(server, "examples.rq")
    catalogue = {q.name: q for q in load_catalogue(serve_project / "queries")}
    found = {row["sq"].rsplit("/", 1)[-1]: row for row in rows}
    assert set(found) == set(QUERIES) == set(catalogue)
    for name, row in found.items():
        assert row["query"] == catalogue[name].text
        assert row["comment"] == catalogue[name].description
    assert [row["sq"] for row in rows] == sorted(row["sq"] for row in rows)  # ORDER BY ?sq


def test_the_editor_finds_classes_properties_and_the_types_of_values(server):
    rows = editor_asks(server, "void.rq")
    quads = dataset_quads()
    types = {(q.subject.value, q.object.value) for q in quads if q.predicate.value == RDF_TYPE}
    statements = {s for s, k in types if k == SG + "Statement"}
    agent_links = [q for q in quads if q.predicate.value == SG + "agent"]
    scores = [q for q in quads if q.predicate.value == SG + "score"]
    object_class = {(r["subjectClass"], r["prop"], r["objectClass"]): int(r["triples"])
                    for r in rows if "objectClass" in r}
    datatype = {(r["subjectClass"], r["prop"], r["objectDatatype"]) for r in rows
                if "objectDatatype" in r}
    assert object_class[(SG + "Statement", SG + "agent", SG + "Agent")] == len(
        [q for q in agent_links if q.subject.value in statements])
    assert (SG + "Statement", SG + "score", XSD_INTEGER) in datatype and scores
    classes = {r["subjectClass"] for r in rows}
    assert classes == {k for _, k in types}  # the data's classes, not the description's


def test_void_counts_the_data_and_never_itself(server, client):
    described = count_triples(client, SERVICE_GRAPH)
    assert described > 0
    assert count_triples(client) == data_triples() + described
    partitions = ("PREFIX void: <http://rdfs.org/ns/void#> SELECT ?k ?n WHERE { GRAPH <"
                  + SERVICE_GRAPH + "> { ?cp void:class ?k ; void:entities ?n } }")
    rows = client.get("/sparql", params={"query": partitions}).json()["results"]["bindings"]
    counted = {r["k"]["value"]: int(r["n"]["value"]) for r in rows}
    expected = Counter(q.object.value for q in dataset_quads() if q.predicate.value == RDF_TYPE)
    assert counted == dict(expected)  # no sh:SPARQLExecutable, no owl:Ontology of prefixes


def test_no_service_graph_leaves_the_store_as_built(serve_project):
    with serving(serve_project, "--no-service-graph") as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        assert count_triples(http, SERVICE_GRAPH) == 0
        assert count_triples(http) == data_triples()
        assert editor_asks(server, "examples.rq") == []
        void = http.get("/.well-known/void", headers={"accept": "application/n-triples"})
        assert void.status_code == 200 and f"<{GRAPH}curated>" in void.text
        assert SERVICE_GRAPH not in void.text  # nothing says a graph is left out



def test_search_finds_entities_not_the_examples_of_the_description(client):
    hits = client.get("/search", params={"q": "Agents studied in a histotype"},
                      headers={"accept": "application/json"}).json()
    assert hits == []  # the title of a named query, in the self-description graph only
    labelled = client.get("/search", params={"q": "imatinib"},
                          headers={"accept": "application/json"}).json()
    assert labelled  # the search itself works


def test_the_named_queries_answer_the_same_with_the_self_description_graph(curated_store):
    from sarcoma_graph.namespaces import prefix_map
    from sarcoma_graph.serve.service_graph import install
    from sarcoma_graph.store import open_store
    from tests.conftest import ROOT

    def answers(store) -> dict[str, object]:
        out: dict[str, object] = {}
        for query in queries:
            result = store.query(query.text)
            if query.kind == "select":
                out[query.name] = sorted(sorted((k, str(v)) for k, v in row.items())
                                         for row in result.bindings())
            elif query.kind == "ask":
                out[query.name] = result.boolean
            else:
                out[query.name] = sorted(str(t) for t in result.triples)
        return out

    queries = load_catalogue(ROOT / "queries")
    store = open_store()  # a copy: the session's store stays read-only
    store.add_quads(curated_store.quads())
    before = answers(store)
    described = install(store, "http://127.0.0.1:1/sparql", "https://example.org/licence",
                        queries, prefix_map())
    assert described > 1000 and store.count(SERVICE_GRAPH) == described
    assert answers(store) == before  # queries/*.rq never read the self-description
