"""Canonical Turtle of a large store with bounded memory: the same bytes as
:func:`sarcoma_graph.plumbing.turtle.canonical_turtle`, never the whole graph in Python.

Each named graph is dumped by the store as N-Triples; the lines without a blank node are
sorted on disk by subject (runs of :data:`RUN_BYTES`, merged) and written one subject at a
time. The triples that hold a blank node (few: lists, restrictions) stay in memory in one
:class:`~sarcoma_graph.plumbing.turtle._Writer`, which gives them their RDFC-1.0 labels and
decides which are written inline exactly as the whole-graph writer does (every triple with a
blank-node object is among them). The body goes to a file first: the ``@prefix`` lines, which
name only the prefixes used, come before it.
"""

from __future__ import annotations

import heapq
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from sarcoma_graph.plumbing.nqsort import in_graph
from sarcoma_graph.plumbing.turtle import (
    _canonical_triples,
    _document,
    _label_key,
    _writable,
    _Writer,
)

#: Bytes of lines sorted in memory at once.
RUN_BYTES = 128 << 20
#: N-Triples lines parsed by one call of the parser (whole subjects: a few more at most).
PARSE_LINES = 4096
#: IRIs whose written form is remembered (the cache is emptied when it grows past this).
IRI_CACHE = 200_000


def _sorted_runs(lines: Iterable[bytes], folder: Path) -> list[Path]:
    """``subject TAB line`` keys sorted in runs on disk."""
    runs: list[Path] = []
    batch: list[bytes] = []
    size = 0
    for line in lines:
        batch.append(line)
        size += len(line)
        if size >= RUN_BYTES:
            runs.append(_spill(batch, folder / f"run{len(runs)}"))
            batch, size = [], 0
    if batch:
        runs.append(_spill(batch, folder / f"run{len(runs)}"))
    return runs


def _spill(batch: list[bytes], path: Path) -> Path:
    batch.sort()
    with path.open("wb") as out:
        out.writelines(batch)
    return path


def _keyed(lines: Iterable[bytes], blank: list[bytes]) -> Iterator[bytes]:
    """N-Triples lines as ``subject TAB line``; lines holding ``_:`` go to ``blank``."""
    for line in lines:
        if b"_:" in line and _has_blank_term(line):
            blank.append(line)
            continue
        end = line.find(b">")
        yield line[1:end] + b"\t" + line


def _has_blank_term(line: bytes) -> bool:
    return any(isinstance(t, ox.BlankNode) for q in ox.parse(line, format=ox.RdfFormat.N_TRIPLES)
               for t in (q.subject, q.object))


def _groups(runs: list[Path]) -> Iterator[tuple[str, list[bytes]]]:
    """``(subject IRI, its distinct N-Triples lines)`` in subject order."""
    handles = [r.open("rb") for r in runs]
    try:
        subject: bytes | None = None
        lines: list[bytes] = []
        previous: bytes | None = None
        for keyed in heapq.merge(*handles):
            if keyed == previous:
                continue  # the same triple in two graphs
            previous = keyed
            cut = keyed.index(b"\t")
            key = keyed[:cut]
            if key != subject:
                if subject is not None:
                    yield subject.decode(), lines
                subject, lines = key, []
            lines.append(keyed[cut + 1:])
        if subject is not None:
            yield subject.decode(), lines
    finally:
        for h in handles:
            h.close()


def _graph_lines(dataset: Path, graphs: list[str]) -> Iterator[bytes]:
    """The N-Triples lines of ``graphs`` from an N-Quads file (as oxigraph writes it: one space
    between terms): each line that ends with one of the graphs, an object before it."""
    ends = tuple(f" <{g}> .".encode() for g in graphs)
    with dataset.open("rb") as lines:
        for line in lines:
            if in_graph(line, ends):
                body = line.rstrip(b"\n")
                yield body[:body.rindex(b" ", 0, len(body) - 2)] + b" .\n"


def write_canonical_turtle(store: object, graphs: list[str], prefixes: Mapping[str, str],
                           out: BinaryIO, header: Iterable[str] = (),
                           dataset: Path | None = None) -> None:
    """Write the union of ``graphs`` of an Oxigraph store as canonical Turtle to ``out``.
    ``dataset``: an N-Quads file holding what the store holds (the saved dataset an on-disk
    store was filled from), read instead of dumping the store, which decodes every term from
    its dictionary (25 µs a quad on disk)."""
    raw = store._store  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory(prefix="sarcoma-graph-turtle-") as tmp:
        folder = Path(tmp)
        blank: list[bytes] = []
        if dataset is not None:  # read once, keyed as read: no dump file between
            runs = _sorted_runs(_keyed(_graph_lines(dataset, graphs), blank), folder)
        else:
            dump = folder / "dump.nt"
            with dump.open("wb") as handle:
                for name in graphs:
                    raw.dump(handle, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
            with dump.open("rb") as handle:
                runs = _sorted_runs(_keyed(handle, blank), folder)
            dump.unlink()
        triples = [(t.subject, t.predicate, t.object) for t in ox.parse(
            b"".join(sorted(set(blank))), format=ox.RdfFormat.N_TRIPLES)]
        del blank
        _canonical_triples(triples)
        writer = _Writer((_writable(s, p, o) for s, p, o in triples), prefixes)
        del triples
        body = folder / "body.ttl"
        with body.open("w", encoding="utf-8") as text:
            first = True
            for block in _blocks(writer, _groups(runs)):
                text.write(block if first else "\n\n" + block)
                first = False
        head = _document(writer.used, prefixes, header, ["\0"]).split("\0")[0]
        if first:  # no triple at all
            out.write(_document(writer.used, prefixes, header, []).encode())
            return
        out.write(head.encode())
        with body.open("rb") as text:
            shutil.copyfileobj(text, out, 1 << 20)
        out.write(b"\n")


def _blocks(writer: _Writer, groups: Iterator[tuple[str, list[bytes]]]) -> Iterator[str]:
    """Subject blocks in :meth:`_Writer.blocks` order: IRI subjects (streamed, merged with the
    blank-node part's IRI subjects), then the labelled and the anonymous blank nodes."""
    kept = sorted(s.value for s in writer.index if isinstance(s, ox.NamedNode))
    merged = heapq.merge(((iri, []) for iri in kept), groups, key=lambda pair: pair[0].encode())
    subjects = ((iri, [line for _, lines in pairs for line in lines])
                for iri, pairs in groupby(merged, key=lambda pair: pair[0]))
    for iri, triples in _parsed(subjects):
        yield _subject_block(writer, iri, triples)
    labelled = sorted((s for s in writer.index
                       if isinstance(s, ox.BlankNode) and s not in writer.inline and writer.refs[s]),
                      key=_label_key)
    yield from (f"_:{s.value}\n{writer.predicates(s, 1)} ." for s in labelled)
    anonymous = [s for s in writer.index if isinstance(s, ox.BlankNode) and not writer.refs[s]]
    yield from sorted(f"[]\n{writer.predicates(s, 1)} ." for s in anonymous)


def _parsed(subjects: Iterable[tuple[str, list[bytes]]]) -> Iterator[tuple[str, list[ox.Triple]]]:
    """Each subject with its lines parsed, :data:`PARSE_LINES` lines a parser call: one call
    a subject cost more than the parsing itself."""
    chunk: list[tuple[str, int]] = []
    lines: list[bytes] = []
    for iri, own in subjects:
        chunk.append((iri, len(own)))
        lines += own
        if len(lines) >= PARSE_LINES:
            yield from _split(chunk, lines)
            chunk, lines = [], []
    yield from _split(chunk, lines)


def _split(chunk: list[tuple[str, int]], lines: list[bytes]) -> Iterator[tuple[str, list[ox.Triple]]]:
    """The triples of ``lines`` (one an N-Triples line) handed back to their subjects."""
    triples = list(ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)) if lines else []
    if len(triples) != len(lines):
        raise ValueError(f"{len(lines)} N-Triples lines gave {len(triples)} triples")
    at = 0
    for iri, count in chunk:
        yield iri, triples[at:at + count]
        at += count


def _subject_block(writer: _Writer, iri: str, triples: list[ox.Triple]) -> str:
    """One IRI subject's block: its streamed triples added to the blank-node part's index
    for the time of the call."""
    subject = ox.NamedNode(iri)
    own = subject in writer.index
    objects = writer.index[subject]
    for t in triples:
        writer._check(t.object)  # a base direction; triple terms: _writable
        _, predicate, value = _writable(t.subject, t.predicate, t.object)
        objects[predicate].add(value)
    if len(writer.written) > IRI_CACHE:
        writer.written.clear()
    block = f"{writer.iri(subject)}\n{writer.predicates(subject, 1)} ."
    if not own:
        del writer.index[subject]
    return block
