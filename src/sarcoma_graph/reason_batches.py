"""Reasoning in batches with bounded memory: the same closure as reasoning the whole graph.

Whole-graph reasoning holds every asserted triple, ``reasonable``'s closure and the chain index
in memory at once (about 2 GB at 1M quads; 20 GB at 10M). Here the saved dataset (or a dump
of the store) is read three times as lines (TBox, parts, split) and reasoned in batches of about
:data:`BATCH_TRIPLES` asserted triples, each together with the whole TBox; the batches'
inferences are appended to a file, which the store's bulk loader takes at the end.

Why the union of the batches' closures is the whole graph's closure. The TBox (the ontology
graph, every triple with a schema predicate such as ``rdfs:subClassOf`` or
``owl:propertyChainAxiom``, ``rdf:type`` to an OWL/RDFS meta-class, and the blank nodes those
reach) is in every batch. The other triples are placed by their subject, so every asserted
triple about a node is in its node's batch. With this ontology language (checked: no
``owl:hasKey``, functional or inverse-functional property, value restriction, cardinality,
intersection or ``owl:sameAs``; otherwise the whole graph is reasoned at once) the OWL 2 RL
rules that join two ABox triples are the property chains (prp-spo2) and transitive properties
(prp-trp), joining at a chain's middle node; every other rule has one ABox premise, and
derives triples about that premise's own two nodes. So a triple ``s p o`` must also sit in
``o``'s batch exactly when a triple derived from it through sub-properties, inverses, symmetry
and chain heads has a joining role at ``o`` (:func:`joining_predicates`): then ``s`` and ``o``
are united (union-find), and batches are unions of whole parts. Nothing else joins across
batches, so each rule firing of the whole graph fires in some batch.

What a batch derives but the whole graph would not call inferred: a triple asserted in another
batch (a range type or an inverse, about a node placed elsewhere). A derived triple whose
subject is placed in the batch is compared with the batch's own asserted triples (all of that
subject's are there); the others are collected and, after the last batch, compared with the
sorted dataset in one pass (a store lookup each, 25 µs on disk, took a tenth of the time at
10M quads). The report's counts are read from the inferences graph at the end (a triple
derived in two batches is stored once).
"""

from __future__ import annotations

import array
import bisect
import operator
import os
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pyoxigraph as ox

from sarcoma_graph.namespaces import OWL, RDF, RDFS, graph_iri
from sarcoma_graph.plumbing.nqsort import in_graph
from sarcoma_graph.store import Store

if TYPE_CHECKING:
    from sarcoma_graph.reason import ReasoningReport

#: Asserted quads above which reasoning goes in batches: below, one call is faster (1M quads:
#: about 55 s CPU and 2 GB whole, 70 s and 1 GB in batches, on the loaded benchmark machine);
#: above, batches win both ways (2M quads on disk, quiet: 208 s CPU and 4.0 GB whole, 175 s
#: and 1.8 GB in batches, the same dataset). Whole-graph memory grows about 2 GB a million.
PARTITION_ABOVE = 1_500_000
#: Asserted triples per batch (besides the TBox): about 600 MB of reasoning at a time.
BATCH_TRIPLES = 300_000

_O, _R = str(OWL), str(RDFS)
#: Predicates whose triples are schema: in every batch.
SCHEMA_PREDICATES = frozenset(
    [_R + n for n in ("subClassOf", "subPropertyOf", "domain", "range")]
    + [_O + n for n in ("equivalentClass", "equivalentProperty", "inverseOf", "propertyChainAxiom",
                        "disjointWith", "propertyDisjointWith", "members", "distinctMembers",
                        "oneOf", "unionOf", "complementOf", "disjointUnionOf", "onProperty",
                        "onClass", "onDataRange", "withRestrictions", "datatypeComplementOf",
                        "sourceIndividual", "assertionProperty", "targetIndividual",
                        "targetValue", "annotatedSource", "annotatedProperty", "annotatedTarget",
                        "someValuesFrom", "allValuesFrom", "hasValue", "hasKey", "hasSelf",
                        "intersectionOf", "maxCardinality", "maxQualifiedCardinality",
                        "minCardinality", "minQualifiedCardinality", "cardinality",
                        "qualifiedCardinality")])
#: ``rdf:type`` objects that make a triple schema.
META_CLASSES = frozenset(
    [_O + n for n in ("Class", "Restriction", "ObjectProperty", "DatatypeProperty",
                      "AnnotationProperty", "TransitiveProperty", "SymmetricProperty",
                      "AsymmetricProperty", "ReflexiveProperty", "IrreflexiveProperty",
                      "FunctionalProperty", "InverseFunctionalProperty", "AllDisjointClasses",
                      "AllDisjointProperties", "AllDifferent", "NegativePropertyAssertion",
                      "Ontology", "DeprecatedClass", "DeprecatedProperty", "Axiom")]
    + [_R + n for n in ("Class", "Datatype")] + [str(RDF.Property), str(RDF.List)])
#: Constructs whose rules join ABox triples in ways :func:`joining_predicates` does not model.
UNSUPPORTED = frozenset(
    [_O + n for n in ("someValuesFrom", "allValuesFrom", "hasValue", "hasKey", "hasSelf",
                      "intersectionOf", "maxCardinality", "maxQualifiedCardinality",
                      "cardinality", "qualifiedCardinality", "sameAs", "FunctionalProperty",
                      "InverseFunctionalProperty")])
_TYPE, _SAME_AS = str(RDF.type), _O + "sameAs"
INFERRED = graph_iri("inferred")


def wants_batches(store: Store, batch_triples: int | None) -> bool:
    """Whether to reason in batches: an Oxigraph store, and asked for or a large graph."""
    if getattr(store, "_store", None) is None or not hasattr(store, "write_nquads"):
        return False
    return batch_triples is not None or store.count() - store.count(INFERRED) > PARTITION_ABOVE


def _line_parts(line: bytes) -> tuple[bytes, bytes, bytes]:
    """An N-Quads line (as oxigraph writes it: one space between terms) as ``(subject,
    predicate, the rest)``; the rest is the object, the graph (if any) and `` .``."""
    subject, predicate, rest = (line[:-1] if line.endswith(b"\n") else line).split(b" ", 2)
    return subject, predicate, rest


_SCHEMA_LINE_PREDICATES = frozenset(f"<{p}>".encode() for p in SCHEMA_PREDICATES)
_META_OBJECTS = frozenset(f"<{c}>".encode() for c in META_CLASSES)
_TYPE_BYTES = f"<{_TYPE}>".encode()
_ONTOLOGY_END = f" <{graph_iri('ontology')}> .".encode()
_INFERRED_END = f" <{INFERRED}> .".encode()
_INFERRED_LINE_END = _INFERRED_END + b"\n"


def _is_schema(line: bytes) -> bool:
    _, predicate, rest = _line_parts(line)
    if predicate in _SCHEMA_LINE_PREDICATES or in_graph(line, _ONTOLOGY_END):
        return True
    return predicate == _TYPE_BYTES and rest.split(b" ", 1)[0] in _META_OBJECTS


def _schema_pattern() -> re.Pattern[bytes]:
    """Where a schema line's predicate (and a meta-class object) can be: every such text is
    `` <http://www.w3.org/…`` (one literal prefix, which the regular expression engine scans
    for in C); a match is confirmed on its line by :func:`_is_schema`."""
    w3 = "http://www.w3.org/"
    if any(not t.startswith(f"<{w3}".encode()) for t in _SCHEMA_LINE_PREDICATES | _META_OBJECTS
           | {_TYPE_BYTES}):
        raise AssertionError("a schema predicate or meta-class outside www.w3.org")

    def tails(terms: Iterable[bytes]) -> bytes:
        return b"|".join(re.escape(t[len(w3) + 1:]) for t in sorted(terms))
    return re.compile(rb" <http://www\.w3\.org/(?:(?:" + tails(_SCHEMA_LINE_PREDICATES)
                      + rb") |" + re.escape(_TYPE_BYTES[len(w3) + 1:]) + rb" <http://www\.w3\.org/(?:"
                      + tails(_META_OBJECTS) + rb") )")


def _blocks(dataset: Path) -> Iterator[bytes]:
    """The file in blocks of whole lines (about 16 MB), each preceded by ``\\n`` (so that every
    line start is ``\\n`` + its first characters); the last line gets its end if it lacks one."""
    rest = b""
    with dataset.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            cut = chunk.rfind(b"\n") + 1
            if cut:
                yield b"\n" + rest + chunk[:cut]
                rest = chunk[cut:]
            else:
                rest += chunk
    if rest:
        yield b"\n" + rest + b"\n"


def _line_at(block: bytes, at: int) -> bytes:
    """The line (with its end) of ``block`` around position ``at``."""
    return block[block.rindex(b"\n", 0, at) + 1:block.index(b"\n", at) + 1]


def schema_lines(dataset: Path) -> set[bytes] | None:
    """The TBox lines of an N-Quads file (in every batch; see the module docstring): the
    ontology graph, schema predicates, types that are meta-classes, and the lines about the
    blank nodes those reach (lists, restrictions). The inferences graph is left out. ``None``
    if a line is neither a triple about an IRI nor one about a blank node (RDF-star, a comment).

    The file is scanned a block at a time for the few places a schema line can be (one regular
    expression, the ontology graph's ending, blank-node subjects); only those lines are read."""
    schema: set[bytes] = set()
    about: dict[bytes, list[bytes]] = defaultdict(list)  # a blank node's own lines
    hint = _schema_pattern()
    ontology = _ONTOLOGY_END + b"\n"
    for block in _blocks(dataset):
        lines = block.count(b"\n") - 1
        if b"\n<<" in block or block.count(b"\n<") + block.count(b"\n_:") != lines:
            return None
        found = {_line_at(block, m.start()) for m in hint.finditer(block)}
        at = block.find(ontology)
        while at >= 0:
            found.add(_line_at(block, at))
            at = block.find(ontology, at + 1)
        at = block.find(b"\n_:")
        while at >= 0:
            line = _line_at(block, at + 1)
            if not in_graph(line, _INFERRED_END):
                about[line[:line.index(b" ")]].append(line)
            at = block.find(b"\n_:", at + 1)
        schema.update(line for line in found
                      if not in_graph(line, _INFERRED_END) and _is_schema(line))
    todo = [o for o in (_line_parts(line)[2].split(b" ", 1)[0] for line in schema)
            if o.startswith(b"_:")]
    seen: set[bytes] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for line in about.get(node, ()):
            schema.add(line)
            value = _line_parts(line)[2].split(b" ", 1)[0]
            if value.startswith(b"_:"):
                todo.append(value)
    return schema


def _triples(lines: Iterable[bytes]) -> set[tuple[str, str, str]]:
    from sarcoma_graph.reason import key

    quads = ox.parse(b"".join(sorted(lines)), format=ox.RdfFormat.N_QUADS)
    return {(key(q.subject), key(q.predicate), key(q.object)) for q in quads}


def joining_predicates(tbox: Iterable[tuple[str, str, str]]) -> set[str] | None:
    """Predicates ``p`` such that a triple ``s p o`` must be reasoned with ``o``'s batch, or
    ``None`` if the TBox uses a construct whose joins are not modelled (reason at once)."""
    from sarcoma_graph.reason import chain_axioms

    triples = list(tbox)
    if any(p in UNSUPPORTED or (p == _TYPE and o in UNSUPPORTED) for _, p, o in triples):
        return None
    chains = chain_axioms(triples)
    sup: dict[str, set[str]] = defaultdict(set)
    inverse: dict[str, set[str]] = defaultdict(set)
    symmetric, transitive = set(), set()
    for s, p, o in triples:
        if p == _R + "subPropertyOf":
            sup[s].add(o)
        elif p == _O + "equivalentProperty":
            sup[s].add(o)
            sup[o].add(s)
        elif p == _O + "inverseOf":
            inverse[s].add(o)
            inverse[o].add(s)
        elif p == _TYPE and o == _O + "SymmetricProperty":
            symmetric.add(s)
        elif p == _TYPE and o == _O + "TransitiveProperty":
            transitive.add(s)
    if _TYPE in transitive or any(_TYPE in members for _, members in chains):
        return None
    base: set[tuple[str, bool]] = set()  # (property, at the object end) roles where rules join
    for _, members in chains:
        base.update((m, True) for m in members[:-1])
        base.update((m, False) for m in members[1:])
    for prop in transitive:
        base.update(((prop, True), (prop, False)))
    heads = defaultdict(set)  # a chain's first/last member gives the chain property's role
    for prop, members in chains:
        heads[(members[0], False)].add((prop, False))
        heads[(members[-1], True)].add((prop, True))

    def reaches(role: tuple[str, bool]) -> bool:
        seen, todo = set(), [role]
        while todo:
            here = todo.pop()
            if here in seen:
                continue
            if here in base:
                return True
            seen.add(here)
            prop, at_object = here
            todo.extend((q, at_object) for q in sup.get(prop, ()))
            todo.extend((q, not at_object) for q in inverse.get(prop, ()))
            if prop in symmetric:
                todo.append((prop, not at_object))
            todo.extend(heads.get(here, ()))
        return False
    properties = {s for s, _, _ in triples} | {o for _, _, o in triples} | {m for _, ms in chains for m in ms}
    return {p for p in properties if reaches((p, True))}


class _Parts:
    """Union-find over node hashes (a collision only merges two parts: still sound)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, node: int) -> int:
        parent = self.parent
        root = node
        while (up := parent.get(root)) is not None and up != root:
            root = up
        while node != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def _node_hash(term: Any) -> int:
    return hash("_:" + term.value) if isinstance(term, ox.BlankNode) else hash(term.value)


class _LabelsDiffer(Exception):
    """Blank nodes join parts, and the file's labels for them are not the store's."""


def _united(store: Store, joining: set[str], same_labels: bool) -> _Parts | None:
    """The parts: nodes united by the joining predicates' triples (read through the store's
    predicate index, never the whole graph); ``None`` if the data uses ``owl:sameAs``.
    Raises :class:`_LabelsDiffer` if a blank node joins and not ``same_labels``."""
    raw = store._store  # type: ignore[attr-defined]
    inferred = ox.NamedNode(INFERRED)
    if any(q.graph_name != inferred for q in raw.quads_for_pattern(
            None, ox.NamedNode(_SAME_AS), None, None)):
        return None
    parts = _Parts()
    for predicate in sorted(joining):
        for q in raw.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            if q.graph_name != inferred and not isinstance(q.object, ox.Literal):
                if not same_labels and ox.BlankNode in (type(q.subject), type(q.object)):
                    raise _LabelsDiffer
                parts.union(_node_hash(q.subject), _node_hash(q.object))
    return parts


def _subject_hash(line: bytes) -> int | None:
    """The hash of an N-Quads line's subject as :func:`_node_hash` gives it, read from the
    text (``None`` for a line that is not a plain triple: a quoted triple, a comment)."""
    if line[:1] == b"<" and line[:2] != b"<<":
        iri = line[1:line.index(b">")]
        if b"\\" not in iri:
            return hash(iri.decode())
    elif line[:2] == b"_:":
        return hash("_:" + line[2:line.index(b" ")].decode())
    for q in ox.parse(line, format=ox.RdfFormat.N_QUADS):  # an escaped IRI: rare
        if isinstance(q.subject, ox.NamedNode | ox.BlankNode):
            return _node_hash(q.subject)
    return None


def _roots(dataset: Path, parts: _Parts, schema: set[bytes]) -> array.array[int] | None:
    """Each line's part (its subject's root); 0 for a line in no batch file: a schema line
    (reasoned in every batch) or one of the inferences graph (replaced). A subject's lines
    are usually together (the saved dataset is sorted): its root is found once for them."""
    roots = array.array("q")
    append, find = roots.append, parts.find
    subject, root = None, 0
    with dataset.open("rb") as handle:
        for line in handle:
            if line[-1:] != b"\n":  # the file's last line, without its end
                line += b"\n"
            if line in schema or (line.endswith(_INFERRED_LINE_END)
                                  and in_graph(line, _INFERRED_END)):
                append(0)
                continue
            head = line[:line.find(b" ")]
            if head != subject:
                hashed = _subject_hash(line)
                if hashed is None:
                    return None
                subject, root = head, find(hashed) or 1  # 0 is the schema's
            append(root)
    return roots


def _batches(roots: array.array[int], size: int) -> tuple[array.array[int], dict[int, int]]:
    """Each line's batch number (-1: schema), and each part root's batch; parts in order of
    their first line, packed until a batch holds ``size`` lines."""
    counts = Counter(roots)
    batch_of: dict[int, int] = {0: -1}
    batch, filled = 0, 0
    for root in dict.fromkeys(roots):  # each root once, in order of its first line
        if root in batch_of:
            continue
        if filled and filled + counts[root] > size:
            batch, filled = batch + 1, 0
        batch_of[root] = batch
        filled += counts[root]
    return array.array("q", map(batch_of.__getitem__, roots)), batch_of


def _split(dump: Path, line_batches: array.array[int], folder: Path, batches: int) -> list[Path]:
    paths = [folder / f"batch{n}.nq" for n in range(batches)]
    handles = [p.open("wb") for p in paths]
    try:
        with dump.open("rb") as lines:
            for line, batch in zip(lines, line_batches, strict=True):
                if batch >= 0:
                    handles[batch].write(line)
    finally:
        for h in handles:
            h.close()
    return paths


@dataclass
class _Plan:
    """The batches: the schema lines (in each), their triples, the parts and each part's
    batch, each batch's file of lines, and the file they were read from."""

    schema: bytes
    tbox: set[tuple[str, str, str]]
    parts: _Parts
    batch_of: dict[int, int]
    files: list[Path]
    source: Path


def _plan(store: Store, dataset: Path, folder: Path, size: int, same_labels: bool
          ) -> _Plan | None:
    """Split ``dataset`` into batch files in ``folder``; ``None`` if the graph needs reasoning
    at once (a construct whose joins are not modelled, ``owl:sameAs``, an unusual line).
    ``same_labels``: the file's blank-node labels are the store's (see :func:`_united`)."""
    schema = schema_lines(dataset)
    if schema is None:
        return None
    tbox = _triples(schema)
    joining = joining_predicates(tbox)
    parts = None if joining is None else _united(store, joining, same_labels)
    if parts is None:
        return None
    roots = _roots(dataset, parts, schema)
    if roots is None:
        return None
    line_batches, batch_of = _batches(roots, size)
    del roots
    count = max(batch_of.values()) + 1 or 1  # one batch at least: the TBox alone
    files = _split(dataset, line_batches, folder, count)
    return _Plan(b"".join(sorted(schema)), tbox, parts, batch_of, files, dataset)


def materialise_in_batches(store: Store, batch_triples: int | None = None,
                           dataset: Path | None = None) -> ReasoningReport | None:
    """:func:`sarcoma_graph.reason.materialise` in batches; ``None`` if the graph's TBox (or an
    ``owl:sameAs``) needs the whole graph at once. ``dataset``: an N-Quads file holding what
    the store holds (the saved dataset it was loaded from, whose inferences graph is ignored),
    read instead of dumping the store (an on-disk store decodes every term it dumps: 25 µs a
    quad). The inferences go to a file and into the store at the end by the bulk loader: the
    store's write buffers and log do not grow batch after batch (1.6 GB at 10M quads)."""
    from sarcoma_graph.reason import ReasoningReport

    started = time.perf_counter()
    store.clear(INFERRED)
    with tempfile.TemporaryDirectory(prefix="sarcoma-graph-reason-",
                                     dir=os.environ.get("SARCOMA_GRAPH_TMP")) as tmp:
        folder = Path(tmp)
        size = batch_triples or BATCH_TRIPLES
        try:
            plan = _plan(store, dataset or _dump(store, folder), folder, size, dataset is None)
        except _LabelsDiffer:
            plan = _plan(store, _dump(store, folder), folder, size, True)
        if plan is None:
            return None
        inferred = folder / "inferred.nq"
        asserted, rounds = _reason_batches(store, plan, inferred)
        _sort_unique(inferred)
        store.bulk_load_file(inferred)  # type: ignore[attr-defined]
    counts = _inferred_counts(store)
    return ReasoningReport(asserted, sum(counts.values()), rounds, time.perf_counter() - started,
                           counts)


def _dump(store: Store, folder: Path) -> Path:
    dump = folder / "dump.nq"
    with dump.open("wb") as handle:
        store.write_nquads(handle)
    return dump


def _reason_batches(store: Store, plan: _Plan, out: Path) -> tuple[int, int]:
    """Reason every batch, its inferences appended to ``out``; the asserted triples (distinct
    within each batch, the TBox counted once) and the most rounds a batch took."""
    asserted, rounds = len(plan.tbox), 0
    cross: set[tuple[str, str, str]] = set()  # about a node placed elsewhere: asserted there?
    with out.open("wb") as handle:
        for number, path in enumerate(plan.files):
            batch_asserted, batch_rounds = _reason_batch(
                plan.schema + path.read_bytes(), plan, number, cross, handle)
            path.unlink()
            asserted += batch_asserted - len(plan.tbox)
            rounds = max(rounds, batch_rounds)
        handle.writelines(_unasserted_lines(store, plan.source, cross))
    return asserted, rounds


def _reason_batch(data: bytes, plan: _Plan, number: int, cross: set[tuple[str, str, str]],
                  out: BinaryIO) -> tuple[int, int]:
    """Reason one batch (TBox + its lines); its inferences about its own nodes written to
    ``out`` as N-Quads, those about nodes placed in other batches added to ``cross`` (they may
    be asserted there: checked once at the end). Returns the batch's distinct asserted triples
    (TBox included) and its rounds."""
    from sarcoma_graph.reason import _fixpoint, _quads, _worth_keeping

    closure, asserted, rounds = _fixpoint(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    del data
    batch_of, find = plan.batch_of, plan.parts.find
    keep = []
    for t in closure - asserted:
        if not _worth_keeping(t):
            continue
        if batch_of.get(find(hash(t[0]))) != number:  # subject placed elsewhere
            cross.add(t)
            continue
        keep.append(t)
    size = len(asserted)
    del closure, asserted
    out.write(ox.serialize(_quads(keep), format=ox.RdfFormat.N_QUADS) or b"")
    return size, rounds


def _unasserted_lines(store: Store, source: Path, cross: set[tuple[str, str, str]]
                      ) -> list[bytes]:
    """The N-Quads lines (inferences graph) of the triples of ``cross`` that no graph but the
    inferences graph of ``source`` (holding what the store holds) asserts: one merge with the
    sorted file, or a store lookup each when the file is not sorted (a dump)."""
    from sarcoma_graph.reason import _quads, term

    triples = sorted(cross)
    lines = (ox.serialize(_quads(triples), format=ox.RdfFormat.N_QUADS) or b"").splitlines(
        keepends=True)
    cut = len(_INFERRED_LINE_END)
    if len(lines) != len(triples) or not all(line.endswith(_INFERRED_LINE_END) for line in lines):
        raise AssertionError("unexpected N-Quads serialisation of inferred triples")
    found = _asserted_prefixes(source, sorted({line[:-cut] + b" " for line in lines}))
    if found is not None:
        return [line for line in lines if line[:-cut] + b" " not in found]
    raw = store._store  # type: ignore[attr-defined]
    return [line for t, line in zip(triples, lines, strict=True)
            if next(iter(raw.quads_for_pattern(term(t[0]), term(t[1]), term(t[2]), None)),
                    None) is None]


def _asserted_prefixes(source: Path, prefixes: list[bytes], block_bytes: int = 1 << 24
                       ) -> set[bytes] | None:
    """Which of the sorted ``prefixes`` (a triple's N-Quads terms and a space) begin a line of
    ``source`` outside the inferences graph, found in one pass over the file; ``None`` if its
    lines are not in order (a line's triple part sorts as the line does: the space after the
    object sorts before any character that could follow the object's last one)."""
    found: set[bytes] = set()
    at, last = 0, b""
    with source.open("rb") as handle:
        for block in iter(lambda: handle.readlines(block_bytes), []):
            if block[0] < last or not all(map(operator.le, block, islice(block, 1, None))):
                return None
            last, lo, end = block[-1], 0, len(block)
            while at < len(prefixes):
                prefix = prefixes[at]
                row = lo = bisect.bisect_left(block, prefix, lo)
                while row < end and block[row].startswith(prefix):
                    if not in_graph(block[row], _INFERRED_END):
                        found.add(prefix)
                        break
                    row += 1
                else:
                    if row == end:
                        break  # its lines may go on in the next block
                at += 1
    return found


def _sort_unique(path: Path) -> None:
    """Sort the lines of ``path`` and drop repeats (a triple about a node placed elsewhere may
    be derived in several batches)."""
    with path.open("rb") as handle:
        lines = sorted(set(handle))
    with path.open("wb") as handle:
        handle.writelines(lines)


def _inferred_counts(store: Store) -> dict[str, int]:
    answer = store._store.query(  # type: ignore[attr-defined]
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }} GROUP BY ?p")
    counts = {row[0].value: int(row[1].value) for row in answer}
    return dict(sorted(counts.items()))

