"""The HTTP store's client side against a recording server on 127.0.0.1: credentials as each
auth kind sends them, the protocol's dataset lists, refusals and nonsense named as errors."""

from __future__ import annotations

import http.server
import json
import threading
from typing import ClassVar
from urllib.parse import parse_qs

import pytest

from sarcoma_graph.plumbing.scanner import dataset_iris as dataset_clause
from sarcoma_graph.plumbing.scanner import query_form
from sarcoma_graph.store.base import QueryError
from sarcoma_graph.store.http import StoreAuthFailed, StoreConfig, StoreUnavailable
from sarcoma_graph.store.sparql_http import NO_GRAPH, SparqlHttpStore, with_values

EMPTY = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": []}}).encode()


class Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, dict[str, list[str]]]]] = []
    reply: tuple[int, str, bytes] = (200, "application/sparql-results+json", EMPTY)

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
        Recorder.seen.append((self.headers.get("authorization", ""), parse_qs(body)))
        status, media, data = Recorder.reply
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server():
    Recorder.seen, Recorder.reply = [], (200, "application/sparql-results+json", EMPTY)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    httpd.shutdown()
    httpd.server_close()


def test_basic_and_bearer_credentials_are_sent(server):
    SparqlHttpStore(StoreConfig(server, auth="basic", user="u", secret="p")).query("SELECT * {}")
    SparqlHttpStore(StoreConfig(server, auth="bearer", secret="t0k")).query("SELECT * {}")
    auths = [a for a, _ in Recorder.seen]
    assert "Basic dTpw" in auths and "Bearer t0k" in auths


def test_credentials_come_from_the_environment():
    env = {"SARCOMA_GRAPH_STORE_USER": "dba", "SARCOMA_GRAPH_STORE_PASSWORD": "s3cret"}
    config = StoreConfig.from_env("http://h/sparql", env, auth="digest")
    assert (config.auth, config.user, config.secret) == ("digest", "dba", "s3cret")
    assert "s3cret" not in repr(config) and "s3cret" not in config.describe()
    assert StoreConfig.from_env("http://h/q", {"SARCOMA_GRAPH_STORE_TOKEN": "t"}).auth == "bearer"
    with pytest.raises(ValueError, match="PASSWORD"):
        StoreConfig.from_env("http://h/q", {"SARCOMA_GRAPH_STORE_USER": "u"}, auth="digest")


def test_the_union_default_graph_is_sent_as_the_protocols_dataset(server):
    store = SparqlHttpStore(StoreConfig(server, scope="http://e/"))
    store.query("SELECT * { ?s ?p ?o }")
    listing, query = Recorder.seen[-2][1], Recorder.seen[-1][1]
    assert "STRSTARTS" in listing["query"][0]
    assert query["default-graph-uri"] == [NO_GRAPH] and query["named-graph-uri"] == [NO_GRAPH]
    store.query("SELECT * FROM <http://e/g> { ?s ?p ?o }")
    assert Recorder.seen[-1][1]["default-graph-uri"] == ["http://e/g"]
    assert Recorder.seen[-1][1]["named-graph-uri"] == [NO_GRAPH]


def test_refused_credentials_are_an_input_error(server):
    Recorder.reply = (401, "text/plain", b"no")
    with pytest.raises(StoreAuthFailed) as info:
        SparqlHttpStore(StoreConfig(server, auth="basic", user="u", secret="bad")).query("ASK {}")
    assert info.value.exit_code == 2 and server in str(info.value) and "'u'" in str(info.value)


def test_nonsense_and_server_errors_name_the_server(server):
    store = SparqlHttpStore(StoreConfig(server, union="server"))
    Recorder.reply = (200, "text/html", b"<html>hello</html>")
    with pytest.raises(StoreUnavailable, match="unexpected answer"):
        store.query("SELECT * {}")
    Recorder.reply = (503, "text/plain", b"overloaded")
    with pytest.raises(StoreUnavailable, match="overloaded") as info:
        store.query("SELECT * {}")
    assert info.value.exit_code == 3 and server in str(info.value)
    Recorder.reply = (400, "text/plain", b"Virtuoso 37000 Error SP030: SPARQL compiler, line 4: x")
    with pytest.raises(QueryError) as error:
        store.query("SELECT * {}")
    assert error.value.line == 4


def test_an_unreachable_store_is_named():
    with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1:9/sparql.*cannot reach"):
        SparqlHttpStore(StoreConfig("http://127.0.0.1:9/sparql", union="server")).query("ASK {}")


def test_query_text_helpers():
    assert query_form("# ASK\nPREFIX select: <http://e/>\nCONSTRUCT { } WHERE { }") == "construct"
    assert dataset_clause('SELECT * WHERE { ?s ?p "FROM <http://x>" }') is None
    assert with_values("SELECT ?s { ?s ?p ?o }\n", {"s": __import__("pyoxigraph").Literal("a\"b")}
                       ).endswith('VALUES (?s) { ("a\\"b") }')
