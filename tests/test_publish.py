"""``publish`` into real servers, then the CLI (``--store``) and ``serve --store`` in front of
them give the embedded store's answer for every named query; and on bad input (a rejected
batch, nonsense answers, an unreachable store, a wrong password, a broken file) nothing is
half-published: the graphs served before stay as they were, no staging graph is left.

The Oxigraph server here is this module's own, started *without* ``--union-default-graph``:
the union default graph comes from the store backend (the protocol's dataset), not from a
server flag.
"""

from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from sarcoma_graph.cli import app
from sarcoma_graph.store.http import StoreConfig
from sarcoma_graph.store.sparql_http import STAGING, SparqlHttpStore
from tests.engines import oxigraph
from tests.engines.answers import Answer, from_json, from_store
from tests.faulty_proxy import start_proxy
from tests.serve_fixtures import start_server
from tests.test_engine_matrix import (  # noqa: F401 (virtuoso_answers: the matrix's fixture)
    CASES,
    CATALOGUE,
    difference,
    text_of,
    virtuoso_answers,
)

pytestmark = pytest.mark.slow
runner = CliRunner()
EX = "http://example.org/publish/"
G1, G2 = EX + "g1", EX + "g2"
PASSWORD = {"SARCOMA_GRAPH_STORE_PASSWORD": "dba"}


def cli(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def own_oxigraph(tmp_path_factory):
    from tests.conftest import require

    require(oxigraph.binary() is not None, "the `oxigraph` command is missing: pip install -e '.[test]'")
    folder = tmp_path_factory.mktemp("publish-oxigraph")
    server = oxigraph.serve(folder / "db", folder / "server.log", read_only=False,
                            union_default_graph=False)
    yield server
    server.stop()


def oxigraph_target(server):
    return [server.query_url, "--update-url", server.update_url], {}


def virtuoso_target(server):
    base = f"http://127.0.0.1:{server.http_port}"
    return [f"{base}/sparql", "--update-url", f"{base}/sparql-auth", "--auth", "digest",
            "--user", "dba"], PASSWORD


@pytest.fixture(params=["oxigraph-server", "virtuoso"])
def published(request, release_dump, release_store):
    """The release published by the CLI: the store (project scope), its query URL, and the
    answer each case must give there.

    That answer is the embedded store's, except where Virtuoso loaded the README's way
    (``tests/test_engine_matrix.py``) already answers otherwise: an engine bug the matrix
    reports (e.g. Virtuoso 7.2 turns the non-ASCII "→" of a CONCAT inside GROUP_CONCAT into
    "?"); publishing and ``--store`` must then give exactly that engine's answer, no new one.
    """
    if request.param == "oxigraph-server":
        args, env = oxigraph_target(request.getfixturevalue("own_oxigraph"))
        engine = None
    else:
        engine = request.getfixturevalue("virtuoso_answers")  # the README's load, answered first
        args, env = virtuoso_target(request.getfixturevalue("virtuoso_server"))
    result = cli("publish", *args, "--from", release_dump, env=env)
    assert result.exit_code == 0, result.output
    config = StoreConfig(args[0], auth="none", scope="https://w3id.org/sarcoma-graph/graph/")
    expected = {}
    for case, (name, _) in CASES.items():
        embedded = from_store(release_store.query(text_of(case)))
        readme = engine.get(case) if engine else None
        differs = isinstance(readme, Answer) and difference(embedded, readme, CATALOGUE[name])
        expected[case] = readme if differs else embedded
    return SparqlHttpStore(config), args[0], expected


def test_publish_gives_the_release_graphs(published, release_store):
    store, _, _ = published
    assert store.named_graphs() == release_store.named_graphs()
    for graph in store.named_graphs():
        assert store.count(graph) == release_store.count(graph), graph


def test_every_named_query_agrees_through_the_store_and_the_cli(published):
    store, url, answers = published
    problems = []
    for case, (name, params) in CASES.items():
        expected = answers[case]
        through_store = from_store(store.query(text_of(case)))
        if problem := difference(expected, through_store, CATALOGUE[name]):
            problems.append(f"store {case}: {problem}")
        if params is None:
            continue
        options = [x for k, v in params.items() for x in ("--param", f"{k}={v}")]
        result = cli("query", name, *options, "--format", "json", "--store", url)
        assert result.exit_code == 0, result.output
        if problem := difference(expected, from_json(result.stdout), CATALOGUE[name]):
            problems.append(f"cli {case}: {problem}")
    assert not problems, "\n".join(problems)


def test_serve_store_gives_the_embedded_answers(published, root, tmp_path):
    _, url, answers = published
    server = start_server(root, "--store", url, "--workers", "2", build_dir=tmp_path)
    try:
        problems = []
        with httpx.Client(base_url=server.url, timeout=120) as http:
            for case, (name, params) in CASES.items():
                if params is None:
                    continue
                expected = answers[case]
                response = http.get(f"/queries/{name}", params=params,
                                    headers={"Accept": "application/sparql-results+json"})
                assert response.status_code == 200, (case, response.text)
                if problem := difference(expected, from_json(response.content), CATALOGUE[name]):
                    problems.append(f"{case}: {problem}")
            page = http.get("/id/agent/imatinib", headers={"Accept": "text/html"})
            assert page.status_code == 200 and "imatinib" in page.text
            assert "ETag" not in http.get("/queries/agents-by-target-gene").headers
            big = http.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
            assert big.status_code == 200
        assert not problems, "\n".join(problems)
    finally:
        server.stop()


def test_serve_store_applies_the_result_limit(own_oxigraph, release_dump, root, tmp_path):
    args, env = oxigraph_target(own_oxigraph)
    assert cli("publish", *args, "--from", release_dump, env=env).exit_code == 0
    server = start_server(root, "--store", own_oxigraph.query_url, "--max-results", "10",
                          "--workers", "1", build_dir=tmp_path)
    try:
        answer = httpx.get(server.url + "/sparql", params={"query": "SELECT * { ?s ?p ?o }"},
                           timeout=60)
        assert answer.status_code == 422, answer.text
    finally:
        server.stop()


# --- nothing half-published ----------------------------------------------------------------


def nquads(path, triples_by_graph):
    lines = [f"<{EX}{s}> <{EX}p> \"{o}\" <{g}> ." for g, pairs in triples_by_graph.items()
             for s, o in pairs]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def previous(own_oxigraph, tmp_path):
    """G1 and G2 published once (3 + 1 triples): what a failed publish must leave served."""
    store = SparqlHttpStore(StoreConfig(own_oxigraph.query_url, update_url=own_oxigraph.update_url,
                                        scope=EX))
    store.clear()
    first = nquads(tmp_path / "first.nq", {G1: [("a", 1), ("b", 2), ("c", 3)], G2: [("z", 9)]})
    args, _ = oxigraph_target(own_oxigraph)
    assert cli("publish", *args, "--from", first).exit_code == 0
    second = nquads(tmp_path / "second.nq", {G1: [("x", 7), ("y", 8)], G2: [("w", 6), ("v", 5)]})
    return store, second


def served(store):
    rows = store.query("SELECT ?g ?s { GRAPH ?g { ?s ?p ?o } }").rows
    return sorted((g.value.removeprefix(EX), s.value.removeprefix(EX)) for g, s in rows)


def staging_graphs(server):
    answer = httpx.post(server.query_url, data={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"},
                        headers={"Accept": "application/sparql-results+json"}, timeout=30)
    return [b["g"]["value"] for b in answer.json()["results"]["bindings"]
            if b["g"]["value"].startswith(STAGING)]


BEFORE = [("g1", "a"), ("g1", "b"), ("g1", "c"), ("g2", "z")]


def test_republish_replaces_each_graph(previous, own_oxigraph):
    store, second = previous
    assert served(store) == BEFORE
    args, _ = oxigraph_target(own_oxigraph)
    assert cli("publish", *args, "--from", second).exit_code == 0
    assert served(store) == [("g1", "x"), ("g1", "y"), ("g2", "v"), ("g2", "w")]
    assert staging_graphs(own_oxigraph) == []


def test_a_rejected_batch_publishes_nothing(previous, own_oxigraph):
    store, second = previous

    def reject_third_update(method, path, body, index):
        if path.startswith("/update") and b"INSERT DATA" in body:
            reject_third_update.writes += 1
            if reject_third_update.writes == 3:
                return 500, "text/plain", b"disk full"
        return None

    reject_third_update.writes = 0
    proxy = start_proxy(own_oxigraph.base, reject_third_update)
    try:
        result = cli("publish", f"{proxy.base}/query", "--update-url", f"{proxy.base}/update",
                     "--from", second, "--batch-size", "1")
    finally:
        proxy.stop()
    assert result.exit_code == 3, result.output
    message = " ".join(result.output.split())
    assert f"{proxy.base}/update" in message and "disk full" in message
    assert "<http://example.org/publish/g" in message and "nothing was published" in message
    assert served(store) == BEFORE
    assert staging_graphs(own_oxigraph) == []


def test_a_store_answering_nonsense_publishes_nothing(previous, own_oxigraph):
    store, second = previous

    def html_for_queries(method, path, body, index):
        if path.startswith("/query"):
            return 200, "text/html", b"<html>maintenance</html>"
        return None

    proxy = start_proxy(own_oxigraph.base, html_for_queries)
    try:
        result = cli("publish", f"{proxy.base}/query", "--update-url", f"{proxy.base}/update",
                     "--from", second)
    finally:
        proxy.stop()
    assert result.exit_code == 3, result.output
    assert "unexpected answer" in result.output and proxy.base in result.output
    assert served(store) == BEFORE
    assert staging_graphs(own_oxigraph) == []


def test_a_broken_file_publishes_nothing(previous, own_oxigraph, tmp_path):
    store, second = previous
    broken = tmp_path / "broken.nq"
    broken.write_text(second.read_text() + f"<{EX}q> <{EX}p> \"unterminated <{G1}> .\n")
    args, _ = oxigraph_target(own_oxigraph)
    result = cli("publish", *args, "--from", broken, "--batch-size", "1")
    assert result.exit_code == 2, result.output
    assert "broken.nq:5" in result.output.replace("\n", "")
    assert served(store) == BEFORE
    assert staging_graphs(own_oxigraph) == []


def test_an_unreachable_store_is_named(tmp_path):
    dump = nquads(tmp_path / "x.nq", {G1: [("a", 1)]})
    result = cli("publish", "http://127.0.0.1:9/query", "--from", dump)
    assert result.exit_code == 3
    assert "http://127.0.0.1:9/query" in result.output and "cannot reach" in result.output


def test_a_wrong_password_publishes_nothing(virtuoso_release, virtuoso_server, curated_store,
                                            release_dump):
    args, _ = virtuoso_target(virtuoso_server)
    store = SparqlHttpStore(StoreConfig(args[0], scope="https://w3id.org/sarcoma-graph/graph/"))
    before = {g: store.count(g) for g in store.named_graphs()}
    result = cli("publish", *args, "--from", release_dump,
                 env={"SARCOMA_GRAPH_STORE_PASSWORD": "not-the-password"})
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "refused user 'dba'" in message and "sparql-auth" in message
    assert {g: store.count(g) for g in store.named_graphs()} == before


def test_store_options_need_a_url_and_credentials():
    result = cli("stats", "--store", "ftp://example.org/sparql")
    assert result.exit_code == 2 and "http(s) URL" in result.output
    result = cli("publish", "http://127.0.0.1:9/q", "--auth", "digest", "--user", "u",
                 env={"SARCOMA_GRAPH_STORE_PASSWORD": ""})
    assert result.exit_code in (2, 3)  # no built dataset here, or the store is unreachable


def test_stats_and_qc_read_the_store(published, release_store):
    _, url, _ = published
    result = cli("stats", "--store", url, "--format", "json")
    assert result.exit_code == 0, result.output
    graphs = json.loads(result.stdout)["graphs"]
    assert graphs == {g: release_store.count(g) for g in release_store.named_graphs()}
    assert cli("qc", "--store", url, "--quiet").exit_code == 0


def test_export_from_the_store_is_the_published_graph(published, release_store):
    _, url, _ = published
    result = cli("export", "--store", url, "--format", "ntriples", "--graph", "curated")
    assert result.exit_code == 0, result.output
    exported = ox.Dataset(ox.parse(result.stdout_bytes, format=ox.RdfFormat.N_TRIPLES))
    assert len(exported) == release_store.count("https://w3id.org/sarcoma-graph/graph/curated")
