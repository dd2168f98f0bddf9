"""The Bioregistry-derived prefixes are cached per registry version; the cache never changes an
answer and never fails a command (``namespaces._registry_prefixes``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sarcoma_graph import namespaces


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "sarcoma-graph"


def test_the_cached_answer_is_the_registrys(cache_home: Path) -> None:
    first = namespaces._registry_prefixes()
    files = list(cache_home.glob("registry-prefixes-*.json"))
    assert len(files) == 1
    assert json.loads(files[0].read_text()) == first
    assert namespaces._registry_prefixes() == first == namespaces._resolve_registry_prefixes()
    assert set(first) == set(namespaces.REGISTRY_PREFIXES)


def test_a_cache_is_used_when_present(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    namespaces._registry_prefixes()

    def refuse() -> dict[str, str]:
        raise AssertionError("the registry was consulted although the cache holds the answer")

    monkeypatch.setattr(namespaces, "_resolve_registry_prefixes", refuse)
    assert namespaces._registry_prefixes()["NCIT"].startswith("http")


@pytest.mark.parametrize("content", ["{not json", "[]", '{"NCIT": "http://x/"}'])
def test_a_damaged_cache_is_recomputed(cache_home: Path, content: str) -> None:
    fresh = namespaces._resolve_registry_prefixes()
    namespaces._registry_prefixes()
    (path,) = cache_home.glob("registry-prefixes-*.json")
    path.write_text(content)
    assert namespaces._registry_prefixes() == fresh
    assert json.loads(path.read_text()) == fresh


def test_an_unwritable_cache_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where a folder should be
    assert namespaces._registry_prefixes() == namespaces._resolve_registry_prefixes()
