"""``SARCOMA_GRAPH_STORE_DIR``: the saved dataset kept in an on-disk (RocksDB) store."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from sarcoma_graph.dataset import (
    _STORE_MARK,
    STORE_DIR_ENV,
    load_dataset,
    save_dataset,
    unmark_store,
)
from sarcoma_graph.project import Project
from sarcoma_graph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path, monkeypatch):
    from sarcoma_graph.build import build

    proj = Project.discover(ROOT, build_dir=tmp_path / "build")
    store, _ = build(proj)
    save_dataset(store, proj, "build")
    monkeypatch.setenv(STORE_DIR_ENV, str(tmp_path / "store"))
    return proj


def test_first_load_fills_the_store_and_the_next_opens_it(project, monkeypatch):
    store = load_dataset(project, require="build")
    assert isinstance(store, OxigraphStore) and store.path is not None
    count = store.count()
    del store
    gc.collect()  # RocksDB allows one open handle per folder

    def no_reload(self, path):
        raise AssertionError("the store already holds this dataset")
    monkeypatch.setattr(OxigraphStore, "bulk_load_file", no_reload)
    again = load_dataset(project, require="build")
    assert again.count() == count
    del again
    gc.collect()  # RocksDB allows one open handle per folder
    monkeypatch.delenv(STORE_DIR_ENV)
    memory_count = load_dataset(project, require="build").count()
    assert memory_count == count


def test_a_new_dataset_refills_the_store(project, monkeypatch):
    store = load_dataset(project, require="build")
    before = store.count()
    store.clear("https://w3id.org/sarcoma-graph/graph/mappings")
    save_dataset(store, project, "build")  # saved from the store: the store is marked as holding it
    del store
    gc.collect()  # RocksDB allows one open handle per folder
    reopened = load_dataset(project, require="build")
    after = reopened.count()
    assert after < before and after == _lines(project.dataset_path)
    del reopened
    gc.collect()  # RocksDB allows one open handle per folder
    monkeypatch.delenv(STORE_DIR_ENV)
    from sarcoma_graph.build import build

    full, _ = build(project)
    save_dataset(full, project, "build")  # saved from memory: the on-disk store is now stale
    monkeypatch.setenv(STORE_DIR_ENV, str(project.build_dir.parent / "store"))
    assert load_dataset(project, require="build").count() == before == _lines(project.dataset_path)


def _lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def test_serving_an_on_disk_store_unmarks_it(project):
    """``serve`` writes its self-description graph into the store it serves: the pipeline's
    on-disk store then no longer holds only the saved dataset, and the next command refills
    it instead of validating or exporting the server's extra graph."""
    from sarcoma_graph.dataset import _STORE_MARK, store_dir
    from sarcoma_graph.serve.settings import Settings
    from sarcoma_graph.serve.state import describe

    store = load_dataset(project, require="build")
    mark = store_dir() / _STORE_MARK
    assert mark.is_file()
    assert describe(Settings(), store, (), ()) is not None
    assert not mark.is_file()
    count = store.count()
    del store
    gc.collect()  # RocksDB allows one open handle per folder
    assert load_dataset(project, require="build").count() == _lines(project.dataset_path) < count


def test_the_store_is_compacted_before_it_is_marked(project, monkeypatch):
    """Loading the dataset into the store, and saving a dataset the store holds, compact the
    store before marking it: the compaction RocksDB would otherwise do in the background is
    paid by the command that wrote, not by the next one that reads."""
    settled: list[bool] = []  # for each compaction: was the store marked already?
    mark = project.build_dir.parent / "store" / _STORE_MARK

    def settle(self):
        settled.append(mark.is_file())
    monkeypatch.setattr(OxigraphStore, "settle", settle)
    store = load_dataset(project, require="build")  # filled from the saved file
    assert settled == [False]
    unmark_store(store)  # as a stage does before it changes the store
    save_dataset(store, project, "build")  # saved from the store: marked again
    assert settled == [False, False] and mark.is_file()
