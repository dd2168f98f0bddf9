"""Stage 1, build: assemble the edited sources and imports into one dataset.

One named graph per source: the ontology, the curated data, the mappings, and each import
(``build/imports/<name>.nq``, written by ``sarcoma-graph import``). The dataset is saved as
sorted N-Quads with a manifest by :mod:`sarcoma_graph.dataset`. ``sarcoma-graph build``
(:func:`build_saved`) never loads the imports into a store: they are parsed and re-serialised
straight into the sort, with the same bytes as a store would give (:func:`build`, kept for
the commands that need the whole build in a store).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sarcoma_graph.errors import InputError
from sarcoma_graph.mappings import mapping_quads, read_sssom
from sarcoma_graph.namespaces import graph_iri
from sarcoma_graph.plumbing.rdfio import rdf_files
from sarcoma_graph.project import Project
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


def _fresh_store(backend: str) -> Store:
    from sarcoma_graph.dataset import empty_disk_store, store_dir

    folder = store_dir() if backend == "oxigraph" else None
    return open_store(backend) if folder is None else empty_disk_store(folder)


def build(project: Project, backend: str = "oxigraph", progress: Progress = _noop) -> tuple[
        Store, BuildReport]:
    """Load every source into a fresh store; nothing is written to disk here, except that with
    ``SARCOMA_GRAPH_STORE_DIR`` the store is that on-disk one, emptied first."""
    store, report = _sources(project, _fresh_store(backend), progress)
    for path in imports(project):
        progress(f"reading import {path.name}")
        store.load_file(path)
        report.files.append(path)
    report.graphs = store.graph_counts()
    return store, report


def build_saved(project: Project, backend: str = "oxigraph", progress: Progress = _noop) -> tuple[
        Path, BuildReport]:
    """:func:`build` and save the dataset (``sarcoma-graph build``), the same bytes, but only
    the edited sources go through a store (in memory: they are small); the imports, which may
    hold millions of quads, are parsed and re-serialised straight into the saved dataset's
    sort. An on-disk store (``SARCOMA_GRAPH_STORE_DIR``) is left alone: it no longer holds
    the saved dataset, so the next command that needs it fills it from the file."""
    from sarcoma_graph.dataset import read_manifest, save_dataset

    store, report = _sources(project, open_store(backend), progress)
    files = imports(project)
    for path in files:
        progress(f"reading import {path.name}")
    report.files += files
    path = save_dataset(store, project, "build", imports=files)
    manifest = read_manifest(project)
    report.graphs = dict(manifest.graphs) if manifest else {}
    return path, report


def imports(project: Project) -> list[Path]:
    """The imports (``build/imports/*.nq``, written by ``sarcoma-graph import``), sorted."""
    return sorted(project.imports_dir.glob("*.nq"))


def _sources(project: Project, store: Store, progress: Progress) -> tuple[Store, BuildReport]:
    """The edited sources (ontology, curated data, mappings) loaded into ``store``."""
    report = BuildReport()
    sources = (("ontology", project.ontology_dir), ("curated", project.curated_dir))
    for name, directory in sources:
        files = rdf_files(directory)
        if not files:  # a graph of the ontology alone would pass every later check (probe r15 M8)
            raise InputError(f"{directory}: no {name} file (.ttl) found"
                             + (" (a folder moved, or a wrong --root?)" if name == "curated" else ""))
        for path in files:
            progress(f"reading {path.relative_to(project.root)}")
            if not store.load_file(path, graph_iri(name)):
                raise InputError(f"{path}: holds no triple; an edited source is never empty "
                                 "(delete the file if its data is meant to go)")
            report.files.append(path)
    for path in sorted(project.mappings_dir.glob("*.sssom.tsv")):
        progress(f"reading {path.relative_to(project.root)}")
        store.add_quads(mapping_quads(read_sssom(path), graph_iri("mappings")))
        report.files.append(path)
    return store, report
