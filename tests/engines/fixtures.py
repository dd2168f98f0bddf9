"""Session fixtures: the release dump and each engine started once, stopped by PID at the end.

``tests/conftest.py`` imports these, so any test module can ask for them by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.engines import jena, oxigraph, virtuoso
from tests.engines.answers import Endpoint
from tests.engines.oxigraph import OxigraphServer
from tests.engines.virtuoso import Virtuoso

DUMP = "sarcoma-graph.nq"
RELEASE_GRAPHS = "https://w3id.org/sarcoma-graph/"  # ld_dir's graph argument (N-Quads name theirs)


def _require(condition: bool, how_to_fix: str) -> None:
    from tests.conftest import require

    require(condition, how_to_fix)


@pytest.fixture(scope="session")
def release_store(curated_store, shared, tmp_path_factory):
    """The built, reasoned graph plus the CIViC graph imported from ``../shared`` (so that the
    ``civic-*`` queries have rows): a store of its own, read-only for the tests."""
    from sarcoma_graph.importers.civic.pipeline import import_civic
    from sarcoma_graph.project import Project
    from sarcoma_graph.store import open_store
    from tests.conftest import ROOT

    project = Project.discover(ROOT, build_dir=tmp_path_factory.mktemp("civic-build"))
    report = import_civic(project, shared / "data" / "civic-2024-08-01",
                          reference_dir=shared / "data" / "reference")
    store = open_store()
    store.add_quads(q for g in curated_store.named_graphs() for q in curated_store.quads(g))
    store.load_file(report.output)
    return store


@pytest.fixture(scope="session")
def release_dump(release_store, tmp_path_factory) -> Path:
    """A folder holding ``sarcoma-graph.nq``: the release's N-Quads of :func:`release_store`."""
    from sarcoma_graph.export import serialize_quads
    from sarcoma_graph.plumbing.formats import rdf_syntax

    folder = tmp_path_factory.mktemp("release")
    quads = [q for g in release_store.named_graphs() for q in release_store.quads(g)]
    (folder / DUMP).write_bytes(serialize_quads(quads, rdf_syntax("nquads"), {}))
    return folder


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory) -> Iterator[OxigraphServer]:
    """An empty, writable ``oxigraph serve --union-default-graph`` on 127.0.0.1."""
    _require(oxigraph.binary() is not None, "the `oxigraph` command is missing: pip install -e '.[test]'")
    folder = tmp_path_factory.mktemp("oxigraph-rw")
    server = oxigraph.serve(folder / "db", folder / "server.log", read_only=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def oxigraph_release(release_dump, tmp_path_factory) -> Iterator[Endpoint]:
    """The README's Oxigraph instructions: ``oxigraph load``, then ``serve-read-only
    --union-default-graph``; the query endpoint."""
    _require(oxigraph.binary() is not None, "the `oxigraph` command is missing: pip install -e '.[test]'")
    folder = tmp_path_factory.mktemp("oxigraph-release")
    oxigraph.load(folder / "db", release_dump / DUMP)
    server = oxigraph.serve(folder / "db", folder / "server.log", read_only=True)
    yield server.endpoint
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory) -> Iterator[Virtuoso]:
    """A private Virtuoso (``virtuoso-t``) on 127.0.0.1; ``ld_dir`` may read any test tmp folder.

    Shared by every test of the session: write only to graphs of your own.
    """
    _require(virtuoso.available(), "Virtuoso is missing: run scripts/install-test-deps.sh "
             "(Debian package virtuoso-opensource)")
    base = tmp_path_factory.getbasetemp()
    server = virtuoso.start_virtuoso(tmp_path_factory.mktemp("virtuoso"), [base])
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_release(virtuoso_server, release_dump) -> Endpoint:
    """The release loaded into :func:`virtuoso_server` the README's way; its SPARQL endpoint."""
    virtuoso_server.load(release_dump, DUMP, RELEASE_GRAPHS)
    return virtuoso_server.endpoint


@dataclass(frozen=True)
class JenaTdb2:
    """A TDB2 database loaded with ``tdb2.tdbloader``, and the class path that runs Jena."""

    classpath: str
    location: Path


@pytest.fixture(scope="session")
def jena_release(release_dump, tmp_path_factory) -> JenaTdb2:
    """The README's Jena instructions: ``tdb2.tdbloader --loc DB sarcoma-graph.nq``."""
    _require(jena.available(), "Apache Jena is missing: run scripts/install-test-deps.sh "
             "(Debian packages libapache-jena-java, default-jre-headless)")
    folder = tmp_path_factory.mktemp("jena")
    cp = jena.classpath(folder)
    jena.tdbloader(cp, folder / "db", release_dump / DUMP)
    return JenaTdb2(cp, folder / "db")
