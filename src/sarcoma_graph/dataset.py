"""The hand-off between pipeline stages: the saved dataset and its typed manifest.

``build`` writes ``build/dataset.nq`` (sorted N-Quads) and ``build/manifest.json``; ``reason``
rewrites both with the inferences added. Every later command states the stage it needs
(:func:`load_dataset` ``require=``) and gets a message saying which command to run when the
saved dataset is older than that, missing, or does not match its manifest (a write that was
interrupted between the two files).

>>> Manifest.from_json({"generator": "g", "stage": "reason", "sha256": "0", "quads": 1,
...                     "graphs": {}}).reached("build")
True
"""

from __future__ import annotations

import bisect
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal, get_args

import pyoxigraph as ox

from sarcoma_graph import __version__
from sarcoma_graph.errors import InputError
from sarcoma_graph.plumbing.memory import without_gc
from sarcoma_graph.plumbing.nqimport import serialise_imports
from sarcoma_graph.plumbing.nqsort import LineSorter, Written
from sarcoma_graph.plumbing.rdfio import atomic_output, write_atomic
from sarcoma_graph.project import Project
from sarcoma_graph.store import Store, open_store

#: The stages that save a dataset, in pipeline order.
Stage = Literal["build", "reason"]
STAGES: tuple[Stage, ...] = get_args(Stage)


class StageMissing(InputError):
    """The saved dataset has not reached the stage a command needs."""


@dataclass(frozen=True)
class Manifest:
    """What ``build/manifest.json`` says of the saved dataset."""

    stage: Stage
    sha256: str
    quads: int
    graphs: dict[str, int] = field(default_factory=dict)
    generator: str = f"sarcoma-graph {__version__}"

    @classmethod
    def from_json(cls, data: object) -> Manifest:
        """Read a parsed manifest; raise ``ValueError`` if it is not one."""
        if not isinstance(data, dict) or data.get("stage") not in STAGES:
            raise ValueError("not a sarcoma-graph manifest (no known 'stage')")
        graphs = data.get("graphs", {})
        return cls(stage=data["stage"], sha256=str(data.get("sha256", "")),
                   quads=int(data.get("quads", 0)),
                   graphs={str(k): int(v) for k, v in graphs.items()},
                   generator=str(data.get("generator", "")))

    def reached(self, stage: Stage) -> bool:
        """Whether the dataset has gone through ``stage`` (``reason`` implies ``build``)."""
        return STAGES.index(self.stage) >= STAGES.index(stage)


#: Bytes of N-Quads sorted in memory at once; a larger dump is sorted in runs and cut into
#: buckets (:mod:`sarcoma_graph.plumbing.nqsort`).
RUN_BYTES = 512 << 20


def sorted_nquads(store: Store) -> bytes:
    """The whole store as N-Quads, lines sorted, blank nodes with their RDFC-1.0 canonical
    labels: the same content gives the same bytes."""
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="sarcoma-graph-sort-") as tmp:
        write_sorted_nquads(store, out, Path(tmp))
    return out.getvalue()


@without_gc
def write_sorted_nquads(store: Store, out: BinaryIO, tmp: Path,
                        imports: Sequence[Path] = ()) -> Written:
    """Write :func:`sorted_nquads` of the store and the N-Quads ``imports`` to ``out`` with
    bounded memory (scratch files in ``tmp``); returns its checksum and counts.

    The imports are parsed and re-serialised straight into the sort, never loaded into a
    store; the bytes are those of loading them into the store first (each import's blank
    nodes its own, typed literals in the store's form, each quad once)."""
    sorter = LineSorter(tmp, RUN_BYTES)
    store.write_nquads(sorter)  # type: ignore[arg-type]
    serialise_imports(imports, sorter, tmp)
    return sorter.write_sorted(out)


@without_gc
def _write_replacing(store: Store, saved: Path, since: Since, out: BinaryIO) -> str | None:
    """The saved dataset's lines outside ``since.graph`` merged with that graph's lines from the
    store; ``None`` (nothing usable written) if the file is no longer what was loaded or the
    graph holds blank nodes (which need canonical labels over the whole dataset).

    Block by block (16 MB of lines): the graph's lines that sort before a block's last line
    join the block, and one sort (two sorted runs: a linear merge, in C) puts them in place.
    No line is in both (the file's lines of the graph go, and every other line is outside it)."""
    fresh = (ox.serialize(store.quads(since.graph), format=ox.RdfFormat.N_QUADS) or b"")
    if b"_:" in fresh:
        return None
    graph_lines = sorted(fresh.splitlines(keepends=True))
    del fresh
    suffix = f" {ox.NamedNode(since.graph)} .\n".encode()
    read, written = hashlib.sha256(), hashlib.sha256()
    taken = 0
    with saved.open("rb") as handle:
        for block in iter(lambda: handle.readlines(1 << 24), []):
            if not block[-1].endswith(b"\n"):
                return None  # a last line without its end: not a file we saved
            data = b"".join(block)
            read.update(data)
            try:
                kept = _outside(block, suffix, since.graph) if suffix in data else block
            except _NotMergeable:
                return None
            upto = bisect.bisect_right(graph_lines, block[-1], taken)
            if upto > taken:
                kept = sorted(kept + graph_lines[taken:upto])
                taken = upto
            data = b"".join(kept)
            written.update(data)
            out.write(data)
    data = b"".join(graph_lines[taken:])
    written.update(data)
    out.write(data)
    return written.hexdigest() if read.hexdigest() == since.sha256 else None


def _outside(lines: list[bytes], suffix: bytes, graph: str) -> list[bytes]:
    """The lines whose quad is not in ``graph`` (a line ending like one of the graph's is
    parsed to be sure: a default-graph quad may have the graph's IRI as object)."""
    candidates = [line for line in lines if line.endswith(suffix)]
    if not candidates:
        return lines
    parsed = ox.parse(b"".join(candidates), format=ox.RdfFormat.N_QUADS)
    inside = {line for line, q in zip(candidates, parsed, strict=True)
              if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == graph}
    if any(b"_:" in line for line in inside):  # its blank nodes shared the canonical labelling
        raise _NotMergeable
    return [line for line in lines if line not in inside]


class _NotMergeable(Exception):
    """The saved file cannot simply be merged with the new graph."""


def _pending_path(project: Project) -> Path:
    """Where the manifest of a dataset being written waits until the dataset is in place."""
    return project.manifest_path.with_name(project.manifest_path.stem + ".pending.json")


def _manifest_bytes(manifest: Manifest) -> bytes:
    return (json.dumps(asdict(manifest), indent=2) + "\n").encode()


@dataclass(frozen=True)
class Since:
    """What changed in the store since it was loaded from the saved dataset: only ``graph``
    (replaced), the saved file then had checksum ``sha256``. Saving merges the file's other
    lines with the graph's, instead of dumping and sorting the whole store again."""

    sha256: str
    graph: str


def save_dataset(store: Store, project: Project, stage: Stage, since: Since | None = None,
                 imports: Sequence[Path] = ()) -> Path:
    """Write the dataset and its manifest so that a kill at any point leaves them agreeing.

    The dataset is written (sorted, streamed) to a temporary file beside its place; then the
    new manifest as ``manifest.pending.json``, then the dataset is moved into place, then
    ``manifest.json`` is written, each atomically. After a kill between the last two renames the
    next command finds the pending manifest that vouches for the dataset and moves it into place
    (:func:`recover`); after a kill before the dataset's rename, the old pair still agrees.
    With ``since``, the saved file is merged with the replaced graph when it still has the
    checksum it was loaded with (else the whole store is written, as without).
    ``imports``: N-Quads files saved with the store as if loaded into it (see
    :func:`write_sorted_nquads`).
    """
    path = project.dataset_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".sarcoma-graph-sort-", dir=path.parent) as tmp, \
            atomic_output(path) as written:
        sha256 = None
        if since is not None and path.is_file() and not imports:
            with written.open("wb") as handle:
                sha256 = _write_replacing(store, path, since, handle)
        if sha256 is None:
            with written.open("wb") as handle:
                sorted_ = write_sorted_nquads(store, handle, Path(tmp), imports)
            manifest = Manifest(stage=stage, sha256=sorted_.sha256, quads=sorted_.quads,
                                graphs=sorted_.graphs)
        else:
            manifest = Manifest(stage=stage, sha256=sha256, quads=store.count(),
                                graphs=store.graph_counts())
        pending = _pending_path(project)
        write_atomic(pending, _manifest_bytes(manifest))
    # the dataset is in place (moved when the block closed): its manifest follows
    write_atomic(project.manifest_path, _manifest_bytes(manifest))
    pending.unlink(missing_ok=True)
    mark_store(store, manifest.sha256)
    return path


def recover(project: Project) -> None:
    """Finish or forget a save that a kill interrupted (see :func:`save_dataset`)."""
    pending = _pending_path(project)
    if not pending.is_file():
        return
    try:
        waiting = Manifest.from_json(json.loads(pending.read_text(encoding="utf-8")))
    except (ValueError, UnicodeDecodeError):
        pending.unlink(missing_ok=True)
        return
    path = project.dataset_path
    if path.is_file() and _file_sha256(path) == waiting.sha256:
        pending.replace(project.manifest_path)  # the dataset was written: its manifest follows
    else:
        pending.unlink(missing_ok=True)  # the dataset was not replaced: the old pair stands


def read_manifest(project: Project) -> Manifest | None:
    """The manifest of the last saved dataset, or ``None`` if there is none."""
    path = project.manifest_path
    if not path.is_file():
        return None
    try:
        return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: unreadable manifest ({error}); run `sarcoma-graph build`") from error


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_stage(project: Project, require: Stage) -> Manifest:
    """The manifest of a saved dataset that has reached ``require``, or a message saying what to run."""
    path = project.dataset_path
    recover(project)
    manifest = read_manifest(project)
    if manifest is None or not path.is_file():
        raise StageMissing(f"{path}: no built dataset; run `sarcoma-graph build` first")
    if _file_sha256(path) != manifest.sha256:
        raise StageMissing(f"{path} does not match {project.manifest_path} (an interrupted write?); "
                           f"run `sarcoma-graph {manifest.stage}` again")
    if not manifest.reached(require):
        raise StageMissing(f"{path} was saved by `{manifest.stage}` and this command needs "
                           f"`{require}`; run `sarcoma-graph {require}` first")
    return manifest


#: An on-disk (RocksDB) store that keeps the saved dataset between commands: loading becomes
#: opening it, and the graph no longer has to fit in memory for validate, qc, export or serve.
STORE_DIR_ENV = "SARCOMA_GRAPH_STORE_DIR"
_STORE_MARK = "sarcoma-graph-dataset.sha256"


def store_dir() -> Path | None:
    """The on-disk store folder named by ``SARCOMA_GRAPH_STORE_DIR``, if set."""
    value = os.environ.get(STORE_DIR_ENV, "").strip()
    return Path(value) if value else None


def load_dataset(project: Project, backend: str = "oxigraph", require: Stage = "reason") -> Store:
    """The saved dataset in a store, once :func:`check_stage` has accepted it.

    In memory by default. With ``SARCOMA_GRAPH_STORE_DIR`` (oxigraph backend) the dataset lives
    in a RocksDB store there: opened as is when it already holds this dataset (its mark file
    gives the manifest's checksum), else refilled by oxigraph's streaming bulk loader.
    """
    folder = store_dir() if backend == "oxigraph" else None
    if folder is not None:
        return _disk_store(folder, project.dataset_path, check_stage(project, require).sha256)
    store = open_store(backend)  # before the stage check: an unknown backend is named first
    check_stage(project, require)
    from sarcoma_graph.store.oxigraph import OxigraphStore

    if isinstance(store, OxigraphStore):
        store.load_saved(project.dataset_path)
    else:
        store.load_file(project.dataset_path)
    return store


def _open_disk_store(folder: Path) -> Store:
    from sarcoma_graph.store.oxigraph import OxigraphStore

    folder.mkdir(parents=True, exist_ok=True)
    try:
        return OxigraphStore(folder)
    except OSError as error:
        raise InputError(f"{STORE_DIR_ENV}={folder}: cannot open the store ({error}); "
                         "is another command using it?") from None


def empty_disk_store(folder: Path) -> Store:
    """The on-disk store at ``folder``, emptied, its mark removed (for ``build``)."""
    store = _open_disk_store(folder)
    (folder / _STORE_MARK).unlink(missing_ok=True)
    store.clear()
    return store


def _disk_store(folder: Path, dataset: Path, sha256: str) -> Store:
    store = _open_disk_store(folder)
    mark = folder / _STORE_MARK
    if mark.is_file() and mark.read_text(encoding="utf-8").strip() == sha256:
        return store
    mark.unlink(missing_ok=True)  # a half-filled store is never taken for a full one
    store.clear()
    store.bulk_load_file(dataset)  # type: ignore[attr-defined]
    store.settle()
    mark.write_text(sha256 + "\n", encoding="utf-8")
    return store


def unmark_store(store: Store) -> None:
    """Before a command changes an on-disk store: it no longer holds the saved dataset until
    ``save_dataset`` marks it again (a kill in between makes the next command refill it)."""
    folder = store_dir()
    path = getattr(store, "path", None)
    if folder is not None and path is not None and Path(path) == folder:
        (folder / _STORE_MARK).unlink(missing_ok=True)


def mark_store(store: Store, manifest_sha256: str) -> None:
    """After ``save_dataset`` from an on-disk store: the store now holds the saved dataset."""
    folder = store_dir()
    path = getattr(store, "path", None)
    if folder is not None and path is not None and Path(path) == folder:
        store.settle()  # the stage that wrote the store pays for its compaction
        (folder / _STORE_MARK).write_text(manifest_sha256 + "\n", encoding="utf-8")
