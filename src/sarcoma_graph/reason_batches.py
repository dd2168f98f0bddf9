"""Reasoning in batches with bounded memory: the same closure as reasoning the whole graph.

Whole-graph reasoning holds every asserted triple, ``reasonable``'s closure and the chain index
in memory at once (about 2 GB at 1M quads; 20 GB at 10M). Here the dataset is streamed from
the store twice and reasoned in batches of about :data:`BATCH_TRIPLES` asserted triples, each
together with the whole TBox; each batch's inferences go to the store before the next starts.

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
subject's are there); the others are looked up in the store. The report's counts are read from
the inferences graph at the end (a triple derived in two batches is stored once).
"""

from __future__ import annotations

import array
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from sarcoma_graph.namespaces import OWL, RDF, RDFS, graph_iri
from sarcoma_graph.store import Store

if TYPE_CHECKING:
    from sarcoma_graph.reason import ReasoningReport

#: Asserted quads above which reasoning goes in batches: below, one call is faster (1M quads:
#: about 55 s CPU and 2 GB whole, 70 s and 1 GB in batches, on the loaded benchmark machine).
PARTITION_ABOVE = 2_000_000
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


def _tbox(store: Store) -> set[ox.Quad]:
    """The schema quads (in every batch): see the module docstring."""
    raw = store._store  # type: ignore[attr-defined]
    out: set[ox.Quad] = set(raw.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri("ontology"))))
    for predicate in SCHEMA_PREDICATES:
        out.update(raw.quads_for_pattern(None, ox.NamedNode(predicate), None, None))
    for meta in META_CLASSES:
        out.update(raw.quads_for_pattern(None, ox.NamedNode(_TYPE), ox.NamedNode(meta), None))
    out = {q for q in out if q.graph_name != ox.NamedNode(INFERRED)}
    todo = [t for q in out for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)]
    seen: set[ox.BlankNode] = set()
    while todo:  # the lists and restrictions the schema triples point to
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for q in raw.quads_for_pattern(node, None, None, None):
            if q.graph_name != ox.NamedNode(INFERRED):
                out.add(q)
                if isinstance(q.object, ox.BlankNode):
                    todo.append(q.object)
    return out


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


def _united(store: Store, joining: set[str]) -> _Parts | None:
    """The parts: nodes united by the joining predicates' triples (read through the store's
    predicate index, never the whole graph); ``None`` if the data uses ``owl:sameAs``."""
    raw = store._store  # type: ignore[attr-defined]
    inferred = ox.NamedNode(INFERRED)
    if any(q.graph_name != inferred for q in raw.quads_for_pattern(
            None, ox.NamedNode(_SAME_AS), None, None)):
        return None
    parts = _Parts()
    for predicate in sorted(joining):
        for q in raw.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            if q.graph_name != inferred and not isinstance(q.object, ox.Literal):
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


def _roots(dump: Path, parts: _Parts, schema: set[bytes]) -> array.array[int] | None:
    """Each line's part (its subject's root); 0 for a schema line (reasoned in every batch)."""
    roots = array.array("q")
    with dump.open("rb") as handle:
        for line in handle:
            if line in schema:
                roots.append(0)
                continue
            subject = _subject_hash(line)
            if subject is None:
                return None
            roots.append(parts.find(subject) or 1)  # 0 is the schema's
    return roots


def _batches(roots: array.array[int], size: int) -> tuple[array.array[int], dict[int, int]]:
    """Each line's batch number (-1: schema), and each part root's batch; parts in order of
    their first line, packed until a batch holds ``size`` lines."""
    counts: dict[int, int] = defaultdict(int)
    for root in roots:
        counts[root] += 1
    batch_of: dict[int, int] = {0: -1}
    batch, filled = 0, 0
    for root in roots:
        if root in batch_of:
            continue
        if filled and filled + counts[root] > size:
            batch, filled = batch + 1, 0
        batch_of[root] = batch
        filled += counts[root]
    return array.array("q", (batch_of[r] for r in roots)), batch_of


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


def materialise_in_batches(store: Store, batch_triples: int | None = None
                           ) -> ReasoningReport | None:
    """:func:`sarcoma_graph.reason.materialise` in batches; ``None`` if the graph's TBox (or an
    ``owl:sameAs``) needs the whole graph at once."""
    from sarcoma_graph.reason import ReasoningReport, key

    started = time.perf_counter()
    tbox = _tbox(store)
    joining = joining_predicates((key(q.subject), key(q.predicate), key(q.object)) for q in tbox)
    if joining is None:
        return None
    store.clear(INFERRED)  # (before the dump: the inferences are not asserted)
    with tempfile.TemporaryDirectory(prefix="sarcoma-graph-reason-",
                                     dir=os.environ.get("SARCOMA_GRAPH_TMP")) as tmp:
        folder = Path(tmp)
        dump = folder / "dump.nq"
        parts = _united(store, joining)
        if parts is None:
            return None
        with dump.open("wb") as handle:
            store.write_nquads(handle)
        schema = ox.serialize(sorted(tbox, key=str), format=ox.RdfFormat.N_QUADS) or b""
        roots = _roots(dump, parts, set(schema.splitlines(keepends=True)))
        if roots is None:
            return None
        line_batches, batch_of = _batches(roots, batch_triples or BATCH_TRIPLES)
        del roots
        count = max(batch_of.values()) + 1 or 1  # one batch at least: the TBox alone
        files = _split(dump, line_batches, folder, count)
        del line_batches
        dump.unlink()
        asserted, rounds = len({(q.subject, q.predicate, q.object) for q in tbox}), 0
        for number, path in enumerate(files):
            batch_asserted, batch_rounds = _reason_batch(store, schema + path.read_bytes(),
                                                         parts, batch_of, number)
            path.unlink()
            asserted += batch_asserted
            rounds = max(rounds, batch_rounds)
        asserted -= count * len({(q.subject, q.predicate, q.object) for q in tbox})
    counts = _inferred_counts(store)
    return ReasoningReport(asserted, sum(counts.values()), rounds, time.perf_counter() - started,
                           counts)


def _reason_batch(store: Store, data: bytes, parts: _Parts, batch_of: dict[int, int],
                  number: int) -> tuple[int, int]:
    """Reason one batch (TBox + its lines); its inferences into the store. Returns the batch's
    distinct asserted triples (TBox included) and its rounds."""
    from sarcoma_graph.reason import _fixpoint, _quads, _worth_keeping, term

    closure, asserted, rounds = _fixpoint(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    del data
    raw = store._store  # type: ignore[attr-defined]
    inferred_graph = ox.NamedNode(INFERRED)
    keep = []
    for t in closure - asserted:
        if not _worth_keeping(t):
            continue
        s = t[0]
        if batch_of.get(parts.find(hash(s))) != number:  # its subject is placed elsewhere
            pattern = (term(s), term(t[1]), term(t[2]))
            if any(q.graph_name != inferred_graph for q in raw.quads_for_pattern(*pattern, None)):
                continue  # asserted in another batch
        keep.append(t)
    size = len(asserted)
    del closure, asserted
    store.add_quads(_quads(sorted(keep)))
    return size, rounds


def _inferred_counts(store: Store) -> dict[str, int]:
    answer = store._store.query(  # type: ignore[attr-defined]
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }} GROUP BY ?p")
    counts = {row[0].value: int(row[1].value) for row in answer}
    return dict(sorted(counts.items()))

