"""The endpoint over the project's own build (``sarcoma-graph build`` into a temporary build
folder) and over the rdflib backend: the same protocol, the real named queries all run."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from sarcoma_graph.build import build
from sarcoma_graph.catalogue import load_catalogue
from sarcoma_graph.dataset import save_dataset
from sarcoma_graph.project import Project
from sarcoma_graph.reason import materialise
from tests.serve_fixtures import CLI, GRAPH, ID, serving, start_server

pytest_plugins = ["tests.serve_fixtures"]

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    source = Project.discover(Project.discover().root)
    project = Project(source.root, tmp_path_factory.mktemp("real-build"))
    store, _ = build(project)
    materialise(store)
    save_dataset(store, project, "reason")
    return project, store.count()


def test_serves_the_real_build(real_build):
    project, quads = real_build
    server = start_server(project.root, build_dir=project.build_dir)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            count = http.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) "
                                                         "{ GRAPH ?g { ?s ?p ?o } }"})
            assert int(count.json()["results"]["bindings"][0]["n"]["value"]) == quads
            void = rdflib.Graph().parse(data=http.get("/.well-known/void").content,
                                        format="turtle")
            assert max(int(n) for n in void.objects(None, VOID.triples)) > 1000
            queries = load_catalogue(project.queries_dir)
            listed = {q["name"] for q in http.get("/queries").json()}
            assert listed == {q.name for q in queries}
            for query in queries:
                response = http.get(f"/queries/{query.name}")
                assert response.status_code == 200, (query.name, response.text)
            page = http.get("/", headers={"accept": "text/html"})
            assert page.status_code == 200 and "yasgui.min.js" in page.text
    finally:
        server.stop()


def test_serve_without_a_build_says_how_to_make_one(tmp_path):
    import subprocess

    for name in ("ontology", "shapes"):
        (tmp_path / name).mkdir()
    result = subprocess.run([str(CLI), "serve", "--root", str(tmp_path), "--build-dir",
                             str(tmp_path / "build"), "--port", "1"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "sarcoma-graph build" in result.stderr and "Traceback" not in result.stderr


def test_enable_updates_without_a_token_is_refused(serve_project):
    import subprocess

    result = subprocess.run([str(CLI), "serve", "--root", str(serve_project), "--build-dir",
                             str(serve_project / "build"), "--enable-updates", "--port", "1"],
                            capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2 and "SARCOMA_GRAPH_UPDATE_TOKEN" in result.stderr


def test_rdflib_backend_speaks_the_same_protocol(serve_project):
    with serving(serve_project, "--backend", "rdflib", "--timeout", "3") as server, \
            httpx.Client(base_url=server.url, timeout=60) as http:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        only = http.get("/sparql", params={"query": query,
                                           "default-graph-uri": GRAPH + "mappings"})
        assert only.json()["results"]["bindings"][0]["n"]["value"] == "28"
        graph = http.get("/queries/histotype-graph", headers={"accept": "application/n-triples"})
        assert len(list(ox.parse(graph.content, format=ox.RdfFormat.N_TRIPLES))) == 16
        bad = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
        assert bad.status_code == 400 and "line 1" in bad.text
        page = http.get("/id/histotype/gist", headers={"accept": "text/html"})
        assert page.status_code == 200 and "gist" in page.text
        assert http.get("/id/nothing", headers={"accept": "text/turtle"}).status_code == 404
        slow = http.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE "
                                                    "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
        assert slow.status_code == 503
        assert http.get("/sparql", params={"query": f"ASK {{ <{ID}histotype/gist> ?p ?o }}"}
                        ).json()["boolean"] is True
