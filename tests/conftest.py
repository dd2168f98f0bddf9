"""Shared fixtures: the project root, the shared data beside it, and store factories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SARCOMA_GRAPH_SHARED", ROOT.parent / "shared"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, how_to_fix: str) -> None:
    """Skip on a user's machine when a dependency is missing; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing dependency under CI: {how_to_fix}")
    pytest.skip(how_to_fix)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared() -> Path:
    require(SHARED.is_dir(), f"../shared is missing beside the project ({SHARED}); "
            "clone the project next to its shared/ folder")
    return SHARED


@pytest.fixture(scope="session")
def curated_store(tmp_path_factory):
    """The project's own graph, built and reasoned once per run (read-only for the tests)."""
    from sarcoma_graph.build import build
    from sarcoma_graph.project import Project
    from sarcoma_graph.reason import materialise

    project = Project.discover(ROOT, build_dir=tmp_path_factory.mktemp("curated-build"))
    assert any(project.curated_dir.glob("*.ttl")), "the curated data is missing"
    store, _ = build(project)
    materialise(store)
    return store


# The real triple stores (Oxigraph server, Virtuoso, Jena TDB2): see tests/engines/__init__.py.
from tests.engines.fixtures import (  # noqa: E402, F401
    jena_release,
    oxigraph_release,
    oxigraph_server,
    release_dump,
    release_store,
    virtuoso_release,
    virtuoso_server,
)


@pytest.fixture(scope="session")
def release_dir(curated_store, tmp_path_factory) -> Path:
    """The release set (``export --release``) of the built, reasoned graph, written once."""
    from sarcoma_graph.catalogue import load_catalogue
    from sarcoma_graph.namespaces import BASE, prefix_map
    from sarcoma_graph.project import Project
    from sarcoma_graph.release import write_release
    from sarcoma_graph.sparql_examples import catalogue_quads

    project = Project.discover(ROOT, build_dir=tmp_path_factory.mktemp("release-build"))
    quads = catalogue_quads(load_catalogue(project.queries_dir), BASE + "sparql")
    target = tmp_path_factory.mktemp("release-set") / "release"
    write_release(curated_store, project, target, prefix_map(), quads)
    return target
