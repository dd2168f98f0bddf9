"""Turtle subject blocks sorted by subject IRI with bounded memory, written out with one copy.

Blocks come nearly in order (the N-Quads line order of their subjects), so they are sorted a
run at a time in memory; a run past the first goes to disk as its final bytes (each block after
a blank line) with an index of its keys. When each run's last IRI sorts before the next run's
first (the usual case: line order and IRI order differ only between an IRI and the IRIs it is
a prefix of), the output is the runs' files copied one after the other; else the runs are
merged by their indexes, each file still read front to back.
"""

from __future__ import annotations

import heapq
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO

from sarcoma_graph.errors import InputError

#: Bytes of blocks sorted in memory at once.
RUN_BYTES = 128 << 20
_COPY_BYTES = 1 << 20
_BLANK_LINE = b"\n\n"


class UnsortedLinesError(InputError, ValueError):
    """The N-Quads lines read are not sorted (a saved dataset always is)."""


@dataclass
class _Run:
    body: Path  # each block after a blank line
    keys: Path  # ``IRI TAB bytes`` a block
    first: bytes
    last: bytes


class SortedBlocks:
    """``(subject IRI, block)`` pairs in, blocks out sorted by IRI (:meth:`write`)."""

    def __init__(self, folder: Path, run_bytes: int = RUN_BYTES) -> None:
        self.folder, self.run_bytes = folder, run_bytes
        self.runs: list[_Run] = []
        self.run: list[tuple[bytes, str]] = []

    def add_all(self, blocks: Iterable[tuple[bytes, str]]) -> None:
        """Take every block (so that the prefixes they use are known when this returns)."""
        size = 0
        for key, block in blocks:
            self.run.append((key, block))
            size += len(block)
            if size >= self.run_bytes:
                self._spill()
                size = 0
        self.run.sort(key=_key)
        _check_distinct(self.run)
        if self.runs and self.run:
            self._spill()

    @property
    def empty(self) -> bool:
        return not self.runs and not self.run

    def write(self, out: BinaryIO, skip: int) -> None:
        """Write the blocks, each after a blank line, the first ``skip`` bytes left out."""
        if not self.runs:
            for _, block in self.run:
                data = _BLANK_LINE + block.encode()
                out.write(data[skip:] if skip else data)
                skip = 0
            return
        if all(a.last < b.first for a, b in pairwise(self.runs)):
            for run in self.runs:
                with run.body.open("rb") as body:
                    body.seek(skip)
                    shutil.copyfileobj(body, out, _COPY_BYTES)
                skip = 0
            return
        for data in self._merged():
            out.write(data[skip:] if skip else data)
            skip = 0

    def _spill(self) -> None:
        self.run.sort(key=_key)
        _check_distinct(self.run)
        number = len(self.runs)
        body, keys = self.folder / f"run{number}.ttl", self.folder / f"run{number}.keys"
        with body.open("wb") as text, keys.open("wb") as index:
            for key, block in self.run:
                data = _BLANK_LINE + block.encode()
                text.write(data)
                index.write(b"%s\t%d\n" % (key, len(data)))
        self.runs.append(_Run(body, keys, self.run[0][0], self.run[-1][0]))
        self.run = []

    def _merged(self) -> Iterator[bytes]:
        """The runs' blocks in key order, as chunks of bytes: each step copies, from the run
        whose next key is smallest, every block up to the next key of another run in one
        read (the runs overlap only where a late IRI sorts among earlier ones, so the chunks
        are long); the last run left is copied to its end without reading its index."""
        bodies = [run.body.open("rb") for run in self.runs]
        indexes = [_Index(run.keys.open("rb")) for run in self.runs]
        try:
            heap = [(index.key, number) for number, index in enumerate(indexes)
                    if index.key is not None]
            heapq.heapify(heap)
            while heap:
                key, number = heapq.heappop(heap)
                if not heap:  # the last run: the rest of its file
                    while data := bodies[number].read(_COPY_BYTES):
                        yield data
                    break
                bound = heap[0][0]
                if key == bound:
                    raise _unsorted(key)
                index = indexes[number]
                yield from _read(bodies[number], index.take_below(bound))
                if index.key is not None:
                    heapq.heappush(heap, (index.key, number))
        finally:
            for handle in bodies:
                handle.close()
            for index in indexes:
                index.handle.close()


class _Index:
    """A run's index (``IRI TAB bytes`` a block) read one entry ahead."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.key: bytes | None = None
        self.size = 0
        self._next()

    def _next(self) -> None:
        line = self.handle.readline()
        if not line:
            self.key = None
            return
        key, _, size = line.rpartition(b"\t")
        self.key, self.size = key, int(size)

    def take_below(self, bound: bytes) -> int:
        """Bytes of the blocks from the current one whose keys sort before ``bound``."""
        total = 0
        while self.key is not None and self.key < bound:
            total += self.size
            self._next()
        return total


def _read(body: BinaryIO, size: int) -> Iterator[bytes]:
    while size > 0:
        data = body.read(min(size, _COPY_BYTES))
        if not data:
            raise OSError(f"{getattr(body, 'name', 'a run')}: shorter than its index")
        yield data
        size -= len(data)


def _key(item: tuple[bytes, str]) -> bytes:
    return item[0]


def _check_distinct(run: list[tuple[bytes, str]]) -> None:
    for (key, _), (following, _) in pairwise(run):
        if key == following:
            raise _unsorted(key)


def _unsorted(key: bytes) -> UnsortedLinesError:
    return UnsortedLinesError(f"the lines of <{key.decode()}> are not together: "
                              "the N-Quads lines are not sorted")
