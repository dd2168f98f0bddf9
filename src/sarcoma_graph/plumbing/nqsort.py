"""Sorted, distinct N-Quads lines with bounded memory: the bytes of the saved dataset.

:class:`LineSorter` is a binary sink that pyoxigraph writes N-Quads into (a store's dump, an
import parsed whole and re-serialised); the pieces of a large import come as *runs* instead,
sorted where they were parsed (forked workers, :func:`sort_run`) and already cut into buckets.
The buckets are fixed by :meth:`LineSorter.plan` before the runs are made: pivots sampled from
every source cut the lines into buckets whose concatenation is in order, so the dataset is
each bucket merged in turn (its runs concatenated, sorted again: timsort merges them) and no
line crosses a bucket. Lines written to the sorter are kept in memory up to ``run_bytes``;
beyond, they go to a dump file that is sorted ``run_bytes`` at a time into buckets of its own.
Every pass is linear, and at no point is the whole dataset in memory. On the way, as a store
would:

- typed XSD literals get the canonical lexical form the store gives them (``"01"^^xsd:integer``
  → ``"1"``), found per distinct literal and asked of an in-memory store once;
- lines that hold ``_:`` get RDFC-1.0 canonical blank-node labels (together: the labelling of
  a blank node depends on every quad that mentions a blank node; runs never hold one);
- duplicates go, and the quads per named graph are counted from the distinct lines (each run
  counts its own, the duplicates found between runs are taken off).
"""

from __future__ import annotations

import bisect
import hashlib
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, islice, repeat
from operator import eq, itemgetter, ne
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from sarcoma_graph.plumbing import forked

_XSD_LITERAL = b'"^^<http://www.w3.org/2001/XMLSchema#'
_BATCH = 65536
#: Bytes read at once from the sort's files.
_BLOCK = 8 << 20
#: Distinct literals remembered at once (then forgotten: the memory stays bounded).
_CACHE_MOST = 1 << 20

#: Bytes of a file: ``(path, start, end)``.
Span = tuple[Path, int, int]


@dataclass
class Written:
    """What :meth:`LineSorter.write_sorted` wrote: checksum, lines, quads per named graph."""

    sha256: str
    quads: int = 0
    graphs: dict[str, int] = field(default_factory=dict)


class LineSorter:
    """Collect N-Quads (``write``, :meth:`add_run`), then :meth:`write_sorted` them sorted and
    distinct."""

    def __init__(self, tmp: Path, run_bytes: int) -> None:
        self.tmp, self.run_bytes = tmp, run_bytes
        self._parts: list[bytes] = []
        self._size = 0
        self._dump: BinaryIO | None = None
        self._literals: dict[bytes, bytes] = {}
        self.pivots: list[bytes] | None = None  # fixed by plan()
        self._own: list[bytes] = []  # the written lines, sorted (when they fit in memory)
        self._own_files: list[Path | None] = []  # else: their buckets on disk
        self._own_alone = True  # their files sorted and distinct each (not so from the dump)
        self._runs: list[list[Path | None]] = []
        self._counts: Counter[bytes] = Counter()

    def write(self, data: bytes) -> int:
        """File-like sink (pyoxigraph's serialisers write blocks of a few KB)."""
        if self.pivots is not None:
            raise RuntimeError("LineSorter.write after plan()")
        if self._dump is not None:
            return self._dump.write(data)
        self._parts.append(bytes(data))
        self._size += len(data)
        if self._size > self.run_bytes:  # too much for one run: spill to disk from now on
            self._dump = (self.tmp / "dump.nq").open("wb")
            self._dump.writelines(self._parts)
            self._parts.clear()
        return len(data)

    def flush(self) -> None:
        return None

    def plan(self, spans: Sequence[Span] = ()) -> list[bytes]:
        """Fix the buckets, for the lines written so far and for runs to come from the bytes
        ``spans`` (N-Quads, sampled as they are): returns the pivots :func:`sort_run` cuts
        by. The written lines are sorted now: kept in memory when they fit and no run comes,
        else cut into bucket files."""
        if self.pivots is not None:
            return self.pivots
        total = self._size + sum(end - start for _, start, end in spans)
        buckets = max(-(-total // (self.run_bytes // 2)), forked.WORKERS)
        if self._dump is None:
            self._own = self._sorted_parts()
            self.pivots = []
            if spans:  # else the lines are written from memory as they are
                self.pivots = _pivots(spans, buckets, self._own, self._size)
                self._own_files = self._cut(self._own, "own")
                self._own = []
        else:
            dump = (self.tmp / "dump.nq", 0, self._dump.tell())
            self._dump.close()
            self._dump = None
            self.pivots = _pivots([dump, *spans], buckets)
            self._own_files = self._dump_buckets(dump[0])
            self._own_alone = False
        return self.pivots

    def add_run(self, files: Sequence[Path | None], counts: Counter[bytes]) -> None:
        """Take a run made by :func:`sort_run` with :meth:`plan`'s pivots: its files, one per
        bucket (``None``: no line there; each is deleted when read), and its quads per graph."""
        self._runs.append(list(files))
        self._counts.update(counts)

    def write_sorted(self, out: BinaryIO) -> Written:
        """Write every line once, sorted, to ``out``: the buckets merged by forked workers
        (:func:`merge_bucket`) and copied here in order."""
        pivots = self.plan()
        emitter = _Emitter(out)
        if not self._own_files and not self._runs:
            emitter.emit(self._own)
            self._own = []
        jobs: list[Bucket] = []
        for n in range(len(pivots) + 1 if self._own_files or self._runs else 0):
            own = self._own_files[n] if self._own_files else None
            files = [path for path in (own, *(run[n] for run in self._runs)) if path is not None]
            jobs.append((files, self._own_alone or own is None, self.tmp / f"sorted.{n}.nq"))
        with forked.forked_map(merge_bucket, jobs) as merged:
            for path, twice in merged:
                self._counts.subtract(twice)
                if path is not None:
                    emitter.copy(path)
        graphs = {name.decode(): n for name, n in sorted(self._counts.items()) if name and n}
        return Written(emitter.digest.hexdigest(), emitter.quads, graphs)

    def _cut(self, lines: list[bytes], name: str) -> list[Path | None]:
        """Sorted ``lines`` written into one file per bucket (``None`` where none falls)."""
        files: list[Path | None] = []
        for n, (start, stop) in enumerate(_bounds(lines, self.pivots or [])):
            path = self.tmp / f"{name}.{n}.nq" if stop > start else None
            if path is not None:
                _write_lines(path, lines[start:stop])
            files.append(path)
        return files

    def _sorted_parts(self) -> list[bytes]:
        """The lines written (all in memory), sorted, distinct and counted."""
        chunk = b"".join(self._parts)
        self._parts.clear()
        blank: list[bytes] = []
        lines = self._run(chunk, blank)
        del chunk
        if blank:
            lines += self._counted(canonical_lines(blank))
            lines.sort()
        return lines

    def _run(self, chunk: bytes, blank: list[bytes]) -> list[bytes]:
        """The chunk's lines sorted, each once and counted, without those holding ``_:``
        (added to ``blank``)."""
        chunk = canonical_literals(chunk, self._literals)
        taken = blank_lines(chunk)
        lines = chunk.splitlines()
        del chunk
        lines.sort()
        blank += taken
        return self._counted(distinct(without(lines, taken)))

    def _counted(self, lines: list[bytes]) -> list[bytes]:
        self._counts.update(graph_counts(lines))
        return lines

    def _dump_buckets(self, dump: Path) -> list[Path | None]:
        """The dump sorted ``run_bytes`` at a time into bucket files (each file: sorted runs
        one after the other, merged with the bucket)."""
        pivots = self.pivots or []
        buckets = [self.tmp / f"own.{n}.nq" for n in range(len(pivots) + 1)]
        handles = [path.open("wb") for path in buckets]
        blank: list[bytes] = []
        with dump.open("rb") as handle:
            while chunk := handle.read(self.run_bytes):
                chunk += handle.readline()  # up to the end of the line
                _scatter(self._run(chunk, blank), pivots, handles)
                del chunk
        dump.unlink()
        if blank:
            _scatter(self._counted(canonical_lines(blank)), pivots, handles)
        for out in handles:
            out.close()
        return list(buckets)


def sort_run(chunk: bytes, pivots: Sequence[bytes], prefix: Path) -> tuple[list[Path | None],
                                                                            Counter[bytes]]:
    """A run for :meth:`LineSorter.add_run`: the N-Quads ``chunk`` (no blank node) with its
    literals in the store's form, sorted, each line once, cut by ``pivots`` into one file per
    bucket (``<prefix>.<n>.nq``; ``None`` where no line falls); and its quads per graph."""
    chunk = canonical_literals(chunk, {})
    lines = chunk.splitlines()
    del chunk
    lines.sort()
    lines = distinct(lines)
    files: list[Path | None] = []
    for n, (start, stop) in enumerate(_bounds(lines, pivots)):
        path = prefix.with_name(f"{prefix.name}.{n}.nq") if stop > start else None
        if path is not None:
            _write_lines(path, lines[start:stop])
        files.append(path)
    return files, graph_counts(lines)


#: A bucket to merge: its files (sorted runs), whether each is distinct, where it goes.
Bucket = tuple[list[Path], bool, Path]


def merge_bucket(bucket: Bucket) -> tuple[Path | None, Counter[bytes]]:
    """One bucket's files (deleted) merged into one sorted, distinct file, and the quads per
    graph of the lines found twice (``None`` if the bucket is empty). ``alone``: each file is
    sorted and distinct by itself (a run), so a single one is already the bucket."""
    files, alone, out = bucket
    if alone and len(files) <= 1:
        return (files[0] if files else None), Counter()
    lines = _read_lines(files[0])
    for path in files[1:]:
        lines += _read_lines(path)
    lines.sort()  # sorted runs one after the other: timsort merges them
    twice = list(compress(islice(lines, 1, None), map(eq, lines, islice(lines, 1, None))))
    if twice:
        lines = list(compress(lines, map(ne, lines, [None, *lines[:-1]])))
    _write_lines(out, lines)
    return out, graph_counts(twice)


def _bounds(lines: list[bytes], pivots: Sequence[bytes]) -> Iterator[tuple[int, int]]:
    """Where sorted ``lines`` are cut by ``pivots``: (start, stop) of each bucket."""
    start = 0
    for pivot in pivots:
        stop = bisect.bisect_left(lines, pivot, start)
        yield start, stop
        start = stop
    yield start, len(lines)


def _read_lines(path: Path) -> list[bytes]:
    """The lines of ``path`` (deleted), read in blocks: a block's memory is reused for the
    next, where reading the whole file at once would fault in as much fresh memory."""
    lines: list[bytes] = []
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            lines += (block + handle.readline()).splitlines()
    path.unlink()
    return lines


def _write_lines(path: Path, lines: list[bytes]) -> None:
    with path.open("wb") as handle:
        for at in range(0, len(lines), _BATCH):
            handle.write(b"\n".join([*lines[at:at + _BATCH], b""]))


def canonical_literals(chunk: bytes, cache: dict[bytes, bytes]) -> bytes:
    """``chunk`` with each typed XSD literal in the form a store gives it (``cache``: the
    forms found so far, updated)."""
    spans = literal_spans(chunk)
    if not spans:
        return chunk
    tokens = {chunk[begin:end] for begin, end in spans}
    unknown = [token for token in tokens if token not in cache]
    if len(cache) + len(unknown) > _CACHE_MOST:
        cache.clear()
        unknown = list(tokens)
    cache.update(store_literals(unknown))
    parts: list[bytes] = []
    last = 0
    for begin, end in spans:
        token = chunk[begin:end]
        if cache[token] != token:
            parts += (chunk[last:begin], cache[token])
            last = end
    return b"".join((*parts, chunk[last:])) if parts else chunk


def literal_spans(chunk: bytes) -> list[tuple[int, int]]:
    """Where ``chunk`` holds a typed XSD literal: (its first byte, past its datatype), in the
    lines that hold the datatype prefix (a triple term may hold several literals)."""
    spans: list[tuple[int, int]] = []
    at = chunk.find(_XSD_LITERAL)
    while at >= 0:
        stop = chunk.find(b"\n", at)
        stop = len(chunk) if stop < 0 else stop
        spans += _literals_of_line(chunk, chunk.rfind(b"\n", 0, at) + 1, stop)
        at = chunk.find(_XSD_LITERAL, stop)
    return spans


def _literals_of_line(chunk: bytes, begin: int, stop: int) -> list[tuple[int, int]]:
    """The typed XSD literals between ``begin`` and ``stop``: outside literals no term holds
    '"', inside them '"' is escaped (after an odd number of backslashes)."""
    spans = []
    opening = chunk.find(b'"', begin, stop)
    while opening >= 0:
        close = chunk.find(b'"', opening + 1, stop)
        while close >= 0 and _escaped(chunk, close):
            close = chunk.find(b'"', close + 1, stop)
        if close < 0:
            break
        if chunk.startswith(_XSD_LITERAL, close):
            spans.append((opening, chunk.find(b">", close) + 1))
        opening = chunk.find(b'"', close + 1, stop)
    return spans


def _escaped(chunk: bytes, at: int) -> bool:
    """Whether the byte at ``at`` follows an odd number of backslashes."""
    slashes = 0
    while chunk[at - slashes - 1] == 0x5C:
        slashes += 1
    return slashes % 2 == 1


def store_literals(tokens: list[bytes]) -> dict[bytes, bytes]:
    """Each N-Quads literal token → the token a pyoxigraph store writes for it."""
    if not tokens:
        return {}
    data = b"".join(b"<urn:x:%d> <urn:x:p> %s .\n" % (n, token) for n, token in enumerate(tokens))
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_QUADS)
    out = io.BytesIO()
    store.dump(out, format=ox.RdfFormat.N_QUADS)
    found = {}
    for line in out.getvalue().splitlines():
        subject, _, rest = line.partition(b" <urn:x:p> ")
        found[tokens[int(subject[7:-1])]] = rest[:-2]
    return found


def blank_lines(chunk: bytes) -> list[bytes]:
    """The lines of ``chunk`` that hold ``_:`` (found by searching: most chunks have few)."""
    found: list[bytes] = []
    at = chunk.find(b"_:")
    while at >= 0:
        begin = chunk.rfind(b"\n", 0, at) + 1
        end = chunk.find(b"\n", at)
        end = len(chunk) if end < 0 else end
        found.append(chunk[begin:end])
        at = chunk.find(b"_:", end)
    return found


#: Above this many lines to take out of a sorted run, one pass over the run beats bisecting.
_BISECT_MOST = 512


def without(lines: list[bytes], taken: list[bytes]) -> list[bytes]:
    """The sorted ``lines`` without those in ``taken`` (edited in place)."""
    if len(taken) > _BISECT_MOST:
        gone = set(taken)
        return [line for line in lines if line not in gone]
    for line in taken:
        at = bisect.bisect_left(lines, line)
        while at < len(lines) and lines[at] == line:
            del lines[at]
    return lines


def canonical_lines(lines: list[bytes]) -> list[bytes]:
    """The quads of ``lines`` with RDFC-1.0 blank-node labels, each once, sorted."""
    dataset = ox.Dataset(ox.parse(b"\n".join(lines), format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(set((ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b"").splitlines()))


def distinct(lines: list[bytes]) -> list[bytes]:
    """Sorted ``lines`` each once (a new list only when some line repeats)."""
    if not any(map(eq, lines, islice(lines, 1, None))):
        return lines
    return list(compress(lines, map(ne, lines, [None, *lines[:-1]])))


def _pivots(spans: Sequence[Span], buckets: int, lines: Sequence[bytes] = (),
            size: int = 0) -> list[bytes]:
    """``buckets - 1`` lines that cut the sorted lines of every source in about equal parts:
    quantiles of lines sampled at evenly spaced offsets of the byte ``spans`` and of the
    sorted ``lines`` (``size`` bytes) in memory, 64 per bucket, spread by size."""
    if buckets <= 1:
        return []
    total = size + sum(end - start for _, start, end in spans)
    samples: set[bytes] = set()
    if lines:
        count = -(-buckets * 64 * size // total)
        samples.update(lines[len(lines) * n // count] for n in range(count))
    for path, start, end in spans:
        count = -(-buckets * 64 * (end - start) // total)
        with path.open("rb") as handle:
            for n in range(count):
                handle.seek(start + (end - start) * n // count)
                handle.readline()  # to the start of the next line
                line = handle.readline().rstrip(b"\n")
                if line and handle.tell() <= end:
                    samples.add(line)
    ordered = sorted(samples)
    if not ordered:
        return []
    return sorted({ordered[len(ordered) * n // buckets] for n in range(1, buckets)})


def _scatter(lines: list[bytes], pivots: list[bytes], handles: Sequence[BinaryIO]) -> None:
    """Append sorted ``lines`` to the bucket each belongs to (below the first pivot: bucket 0)."""
    for handle, (start, stop) in zip(handles, _bounds(lines, pivots), strict=True):
        for at in range(start, stop, _BATCH):
            handle.write(b"\n".join([*lines[at:min(at + _BATCH, stop)], b""]))


class _Emitter:
    """Writes sorted, distinct lines; keeps the checksum and the count."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.digest: Any = hashlib.sha256()
        self.quads = 0
        self._buffer: bytearray | None = None

    def emit(self, lines: list[bytes]) -> None:
        for at in range(0, len(lines), _BATCH):
            data = b"\n".join([*lines[at:at + _BATCH], b""])  # the closing newline without a copy
            self.digest.update(data)
            self.out.write(data)
        self.quads += len(lines)

    def copy(self, path: Path) -> None:
        """Append the lines of the file ``path`` (deleted), through one buffer (a fresh one
        per block would cost a page fault every 4 KB)."""
        if self._buffer is None:
            self._buffer = bytearray(_BLOCK)
        view = memoryview(self._buffer)
        with path.open("rb", buffering=0) as handle:
            while size := handle.readinto(view):
                self.digest.update(view[:size])
                self.out.write(view[:size])
                self.quads += self._buffer.count(b"\n", 0, size)
        path.unlink()


def in_graph(line: bytes, ending: bytes | tuple[bytes, ...]) -> bool:
    """Whether an N-Quads line's quad is in the graph whose ending (`` <iri> .``) is given (or
    in one of several): the line ends so, and an object comes before (a default-graph triple
    may have the graph's IRI as its object)."""
    body = line[:-1] if line.endswith(b"\n") else line
    if not body.endswith(ending):
        return False
    cut = body.rindex(b" ", 0, len(body) - 2)
    return body[:cut].count(b" ") >= 2


def graph_counts(lines: Iterable[bytes]) -> Counter[bytes]:
    """Lines per named graph IRI (``b""``: default graph or a blank-node graph).

    A line is ``S P O [G] .`` with one space between terms and none inside S or P, so what
    follows the third space is ``.`` (no graph) or ends with the last term: G is the token
    before `` .`` when it is an IRI that is not the end of a literal (no ``"``).
    """
    tails = Counter(map(itemgetter(3), map(bytes.split, lines, repeat(b" "), repeat(3))))
    counts: Counter[bytes] = Counter()
    for tail, n in tails.items():
        last = tail[:-2].rpartition(b" ")[2]
        named = last[:1] == b"<" and last[-1:] == b">" and b'"' not in last
        counts[last[1:-1] if named else b""] += n
    return counts
