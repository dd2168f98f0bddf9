"""Canonical Turtle of a large store with bounded memory: the same bytes as
:func:`sarcoma_graph.plumbing.turtle.canonical_turtle`, never the whole graph in Python.

The triples come as N-Triples text sorted by line (the saved dataset, sorted N-Quads, read
for the graphs asked for; else the store's dump, sorted on disk), so a subject's lines are
together: each subject is written as its lines are read, from their text
(:class:`~sarcoma_graph.plumbing.turtle_lines.LineFormatter`). Line order is not quite the
writer's subject order (``<a/b>`` sorts before ``<a>`` as a line, after it as an IRI), so the
blocks are sorted by subject IRI, :data:`RUN_BYTES` of them at a time, the runs copied or
merged from disk when there is more than one
(:class:`~sarcoma_graph.plumbing.block_runs.SortedBlocks`). The triples that hold a blank node (few: lists,
restrictions) are set aside on the way and go to one :class:`~sarcoma_graph.plumbing.turtle._Writer`
at the end, which gives them their RDFC-1.0 labels and decides which are written inline exactly
as the whole-graph writer does (every triple with a blank-node object is among them); an IRI
subject among them is written by that writer. The file is read once.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from sarcoma_graph.plumbing.block_runs import SortedBlocks
from sarcoma_graph.plumbing.nqsort import LineSorter
from sarcoma_graph.plumbing.turtle import (
    _canonical_triples,
    _document,
    _label_key,
    _writable,
    _Writer,
)
from sarcoma_graph.plumbing.turtle_lines import LineFormatter, Properties

#: Bytes of subject blocks sorted in memory at once.
RUN_BYTES = 128 << 20
#: Bytes of the store's dump sorted in memory at once (past it, in buckets on disk).
DUMP_RUN_BYTES = 128 << 20
#: IRIs whose written form is remembered (the cache is emptied when it grows past this).
IRI_CACHE = 200_000


def write_canonical_turtle(store: object, graphs: list[str], prefixes: Mapping[str, str],
                           out: BinaryIO, header: Iterable[str] = (),
                           dataset: Path | None = None) -> None:
    """Write the union of ``graphs`` of an Oxigraph store as canonical Turtle to ``out``.
    ``dataset``: an N-Quads file sorted by line holding what the store holds (the saved
    dataset), read instead of dumping the store, which decodes every term from its dictionary
    (25 µs a quad on disk); the store is not used then (``None`` will do)."""
    ends = tuple(f" <{g}> .{nl}".encode() for g in graphs for nl in ("\n", ""))
    with tempfile.TemporaryDirectory(prefix="sarcoma-graph-turtle-") as tmp:
        folder = Path(tmp)
        source = dataset if dataset is not None else _sorted_dump(store, folder)
        subjects = _Subjects(prefixes)
        iri_blocks = SortedBlocks(folder, RUN_BYTES)
        iri_blocks.add_all(subjects.blocks(source, ends))
        writer = subjects.writer  # made once every line was read
        tail = _blank_blocks(writer)  # the prefixes used are all known after this
        if iri_blocks.empty and not tail:  # no triple at all
            out.write(_document(writer.used, prefixes, header, []).encode())
            return
        head = _document(writer.used, prefixes, header, ["\0"]).split("\0")[0].encode()
        out.write(head[:-2])  # each block comes after a blank line: the head's own goes
        iri_blocks.write(out, 0 if head else 2)
        for number, block in enumerate(tail):
            data = b"\n\n" + block.encode()
            out.write(data[2:] if iri_blocks.empty and not head and not number else data)
        out.write(b"\n")


def _sorted_dump(store: object, folder: Path) -> Path:
    """The store's quads as N-Quads sorted by line, as the saved dataset is: the dataset's own
    sorter (:class:`~sarcoma_graph.plumbing.nqsort.LineSorter`), in a folder of its own."""
    work = folder / "dump"
    work.mkdir()
    sorter = LineSorter(work, DUMP_RUN_BYTES)
    store.write_nquads(sorter)  # type: ignore[attr-defined]
    path = folder / "sorted.nq"
    with path.open("wb") as out:
        sorter.write_sorted(out)
    shutil.rmtree(work)
    return path


def _blank_writer(blank: list[bytes], prefixes: Mapping[str, str]) -> _Writer:
    """The writer of the triples that hold a blank node, labelled as the whole graph's writer
    labels them."""
    triples = [(t.subject, t.predicate, t.object) for t in ox.parse(
        b"".join(body + b" .\n" for body in sorted(set(blank))), format=ox.RdfFormat.N_TRIPLES)]
    _canonical_triples(triples)
    return _Writer((_writable(s, p, o) for s, p, o in triples), prefixes)


def _groups(path: Path, ends: tuple[bytes, ...], blank: list[bytes], mixed: set[bytes]
            ) -> Iterator[tuple[bytes, Properties]]:
    """``(subject token, predicate token → object tokens)`` of each IRI subject's lines in the
    graphs (lines sorted: a subject's lines are together); a triple in two graphs once. The
    lines whose subject or object is a blank node go to ``blank`` (``S P O``), and an IRI
    subject of one to ``mixed``, before its group comes. One loop: this runs once a line."""
    subject, size, anonymous = b"\0", 1, False
    props: Properties = {}
    with path.open("rb") as lines:
        for line in lines:
            if not line.endswith(ends):
                continue
            if not line.startswith(subject):
                if props:
                    yield subject[:-1], props
                size = line.index(b" ") + 1
                subject, props, anonymous = line[:size], {}, line[0] == 95  # _:
            cut = line.rindex(b" ", 0, len(line) - 3)  # before the graph
            end = line.find(b" ", size, cut)
            if end < 0:  # a default-graph triple whose object is one of the graphs
                continue
            if anonymous or (line[end + 1] == 95 and line[end + 2] == 58):  # _:
                blank.append(line[:cut])
                mixed.add(subject)
                continue
            predicate, value = line[size:end], line[end + 1:cut]
            objects = props.get(predicate)
            if objects is None:
                props[predicate] = {value}
            else:
                objects.add(value)
    if props:
        yield subject[:-1], props


class _Subjects:
    """The IRI subjects' blocks in one pass over the sorted lines: each written from its
    lines' text as it is read, unless it has a blank-node object; the triples with a blank
    node go to one :class:`_Writer` made at the end (:attr:`writer`), which writes those
    subjects and the blank nodes."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = prefixes
        self.text = LineFormatter(_Writer([], prefixes))
        self.writer = self.text.writer

    def blocks(self, path: Path, ends: tuple[bytes, ...]) -> Iterator[tuple[bytes, str]]:
        """``(subject IRI, block)`` of each IRI subject, in line order, then those written by
        the blank-node part's writer."""
        blank: list[bytes] = []
        mixed: set[bytes] = set()
        stashed: list[tuple[bytes, Properties]] = []
        written = self.text.writer.written
        for subject, props in _groups(path, ends, blank, mixed):
            if subject + b" " in mixed:
                stashed.append((subject, props))
                continue
            yield subject[1:-1], self.text.block(subject, props)
            if len(written) > IRI_CACHE:
                written.clear()
        writer = self.writer = _blank_writer(blank, self.prefixes)
        writer.used |= self.text.writer.used
        del blank, mixed
        kept = {s.value for s in writer.index if isinstance(s, ox.NamedNode)}
        for subject, props in stashed:
            name = subject[1:-1].decode()
            kept.discard(name)
            yield subject[1:-1], _subject_block(writer, name, _triples(subject, props))
        for name in sorted(kept):
            yield name.encode(), _subject_block(writer, name, [])


def _triples(subject: bytes, props: Properties) -> list[ox.Triple]:
    lines = b"".join(subject + b" " + p + b" " + o + b" .\n" for p, objects in props.items()
                     for o in objects)
    return list(ox.parse(lines, format=ox.RdfFormat.N_TRIPLES))


def _blank_blocks(writer: _Writer) -> list[str]:
    """The labelled, then the anonymous blank-node subjects' blocks, as :meth:`_Writer.blocks`."""
    labelled = sorted((s for s in writer.index
                       if isinstance(s, ox.BlankNode) and s not in writer.inline and writer.refs[s]),
                      key=_label_key)
    blocks = [f"_:{s.value}\n{writer.predicates(s, 1)} ." for s in labelled]
    anonymous = [s for s in writer.index if isinstance(s, ox.BlankNode) and not writer.refs[s]]
    return blocks + sorted(f"[]\n{writer.predicates(s, 1)} ." for s in anonymous)


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
