"""Issue 8 (defect 14): after a kill at any point of a save, the dataset and its manifest agree
again on the next command, instead of one of them describing the other's predecessor."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from sarcoma_graph import dataset
from sarcoma_graph.dataset import check_stage, save_dataset
from sarcoma_graph.project import Project
from sarcoma_graph.store import open_store


def _store(value: str) -> object:
    store = open_store()
    store.add_quads([ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                             ox.Literal(value), ox.NamedNode("https://example.org/g"))])
    return store


class Killed(Exception):
    """Stands for the process dying at this point."""


def _kill_at(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    """Die just before ``target`` is moved into place (the manifest by ``write_atomic``, the
    dataset, streamed, by ``atomic_output``)."""
    real, real_output = dataset.write_atomic, dataset.atomic_output

    def write(path: Path, data: bytes) -> None:
        if path == target:
            raise Killed(path)
        real(path, data)

    @contextlib.contextmanager
    def output(path: Path) -> Iterator[Path]:
        with real_output(path) as tmp:
            yield tmp
            if path == target:
                raise Killed(path)

    monkeypatch.setattr(dataset, "write_atomic", write)
    monkeypatch.setattr(dataset, "atomic_output", output)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project(tmp_path, tmp_path / "build")
    save_dataset(_store("old"), project, "reason")
    return project


def test_kill_between_dataset_and_manifest_is_rolled_forward(project, monkeypatch):
    _kill_at(monkeypatch, project.manifest_path)
    with pytest.raises(Killed):
        save_dataset(_store("new"), project, "build")
    monkeypatch.undo()
    manifest = check_stage(project, "build")  # no "run again": the pending manifest is moved in
    assert manifest.stage == "build"
    on_disk = json.loads(project.manifest_path.read_text())
    assert on_disk["sha256"] == manifest.sha256
    assert b'"new"' in project.dataset_path.read_bytes()
    assert not list(project.build_dir.glob("*.pending.json"))


def test_kill_before_the_dataset_is_replaced_keeps_the_old_pair(project, monkeypatch):
    _kill_at(monkeypatch, project.dataset_path)
    with pytest.raises(Killed):
        save_dataset(_store("new"), project, "build")
    monkeypatch.undo()
    manifest = check_stage(project, "reason")
    assert manifest.stage == "reason"
    assert b'"old"' in project.dataset_path.read_bytes()
    assert not list(project.build_dir.glob("*.pending.json"))
