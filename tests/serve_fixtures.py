"""Shared by the endpoint tests: a small generated project, and servers run as subprocesses
(``sarcoma-graph serve`` on 127.0.0.1, stopped by PID), plus a recording HTTP server.

The ``test_serve_*`` modules load it with ``pytest_plugins``; it holds no test itself.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from sarcoma_graph.dataset import save_dataset
from sarcoma_graph.project import Project
from sarcoma_graph.store import open_store

BASE = "https://w3id.org/sarcoma-graph/"
SG = BASE + "ontology/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_MATCH = "http://www.w3.org/2004/02/skos/core#exactMatch"
NCIT = "http://purl.obolibrary.org/obo/NCIT_"
SERVICE_GRAPH = GRAPH + "service-description"
TOKEN = "s3cret-token"
CLI = Path(sys.executable).with_name("sarcoma-graph")

HISTOTYPES = ["chordoma", "leiomyosarcoma", "liposarcoma", "synovial-sarcoma", "angiosarcoma",
              "desmoid-tumour", "gist", "ewing-sarcoma"]
GENES = ["KIT", "PDGFRA", "MDM2", "CDK4", "NTRK1", "ALK", "TP53", "RB1", "SMARCB1", "CTNNB1"]
AGENTS = ["imatinib", "sunitinib", "larotrectinib", "palbociclib", "doxorubicin", "trabectedin",
          "pazopanib", "eribulin", "tazemetostat", "sirolimus"]

QUERIES = {
    "agents-for-histotype": """#+ title: Agents studied in a histotype
#+ description: Agents with a statement about a histotype, with the number of statements.
#+ keywords: agent, histotype
#+ param: histotype | iri | The histotype | https://w3id.org/sarcoma-graph/id/histotype/gist
PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?histotype ?agent ?label (COUNT(?statement) AS ?statements) WHERE {
  ?statement sg:histotype ?histotype ; sg:agent ?agent .
  ?agent rdfs:label ?label .
} GROUP BY ?histotype ?agent ?label ORDER BY DESC(?statements) ?label
""",
    "statements-per-histotype": """#+ title: Statements per histotype
#+ description: How many statements each histotype has.
#+ keywords: statistics
PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?histotype ?label (COUNT(?s) AS ?n) WHERE {
  ?s a sg:Statement ; sg:histotype ?histotype . ?histotype rdfs:label ?label
} GROUP BY ?histotype ?label ORDER BY DESC(?n) ?label
""",
    "entity": """#+ title: One entity
#+ description: The properties of one entity.
#+ keywords: lookup
#+ param: entity | iri | The entity | https://w3id.org/sarcoma-graph/id/histotype/chordoma
SELECT ?entity ?p ?o WHERE { ?entity ?p ?o } ORDER BY ?p ?o
""",
    "histotype-graph": """#+ title: Histotypes as a graph
#+ description: Histotype labels and mappings.
#+ keywords: histotype, construct
PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?h rdfs:label ?l ; skos:exactMatch ?m } WHERE {
  ?h a sg:Histotype ; rdfs:label ?l OPTIONAL { ?h skos:exactMatch ?m } }
""",
    "has-histotype": """#+ title: Is a histotype known
#+ description: Whether the label names a histotype.
#+ keywords: ask
#+ param: label | literal | The label | chordoma
PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
ASK { ?h a sg:Histotype ; rdfs:label ?label }
""",
}


def _q(s: str, p: str, o: ox.NamedNode | ox.Literal, g: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(GRAPH + g))


def dataset_quads() -> list[ox.Quad]:
    """A few hundred quads in three named graphs, shaped like the curated graph."""
    quads = []
    for cls in ("Histotype", "Gene", "Agent", "Statement"):
        quads += [_q(SG + cls, RDF_TYPE, ox.NamedNode("http://www.w3.org/2002/07/owl#Class"),
                     "ontology"), _q(SG + cls, RDFS_LABEL, ox.Literal(cls, language="en"),
                                     "ontology")]
    for kind, names in (("histotype", HISTOTYPES), ("gene", GENES), ("agent", AGENTS)):
        for index, name in enumerate(names):
            iri = f"{ID}{kind}/{name}"
            quads += [_q(iri, RDF_TYPE, ox.NamedNode(SG + kind.capitalize()), "curated"),
                      _q(iri, RDFS_LABEL, ox.Literal(name.replace("-", " ")), "curated"),
                      _q(iri, SKOS_MATCH, ox.NamedNode(f"{NCIT}C{1000 + index}"), "mappings")]
    for index in range(60):
        st = f"{ID}statement/s{index:03d}"
        quads += [
            _q(st, RDF_TYPE, ox.NamedNode(SG + "Statement"), "curated"),
            _q(st, SG + "histotype", ox.NamedNode(ID + "histotype/" + HISTOTYPES[index % 8]),
               "curated"),
            _q(st, SG + "agent", ox.NamedNode(ID + "agent/" + AGENTS[index % 10]), "curated"),
            _q(st, SG + "gene", ox.NamedNode(ID + "gene/" + GENES[index % 7]), "curated"),
            _q(st, SG + "score", ox.Literal(str(index % 5),
               datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), "curated"),
            _q(st, RDFS_LABEL, ox.Literal(f"Statement {index} — évidence “{index}”",
                                          language="fr"), "curated"),
        ]
    return quads


def data_triples() -> int:
    """Triples of the generated dataset (the union default graph without the self-description)."""
    return len({(q.subject, q.predicate, q.object) for q in dataset_quads()})


def data_entities() -> int:
    """Distinct subjects of the generated dataset in its void:uriSpace (``ID``), as VoID
    counts entities."""
    return len({q.subject for q in dataset_quads()
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ID)})


def count_triples(client: httpx.Client, graph: str | None = None) -> int:
    """``COUNT(*)`` of the union default graph, or of one named graph, as the endpoint says."""
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    response = client.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) {{ {where} }}"},
                          headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def make_project(root: Path, quads: list[ox.Quad] | None = None) -> Path:
    """A project folder the ``serve`` command accepts, with queries and a built dataset."""
    for name in ("ontology", "shapes", "queries", "build"):
        (root / name).mkdir(parents=True, exist_ok=True)
    for name, text in QUERIES.items():
        (root / "queries" / f"{name}.rq").write_text(text, encoding="utf-8")
    store = open_store()
    store.add_quads(quads if quads is not None else dataset_quads())
    # Saved as the pipeline saves a reasoned dataset (with its manifest), which `serve` requires.
    save_dataset(store, Project(root, root / "build"), "reason")
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running ``sarcoma-graph serve`` process."""

    process: subprocess.Popen
    url: str
    log: Path
    args: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    def children(self) -> set[int]:
        """PIDs of the server's child processes (the query workers)."""
        pids: set[int] = set()
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            text = (task / "children").read_text().split()
            pids.update(int(p) for p in text)
        return pids

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        children = self.children() if self.process.poll() is None else set()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait(5)
        for pid in children:  # workers die with the server (PR_SET_PDEATHSIG); make sure
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def start_server(project: Path, *args: str, env: dict[str, str] | None = None,
                 build_dir: Path | None = None) -> Server:
    """Start ``sarcoma-graph serve --root project`` on a free port and wait until it answers."""
    port = free_port()
    build = build_dir or project / "build"
    log = build / f"server-{port}.log"
    command = [str(CLI), "serve", "--root", str(project), "--build-dir", str(build),
               "--host", "127.0.0.1", "--port",
               str(port), "--quiet", *args]
    environment = {**os.environ, **(env or {})}
    environment.pop("SARCOMA_GRAPH_ROOT", None)
    with log.open("wb") as handle:
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT,
                                   env=environment, start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", log, list(args))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.url + "/queries", timeout=2).status_code == 200 \
                    and described(server):
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not start: {log.read_text()}")


def described(server: Server) -> bool:
    """Whether the self-description graph is in (the server writes it once it answers), or is
    not to be written (``--no-service-graph``, ``--store``)."""
    if "--no-service-graph" in server.args or "--store" in server.args:
        return True
    ask = f"ASK {{ GRAPH <{SERVICE_GRAPH}> {{ ?s ?p ?o }} }}"
    answer = httpx.get(server.sparql, params={"query": ask}, timeout=5,
                       headers={"Accept": "application/sparql-results+json"})
    return answer.status_code == 200 and answer.json()["boolean"] is True


@contextlib.contextmanager
def serving(project: Path, *args: str, **kwargs: object) -> Iterator[Server]:
    server = start_server(project, *args, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


class Recorder(http.server.BaseHTTPRequestHandler):
    """Counts every request; answers an empty SPARQL JSON result (after 10 s when the request
    asks for ``stall``: a remote endpoint slower than the time limit)."""

    hits: list[str]

    def _answer(self) -> None:
        self.hits.append(f"{self.command} {self.path}")
        length = int(self.headers.get("content-length") or 0)
        sent = self.rfile.read(length) if length else b""
        if b"stall" in sent or "stall" in self.path:
            time.sleep(10)
        body = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        return None


@contextlib.contextmanager
def recording_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server on 127.0.0.1 recording the requests it gets: ``(url, hits)``."""
    hits: list[str] = []
    handler = type("Handler", (Recorder,), {"hits": hits})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def serve_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("serve-project"))


@pytest.fixture(scope="session")
def server(serve_project: Path) -> Iterator[Server]:
    """The default read-only endpoint over the generated project (one per session)."""
    with serving(serve_project) as running:
        yield running


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http
