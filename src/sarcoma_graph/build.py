"""Stage 1, build: assemble the edited sources and imports into one dataset.

One named graph per source: the ontology, the curated data, the mappings, and each import
(``build/imports/<name>.nq``, written by ``sarcoma-graph import``). The dataset is saved as
sorted N-Quads, written atomically, with a manifest of counts and checksums.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sarcoma_graph import __version__
from sarcoma_graph.errors import InputError
from sarcoma_graph.formats import rdf_syntax
from sarcoma_graph.iris import graph_iri
from sarcoma_graph.mappings import mapping_quads, read_sssom
from sarcoma_graph.project import Project
from sarcoma_graph.rdfio import rdf_files, write_atomic
from sarcoma_graph.store import Store, open_store

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    """What went into the dataset: files read and quads per named graph."""

    files: list[Path] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


def _noop(_: str) -> None:
    return None


def build(project: Project, backend: str = "oxigraph", progress: Progress = _noop) -> tuple[
        Store, BuildReport]:
    """Load every source into a fresh store; nothing is written to disk here."""
    store = open_store(backend)
    report = BuildReport()
    sources = (("ontology", project.ontology_dir), ("curated", project.curated_dir))
    for name, directory in sources:
        files = rdf_files(directory)
        if name == "ontology" and not files:
            raise InputError(f"{directory}: no ontology file (.ttl) found")
        for path in files:
            progress(f"reading {path.relative_to(project.root)}")
            store.load_file(path, graph_iri(name))
            report.files.append(path)
    for path in sorted(project.mappings_dir.glob("*.sssom.tsv")):
        progress(f"reading {path.relative_to(project.root)}")
        store.add_quads(mapping_quads(read_sssom(path), graph_iri("mappings")))
        report.files.append(path)
    for path in sorted(project.imports_dir.glob("*.nq")):
        progress(f"reading import {path.name}")
        store.load_file(path)
        report.files.append(path)
    report.graphs = {g: store.count(g) for g in store.named_graphs()}
    return store, report


def sorted_nquads(store: Store) -> bytes:
    """The whole store as N-Quads, lines sorted: the same content gives the same bytes."""
    data = store.dump(rdf_syntax("nquads"))
    lines = sorted(set(data.splitlines()))
    return b"\n".join(lines) + (b"\n" if lines else b"")


def save_dataset(store: Store, project: Project, stage: str) -> Path:
    """Write the dataset and its manifest atomically; the previous ones survive a failure."""
    data = sorted_nquads(store)
    manifest = {
        "generator": f"sarcoma-graph {__version__}",
        "stage": stage,
        "sha256": hashlib.sha256(data).hexdigest(),
        "quads": store.count(),
        "graphs": {g: store.count(g) for g in store.named_graphs()},
    }
    # The dataset first, then its manifest: a manifest never describes a dataset that isn't there.
    write_atomic(project.dataset_path, data)
    write_atomic(project.manifest_path, (json.dumps(manifest, indent=2) + "\n").encode())
    return project.dataset_path


def load_dataset(project: Project, backend: str = "oxigraph") -> Store:
    """The dataset of the last ``build`` (and ``reason``), in a fresh store."""
    path = project.dataset_path
    if not path.is_file():
        raise InputError(f"{path}: no built dataset; run `sarcoma-graph build` first")
    store = open_store(backend)
    store.load_file(path)
    return store


def read_manifest(project: Project) -> dict[str, object]:
    """The manifest of the last saved dataset (empty if none)."""
    path = project.manifest_path
    return json.loads(path.read_text()) if path.is_file() else {}
