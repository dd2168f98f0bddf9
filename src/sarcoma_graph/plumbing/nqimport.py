"""Imports (N-Quads files) parsed and re-serialised by pyoxigraph, in parallel where it is safe.

Parsing and sorting are most of a large build's time and N-Quads is line-based, so a file
without blank nodes is cut at line ends into pieces of :data:`PIECE_BYTES` (a smaller file is
one piece) that forked workers (:mod:`~sarcoma_graph.plumbing.forked`) re-serialise and sort
into runs, already cut into the sort's buckets (:func:`~sarcoma_graph.plumbing.nqsort.sort_run`).
A file that holds ``_:`` is parsed whole, in this process: its blank-node labels are scoped to
the file, and each parse renames them apart. A syntax error names the file and its line in the
whole file (the lines of the pieces before are added).
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from sarcoma_graph.errors import InputError, RdfSyntaxError
from sarcoma_graph.plumbing.forked import forked_map
from sarcoma_graph.plumbing.nqsort import sort_run
from sarcoma_graph.plumbing.rdfio import syntax_error

#: Bytes of an import a worker parses and sorts at once (below 32 MB, glibc reuses the memory of
#: the piece before instead of faulting in fresh pages; and 2 workers share the pieces evenly).
PIECE_BYTES = 16 << 20
#: Bytes read at once when looking for blank nodes in an import.
SCAN_BYTES = 8 << 20

Piece = tuple[Path, int, int]
Job = tuple[Piece, list[bytes], Path]
Run = tuple[list[Path | None], Counter[bytes]]
Outcome = tuple[int, Run | None, RdfSyntaxError | InputError | None]


class Sink(Protocol):
    """Where the N-Quads go (:class:`~sarcoma_graph.plumbing.nqsort.LineSorter`)."""

    def write(self, data: bytes, /) -> int: ...

    def plan(self, spans: Sequence[Piece], /) -> list[bytes]:
        """The pivots that runs are cut by, for what was written and the ``spans`` to come."""

    def add_run(self, files: Sequence[Path | None], counts: Counter[bytes], /) -> None:
        """Take a run of :func:`~sarcoma_graph.plumbing.nqsort.sort_run`."""


def serialise_imports(paths: Sequence[Path], sink: Sink, tmp: Path) -> None:
    """Write every quad of the N-Quads files ``paths`` to ``sink`` in pyoxigraph's N-Quads
    (a file parsed whole by ``sink.write``; the pieces as sorted runs, files in ``tmp``)."""
    pieces: list[Piece] = []
    for path in paths:
        cut = _pieces(path)
        if cut is None:
            _serialise_file(path, sink)
        else:
            pieces += cut
    pivots = sink.plan(pieces)
    jobs = [(piece, pivots, tmp / f"piece{n}") for n, piece in enumerate(pieces)]
    with forked_map(_sort_piece, jobs) as outcomes:
        _collect(jobs, outcomes, sink)


def _serialise_file(path: Path, sink: Sink) -> None:
    try:
        quads = ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS,
                         base_iri=path.resolve().as_uri(), rename_blank_nodes=True)
        ox.serialize(quads, sink, format=ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]
    except SyntaxError as error:
        raise syntax_error(str(path), error) from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from None


def _pieces(path: Path) -> list[Piece] | None:
    """``path`` cut at line ends every :data:`PIECE_BYTES` (one piece if smaller), or ``None``
    when it holds ``_:`` or cannot be read (the whole-file parse then says why)."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if _holds_blank_nodes(handle):
                return None
            pieces: list[Piece] = []
            while (start := pieces[-1][2] if pieces else 0) < size:
                handle.seek(min(start + PIECE_BYTES, size))
                handle.readline()
                pieces.append((path, start, min(handle.tell(), size)))
            return pieces
    except OSError:
        return None


def _holds_blank_nodes(handle: io.BufferedIOBase) -> bool:
    """Whether the file holds ``_:``, read through one buffer (a memory map of a 2 GB import
    would count 2 GB in the build's resident memory); each block is searched with the last
    byte of the one before."""
    buffer = bytearray(SCAN_BYTES + 1)
    view = memoryview(buffer)
    kept = 0
    handle.seek(0)
    while size := handle.readinto(view[kept:]):
        end = kept + size
        if buffer.find(b"_:", 0, end) >= 0:
            return True
        buffer[0], kept = buffer[end - 1], 1
    return False


def _sort_piece(job: Job) -> Outcome:
    """The piece re-serialised (by pyoxigraph) and sorted into a run cut by the pivots, the
    piece's line count, and the error that stopped it (its line counted from the piece's
    start)."""
    (path, start, end), pivots, prefix = job
    try:
        with path.open("rb") as handle:
            handle.seek(start)
            data = handle.read(end - start)
    except OSError as error:
        return 0, None, InputError(f"{path}: cannot read ({error.strerror or error})")
    try:
        quads = ox.parse(data, format=ox.RdfFormat.N_QUADS, base_iri=path.resolve().as_uri())
        nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    except SyntaxError as error:
        return 0, None, syntax_error(str(path), error)
    newlines = data.count(b"\n")
    del data, quads
    return newlines, sort_run(nquads, pivots, prefix), None


def _collect(jobs: list[Job], results: Iterator[Outcome], sink: Sink) -> None:
    lines: dict[Path, int] = {}
    for ((path, _, _), _, _), (newlines, run, error) in zip(jobs, results, strict=True):
        if isinstance(error, RdfSyntaxError) and error.line is not None:
            raise RdfSyntaxError(error.path, error.line + lines.get(path, 0), error.column,
                                 error.message)
        if error is not None or run is None:
            raise error or RuntimeError("a piece gave no run")
        sink.add_run(*run)
        lines[path] = lines.get(path, 0) + newlines
