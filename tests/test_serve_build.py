"""The endpoint over the project's own build (``sarcoma-graph build`` into a temporary build
folder): the real named queries all run. (The rdflib backend is retired: ``--store`` puts the
endpoint in front of another engine, tested in ``tests/test_publish.py``.)"""

from __future__ import annotations

import httpx
import pytest
import rdflib

from sarcoma_graph.build import build
from sarcoma_graph.catalogue import load_catalogue
from sarcoma_graph.dataset import save_dataset
from sarcoma_graph.project import Project
from sarcoma_graph.reason import materialise
from tests.serve_fixtures import CLI, SERVICE_GRAPH, start_server

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
            data = (f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s ?p ?o }} "
                    f"FILTER(?g != <{SERVICE_GRAPH}>) }}")  # the self-description is not data
            count = http.get("/sparql", params={"query": data})
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


def test_the_retired_rdflib_backend_is_named(serve_project):
    import subprocess

    result = subprocess.run([str(CLI), "serve", "--root", str(serve_project), "--backend", "rdflib"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2 and "rdflib store backend was retired" in result.stderr
