"""Both HTTP servers `serve` can run on (Granian, the default, and uvicorn) give the same
answers: status, body and headers apart from the date and the server's name."""

from __future__ import annotations

import subprocess
from urllib.parse import urlencode

import httpx

from tests.serve_fixtures import CLI, serving

pytest_plugins = ["tests.serve_fixtures"]

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
REQUESTS = [
    ("GET", "/sparql", {"query": COUNT}, None, {}),
    ("GET", "/sparql", {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3"}, None,
     {"accept": "application/n-triples"}),
    ("HEAD", "/sparql", {"query": COUNT}, None, {}),
    ("GET", "/sparql", {"query": "SELECT * WHERE {"}, None, {}),
    ("POST", "/sparql", {}, urlencode({"query": COUNT}),
     {"content-type": "application/x-www-form-urlencoded"}),
    ("POST", "/sparql", {}, "x", {"content-type": "text/plain"}),
    ("OPTIONS", "/sparql", {}, None, {"origin": "https://example.org",
                                      "access-control-request-method": "POST"}),
    ("GET", "/queries", {}, None, {"accept": "application/json"}),
    ("GET", "/.well-known/void", {}, None, {"accept": "text/turtle"}),
    ("GET", "/nowhere", {}, None, {}),
]


def _seen(response: httpx.Response, base: str) -> tuple[int, bytes, dict[str, str]]:
    """What must match: the server's own address (in VoID, in ETags' inputs) set aside."""
    headers = {k: v for k, v in response.headers.items()
               if k not in ("date", "server", "etag", "content-length")}
    return response.status_code, response.content.replace(base.encode(), b"BASE"), headers


def test_granian_and_uvicorn_answer_alike(serve_project):
    answers = {}
    for name in ("granian", "uvicorn"):
        with serving(serve_project, "--http-server", name) as server, \
                httpx.Client(base_url=server.url, timeout=30) as client:
            answers[name] = [_seen(client.request(method, path, params=params, content=body,
                                                  headers=headers), server.url)
                             for method, path, params, body, headers in REQUESTS]
            assert client.get("/sparql", params={"query": COUNT}).headers["server"] == \
                ("granian" if name == "granian" else "uvicorn")
    for request, granian, uvicorn in zip(REQUESTS, answers["granian"], answers["uvicorn"],
                                         strict=True):
        assert granian == uvicorn, request


def test_an_unknown_http_server_is_refused_with_the_choices(serve_project):
    done = subprocess.run([str(CLI), "serve", "--root", str(serve_project), "--http-server",
                           "gunicorn"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "granian or uvicorn" in done.stderr and "Traceback" not in done.stderr
