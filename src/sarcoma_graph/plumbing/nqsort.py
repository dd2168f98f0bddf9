"""Sorted, distinct N-Quads lines with bounded memory: the bytes of the saved dataset.

:class:`LineSorter` is a binary sink that pyoxigraph writes N-Quads into (a store's dump, an
import parsed and re-serialised), and takes N-Quads files as they are (the pieces of an
import). Kept in memory up to ``run_bytes``, the lines are sorted there; beyond, they go to a
dump file (files handed over stay where they are), are sorted ``run_bytes`` at a time and cut
by pivots sampled from those files into buckets whose concatenation is in order, and each
bucket is sorted again alone: no per-line merge in Python, every pass linear. On the way, as a
store would:

- typed XSD literals get the canonical lexical form the store gives them (``"01"^^xsd:integer``
  → ``"1"``), found per distinct literal and asked of an in-memory store once;
- lines that hold ``_:`` get RDFC-1.0 canonical blank-node labels (together: the labelling of
  a blank node depends on every quad that mentions a blank node);
- duplicates go, and the quads per named graph are counted from the lines written.
"""

from __future__ import annotations

import bisect
import hashlib
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, islice, repeat
from operator import eq, itemgetter, ne
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

_XSD_LITERAL = b'"^^<http://www.w3.org/2001/XMLSchema#'
_BATCH = 65536
#: Distinct literals remembered at once (then forgotten: the memory stays bounded).
_CACHE_MOST = 1 << 20


@dataclass
class Written:
    """What :meth:`LineSorter.write_sorted` wrote: checksum, lines, quads per named graph."""

    sha256: str
    quads: int = 0
    graphs: dict[str, int] = field(default_factory=dict)


class LineSorter:
    """Collect N-Quads (``write``), then :meth:`write_sorted` them sorted and distinct."""

    def __init__(self, tmp: Path, run_bytes: int) -> None:
        self.tmp, self.run_bytes = tmp, run_bytes
        self._parts: list[bytes] = []
        self._size = 0
        self._dump: BinaryIO | None = None
        self._files: list[Path] = []  # once spilled: the dump and the files handed over
        self._literals: dict[bytes, bytes] = {}

    def write(self, data: bytes) -> int:
        """File-like sink (pyoxigraph's serialisers write blocks of a few KB)."""
        if self._dump is not None:
            return self._dump.write(data)
        self._parts.append(bytes(data))
        self._size += len(data)
        if self._size > self.run_bytes:  # too much for one run: spill to disk from now on
            self._spill()
        return len(data)

    def flush(self) -> None:
        return None

    def add_file(self, path: Path) -> None:
        """Take the N-Quads file ``path`` (read now while all fits in one run, else sorted
        from there); it is deleted when read."""
        size = path.stat().st_size
        if not self._files and self._size + size <= self.run_bytes:
            self._parts.append(path.read_bytes())
            self._size += size
            path.unlink()
            return
        if not self._files:
            self._spill()
        self._files.append(path)

    def _spill(self) -> None:
        dump = self.tmp / "dump.nq"
        self._dump = dump.open("wb")
        self._dump.writelines(self._parts)
        self._parts.clear()
        self._files.append(dump)

    def write_sorted(self, out: BinaryIO) -> Written:
        """Write every line once, sorted, to ``out``."""
        emitter = _Emitter(out)
        if not self._files:
            chunk = b"".join(self._parts)
            self._parts.clear()
            blank: list[bytes] = []
            lines = self._run(chunk, blank)
            del chunk
            if blank:
                lines += canonical_lines(blank)
                lines.sort()
            emitter.emit(distinct(lines))
        else:
            if self._dump is not None:
                self._dump.close()
                self._dump = None
            for bucket in self._buckets():
                lines = bucket.read_bytes().splitlines()
                bucket.unlink()
                lines.sort()  # sorted pieces, one per run: timsort merges them
                emitter.emit(distinct(lines))
        return emitter.result()

    def _run(self, chunk: bytes, blank: list[bytes]) -> list[bytes]:
        """The chunk's lines sorted, without those holding ``_:`` (added to ``blank``)."""
        chunk = self._canonical_literals(chunk)
        taken = blank_lines(chunk)
        lines = chunk.splitlines()
        del chunk
        lines.sort()
        blank += taken
        return without(lines, taken)

    def _buckets(self) -> list[Path]:
        sizes = [path.stat().st_size for path in self._files]
        pivots = _pivots(self._files, sizes, -(-sum(sizes) * 5 // (self.run_bytes * 4)))
        buckets = [self.tmp / f"bucket{n}.nq" for n in range(len(pivots) + 1)]
        handles = [path.open("wb") for path in buckets]
        blank: list[bytes] = []
        for path in self._files:
            with path.open("rb") as handle:
                while chunk := handle.read(self.run_bytes):
                    chunk += handle.readline()  # up to the end of the line
                    _scatter(self._run(chunk, blank), pivots, handles)
                    del chunk
            path.unlink()
        if blank:
            _scatter(sorted(canonical_lines(blank)), pivots, handles)
        for out in handles:
            out.close()
        return buckets

    def _canonical_literals(self, chunk: bytes) -> bytes:
        """``chunk`` with each typed XSD literal in the form a store gives it."""
        spans = literal_spans(chunk)
        if not spans:
            return chunk
        tokens = {chunk[begin:end] for begin, end in spans}
        unknown = [token for token in tokens if token not in self._literals]
        if len(self._literals) + len(unknown) > _CACHE_MOST:
            self._literals.clear()
            unknown = list(tokens)
        self._literals.update(store_literals(unknown))
        parts: list[bytes] = []
        last = 0
        for begin, end in spans:
            token = chunk[begin:end]
            if self._literals[token] != token:
                parts += (chunk[last:begin], self._literals[token])
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


def _pivots(files: list[Path], sizes: list[int], buckets: int) -> list[bytes]:
    """``buckets - 1`` lines that cut the files' sorted lines in about equal parts: quantiles
    of lines sampled at evenly spaced offsets (64 per bucket, spread by size)."""
    if buckets <= 1:
        return []
    samples = set()
    total = sum(sizes)
    for path, size in zip(files, sizes, strict=True):
        count = -(-buckets * 64 * size // total)
        with path.open("rb") as handle:
            for n in range(count):
                handle.seek(size * n // count)
                handle.readline()  # to the start of the next line
                if line := handle.readline().rstrip(b"\n"):
                    samples.add(line)
    ordered = sorted(samples)
    if not ordered:
        return []
    return sorted({ordered[len(ordered) * n // buckets] for n in range(1, buckets)})


def _scatter(lines: list[bytes], pivots: list[bytes], handles: Sequence[BinaryIO]) -> None:
    """Append sorted ``lines`` to the bucket each belongs to (below the first pivot: bucket 0)."""
    start = 0
    for n, handle in enumerate(handles):
        stop = bisect.bisect_left(lines, pivots[n]) if n < len(pivots) else len(lines)
        for at in range(start, stop, _BATCH):
            handle.write(b"\n".join([*lines[at:min(at + _BATCH, stop)], b""]))
        start = stop


class _Emitter:
    """Writes sorted, distinct lines; keeps the checksum and the counts."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.digest: Any = hashlib.sha256()
        self.quads = 0
        self.graphs: Counter[bytes] = Counter()

    def emit(self, lines: list[bytes]) -> None:
        for at in range(0, len(lines), _BATCH):
            batch = lines[at:at + _BATCH]
            data = b"\n".join([*batch, b""])  # the closing newline without a copy
            self.digest.update(data)
            self.out.write(data)
            self.quads += len(batch)
            self.graphs.update(graph_counts(batch))

    def result(self) -> Written:
        graphs = {name.decode(): n for name, n in sorted(self.graphs.items()) if name}
        return Written(self.digest.hexdigest(), self.quads, graphs)


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
