"""Imports (N-Quads files) parsed and re-serialised by pyoxigraph, in parallel where it is safe.

Parsing is most of a large build's time and N-Quads is line-based, so a file without blank
nodes is cut at line ends into pieces of :data:`PIECE_BYTES` that forked workers re-serialise
(one per CPU, two at most). A file that holds ``_:`` is parsed whole, in this process: its
blank-node labels are scoped to the file, and each parse renames them apart. A syntax error
names the file and its line in the whole file (the lines of the pieces before are added).
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import IO, Protocol

import pyoxigraph as ox

from sarcoma_graph.errors import InputError, RdfSyntaxError
from sarcoma_graph.plumbing.rdfio import syntax_error

PIECE_BYTES = 64 << 20
_WORKERS = min(2, os.cpu_count() or 1)

Piece = tuple[Path, int, int]
Outcome = tuple[int, RdfSyntaxError | InputError | None]


class Sink(Protocol):
    """Where the N-Quads go (a binary file, or :class:`~sarcoma_graph.plumbing.nqsort.LineSorter`)."""

    def write(self, data: bytes, /) -> int: ...

    def add_file(self, path: Path, /) -> None:
        """Take the N-Quads file ``path`` (the sink deletes it when done)."""


def serialise_imports(paths: Sequence[Path], sink: Sink, tmp: Path) -> None:
    """Write every quad of the N-Quads files ``paths`` to ``sink`` in pyoxigraph's N-Quads
    (the pieces as files in ``tmp``, handed over by ``sink.add_file``)."""
    pieces: list[Piece] = []
    for path in paths:
        cut = list(_pieces(path))
        if len(cut) > 1:
            pieces += cut
        else:
            _serialise_file(path, sink)
    jobs = [(piece, tmp / f"piece{n}.nq") for n, piece in enumerate(pieces)]
    if len(jobs) > 1 and _WORKERS > 1 and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(_WORKERS, mp_context=context) as pool:
            _collect(jobs, pool.map(_serialise_piece, jobs), sink)
    else:
        _collect(jobs, map(_serialise_piece, jobs), sink)


def _serialise_file(path: Path, sink: Sink) -> None:
    try:
        quads = ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS,
                         base_iri=path.resolve().as_uri(), rename_blank_nodes=True)
        ox.serialize(quads, sink, format=ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]
    except SyntaxError as error:
        raise syntax_error(str(path), error) from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from None


def _pieces(path: Path) -> Iterator[Piece]:
    """``path`` cut at line ends every :data:`PIECE_BYTES`, or one piece when it holds ``_:``
    (or cannot be read: the whole-file parse then says why)."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size <= PIECE_BYTES or _holds_blank_nodes(handle):
                yield path, 0, size
                return
            start = 0
            while start < size:
                handle.seek(min(start + PIECE_BYTES, size))
                handle.readline()
                end = min(handle.tell(), size)
                yield path, start, end
                start = end
    except OSError:
        yield path, 0, 0


def _holds_blank_nodes(handle: IO[bytes]) -> bool:
    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b"_:") >= 0


def _serialise_piece(job: tuple[Piece, Path]) -> Outcome:
    """The piece re-serialised into a file (by pyoxigraph: no Python bytes of it), the piece's
    line count, and the error that stopped it (its line counted from the piece's start)."""
    (path, start, end), out = job
    try:
        with path.open("rb") as handle:
            handle.seek(start)
            data = handle.read(end - start)
    except OSError as error:
        return 0, InputError(f"{path}: cannot read ({error.strerror or error})")
    try:
        quads = ox.parse(data, format=ox.RdfFormat.N_QUADS, base_iri=path.resolve().as_uri())
        ox.serialize(quads, str(out), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as error:
        return 0, syntax_error(str(path), error)
    return data.count(b"\n"), None


def _collect(jobs: list[tuple[Piece, Path]], results: Iterator[Outcome], sink: Sink) -> None:
    lines: dict[Path, int] = {}
    for ((path, _, _), out), (newlines, error) in zip(jobs, results, strict=True):
        if isinstance(error, RdfSyntaxError) and error.line is not None:
            raise RdfSyntaxError(error.path, error.line + lines.get(path, 0), error.column,
                                 error.message)
        if error is not None:
            raise error
        sink.add_file(out)
        lines[path] = lines.get(path, 0) + newlines
