"""Stage 2, reason: materialise OWL 2 RL entailments into the inferences graph; check the TBox.

The Rust reasoner ``reasonable`` computes the OWL 2 RL closure (inverses, sub-properties,
sub-classes, domain and range…) but not property chains (rule prp-spo2), so this module
applies every ``owl:propertyChainAxiom`` of the ontology itself and alternates the two until
nothing new is found. Inferred triples that only restate the obvious (``owl:Thing`` types,
reflexive axioms) or touch blank nodes are left out, so the inferences graph stays IRI-only.

Speed (issue 11): the triples go to ``reasonable`` once, as an N-Triples file that its own
parser reads (no Python term per triple on the way in); the chain triples of each round are
added to the same reasoner, which then reasons incrementally; and before each call the chains
are run to their own fixpoint together with the two OWL 2 RL rules that feed chains from chain
results (prp-spo1 sub-properties, prp-inv inverses), first on the asserted triples, so that
usually one reasoner call is enough and a second round only confirms that the closure adds no
chain input. Every triple added that way is one the old alternation derives too: the result is
the same least fixpoint (tested against it, ``tests/test_reasoning_scale.py``).

Terms are :data:`Key` strings, never rdflib terms: an IRI is itself (interned), a blank node
``_:label``, a literal ``"value NUL language NUL datatype`` (``None`` for the one it lacks); no
IRI starts with ``_`` or ``"`` (an IRI starts with its scheme). ``reasonable`` hands back its
triples by calling ``rdflib.URIRef``/``Literal``/``BNode``, which it looks up in ``sys.modules``
at each call; :func:`_keys_from` puts a stand-in module there for that call whose constructors
are C functions making keys, so the closure arrives as keys directly (half the reasoning time
went into building, hashing and comparing rdflib terms).
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
import types
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sarcoma_graph.namespaces import OWL, RDF, RDFS, graph_iri
from sarcoma_graph.plumbing.memory import without_gc
from sarcoma_graph.store import Store

#: A term as reasoning handles it: an IRI, ``_:label`` or ``"value\0language\0datatype``.
Key = str
Triple = tuple[Key, Key, Key]
INFERRED = graph_iri("inferred")
MAX_ROUNDS = 20
_FIRST, _REST, _NIL, _CHAIN = (sys.intern(str(t)) for t in (
    RDF.first, RDF.rest, RDF.nil, OWL.propertyChainAxiom))
_TYPE, _THING = sys.intern(str(RDF.type)), sys.intern(str(OWL.Thing))
_SUBPROPERTY, _INVERSE = sys.intern(str(RDFS.subPropertyOf)), sys.intern(str(OWL.inverseOf))
_REFLEXIVE = {str(t) for t in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
                               OWL.equivalentProperty, OWL.sameAs)}
_LIST_OR_CHAIN = {_FIRST, _REST, _CHAIN}
_PROPERTY_LINKS = {_SUBPROPERTY, _INVERSE}
_LITERAL = '"{}\0{}\0{}'  # value, language, datatype: what reasonable passes to rdflib.Literal


@dataclass
class ReasoningReport:
    """What materialisation added."""

    asserted: int = 0
    inferred: int = 0
    rounds: int = 0
    seconds: float = 0.0
    by_predicate: dict[str, int] = field(default_factory=dict)


Chain = tuple[str, list[str]]


def is_iri(value: Key) -> bool:
    """Whether a key is an IRI (not a blank node, not a literal)."""
    return value[:1] not in ("_", '"')


def is_literal(value: Key) -> bool:
    return value[:1] == '"'


def key(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Key:
    """A pyoxigraph term as a :data:`Key` (the one ``reasonable`` hands back for it)."""
    if isinstance(term, ox.NamedNode):
        return sys.intern(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        if term.language:
            return _LITERAL.format(term.value, term.language, None)
        return _LITERAL.format(term.value, None, term.datatype.value)
    raise TypeError(f"reasoning takes no triple term: {term}")


def term(value: Key) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A :data:`Key` as a pyoxigraph term."""
    if value.startswith('"'):
        lexical, language, datatype = value[1:].rsplit("\0", 2)
        if datatype == "None":
            return ox.Literal(lexical, language=language)
        return ox.Literal(lexical, datatype=ox.NamedNode(datatype))
    if value.startswith("_:"):
        return ox.BlankNode(value[2:])
    return ox.NamedNode(value)


def chain_axioms(triples: Iterable[Triple]) -> list[Chain]:
    """``(property, [p1, …, pn])`` for each ``owl:propertyChainAxiom``."""
    first: dict[Key, Key] = {}
    rest: dict[Key, Key] = {}
    heads: list[tuple[Key, Key]] = []
    for s, p, o in triples:
        if p not in _LIST_OR_CHAIN:
            continue
        if p == _FIRST:
            first[s] = o
        elif p == _REST:
            rest[s] = o
        else:
            heads.append((s, o))
    chains: list[Chain] = []
    for prop, head in sorted(heads, key=str):
        listed: list[Key] = []
        node, seen = head, set()
        while node in first and node not in seen:
            seen.add(node)
            listed.append(first[node])
            node = rest.get(node, _NIL)
        members = [m for m in listed if is_iri(m)]
        if is_iri(prop) and len(members) >= 2:
            chains.append((prop, members))
    return chains


Index = dict[Key, dict[Key, set[Key]]]


def _chain_results(index: Index, chains: list[Chain]) -> set[Triple]:
    out: set[Triple] = set()
    for prop, members in chains:
        pairs = {(s, o) for s, objects in index[members[0]].items() for o in objects}
        for member in members[1:]:
            step = index[member]
            pairs = {(start, end) for start, mid in pairs for end in step.get(mid, ())}
        out.update((s, prop, o) for s, o in pairs)
    return out


def _scan(triples: Iterable[Triple], predicates: set[str]) -> tuple[
        Index, dict[Key, set[Key]], dict[Key, set[Key]]]:
    """One pass: the chain members' index, super-properties (transitive) and inverses."""
    index: Index = {p: defaultdict(set) for p in predicates}
    sup: dict[Key, set[Key]] = defaultdict(set)
    inverse: dict[Key, set[Key]] = defaultdict(set)
    for s, p, o in triples:
        step = index.get(p)
        if step is not None:
            step[s].add(o)
        if p not in _PROPERTY_LINKS:
            continue
        if p == _SUBPROPERTY:
            if s != o:
                sup[s].add(o)
        else:
            inverse[s].add(o)
            inverse[o].add(s)
    for prop in list(sup):
        todo, seen = list(sup[prop]), set()
        while todo:
            parent = todo.pop()
            if parent not in seen and parent != prop:
                seen.add(parent)
                todo.extend(sup.get(parent, ()))
        sup[prop] = seen
    return index, sup, inverse


def chain_fixpoint(closure: set[Triple], chains: list[Chain]) -> set[Triple]:
    """Triples not in ``closure`` that chains, sub-properties (prp-spo1) and inverses (prp-inv)
    derive from it, to their joint fixpoint."""
    members: set[str] = {m for _, ms in chains for m in ms}
    index, sup, inverse = _scan(closure, members)
    found = _member_triples(closure, members, sup, inverse)
    for s, p, o in found:
        index[p][s].add(o)
    while True:
        todo = [t for t in _chain_results(index, chains) if t not in closure and t not in found]
        if not todo:
            return found
        while todo:
            triple = todo.pop()
            if triple in closure or triple in found:
                continue
            found.add(triple)
            s, p, o = triple
            if p in index:
                index[p][s].add(o)
            todo.extend((s, q, o) for q in sup.get(p, ()))
            if not is_literal(o):
                todo.extend((o, q, s) for q in inverse.get(p, ()))


def _member_triples(closure: set[Triple], members: set[str], sup: dict[Key, set[Key]],
                    inverse: dict[Key, set[Key]]) -> set[Triple]:
    """Chain-member triples that sub-properties and inverses give from other triples
    (a fusion partner is an affected gene, whose inverse is isAlteredIn)."""
    reach: dict[Key, list[tuple[Key, bool]]] = {}

    def reachable(prop: Key) -> list[tuple[Key, bool]]:
        if prop not in reach:
            seen, todo = set(), [(prop, False)]
            while todo:
                state = todo.pop()
                if state in seen:
                    continue
                seen.add(state)
                here, flipped = state
                todo.extend((q, flipped) for q in sup.get(here, ()))
                todo.extend((q, not flipped) for q in inverse.get(here, ()))
            reach[prop] = [(q, f) for q, f in seen if q in members and (q, f) != (prop, False)]
        return reach[prop]

    out: set[Triple] = set()
    for s, p, o in closure:
        targets = reach.get(p)
        if targets is None:
            targets = reachable(p)
        for q, flipped in targets:
            if flipped and is_literal(o):
                continue  # a literal is never a subject
            triple = (o, q, s) if flipped else (s, q, o)
            if triple not in closure:
                out.add(triple)
    return out


def _worth_keeping(triple: Triple) -> bool:
    s, p, o = triple
    if s.startswith("_:") or o.startswith("_:"):
        return False
    if p == _TYPE and o == _THING:
        return False
    return not (p in _REFLEXIVE and s == o)


@without_gc
def materialise(store: Store) -> ReasoningReport:
    """Replace the inferences graph with the OWL 2 RL closure (plus chains) of everything else."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sarcoma-graph-reason-") as tmp:
        closure, asserted, rounds = _fixpoint(store, Path(tmp))
    inferred = [t for t in closure - asserted if _worth_keeping(t)]
    del closure
    store.clear(INFERRED)
    store.add_quads(_quads(inferred))
    counts: dict[str, int] = defaultdict(int)
    for _, p, _ in inferred:
        counts[p] += 1
    return ReasoningReport(len(asserted), len(inferred), rounds,
                           time.perf_counter() - started, dict(sorted(counts.items())))


def _fixpoint(store: Store, tmp: Path) -> tuple[set[Triple], set[Triple], int]:
    """``(closure, asserted, rounds)``."""
    import reasonable  # heavy native module: imported when reasoning runs

    reasoner = reasonable.PyReasoner()
    own = _keys_from(reasoner.get_base_triples)  # its axioms (owl:Thing a owl:Class…)
    seen = _Watch(own)
    _feed(reasoner, tmp / "asserted.n3",
          lambda out: store.write_ntriples(seen.wrap(out), frozenset({INFERRED})))
    asserted = set(_keys_from(reasoner.get_base_triples))
    asserted -= {t for t in own if t not in seen.found}  # inferred unless the data has them
    chains = chain_axioms(asserted)
    # The chains' own fixpoint on the asserted triples first (the ontology's sub-property and
    # inverse axioms are asserted): usually all chain triples, so one reasoner call suffices.
    new = chain_fixpoint(asserted, chains) if chains else set()
    added: set[Triple] = set()
    closure: set[Triple] = set()
    for rounds in range(1, MAX_ROUNDS + 1):
        if new:  # appended to the reasoner: the next reason() is incremental
            _feed(reasoner, tmp / f"round{rounds}.n3", partial(_write, triples=new))
            added |= new
        closure = set(_keys_from(reasoner.reason))
        closure |= asserted
        closure |= added
        new = chain_fixpoint(closure, chains) if chains else set()
        if not new:
            return closure, asserted, rounds
    return closure | new, asserted, MAX_ROUNDS


def _feed(reasoner: Any, path: Path, write: Callable[[Any], None]) -> None:
    """Give ``reasonable`` triples through its own N-Triples parser (a ``.n3`` file)."""
    with path.open("wb") as out:
        write(out)
    reasoner.load_file(str(path))
    path.unlink()


class _Watch:
    """Notes which of a few triples pass through an N-Triples stream (``oxigraph`` writes each
    triple as one line, ``<s> <p> <o> .``, so a line says whether the data asserts it)."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.lines = {b"\n" + _ntriples([t]): t for t in triples}
        self.found: set[Triple] = set()
        self.tail = b"\n"
        self.width = max(map(len, self.lines), default=1)

    def wrap(self, out: Any) -> Any:
        watch = self

        class Writer:
            def write(self, data: bytes) -> int:
                watch.see(bytes(data))
                return out.write(data)  # type: ignore[no-any-return]

            def flush(self) -> None:
                out.flush()
        return Writer()

    def see(self, data: bytes) -> None:
        window = self.tail + data
        for line, triple in self.lines.items():
            if triple not in self.found and line in window:
                self.found.add(triple)
        self.tail = window[-self.width:]


def _write(out: Any, triples: Iterable[Triple]) -> None:
    ox.serialize((ox.Triple(term(s), term(p), term(o)) for s, p, o in triples),  # type: ignore[arg-type]
                 out, format=ox.RdfFormat.N_TRIPLES)


def _ntriples(triples: Iterable[Triple]) -> bytes:
    out = io.BytesIO()
    _write(out, triples)
    return out.getvalue()


def _keys_from(call: Callable[[], list[tuple[Any, Any, Any]]]) -> list[Triple]:
    """``call()`` (a ``reasonable`` method returning triples) with keys instead of rdflib terms.

    ``reasonable`` builds each term by looking ``rdflib`` up in ``sys.modules`` and calling its
    ``URIRef``, ``Literal`` or ``BNode``; for the length of the call that module is a stand-in
    whose constructors make keys. They are C functions, so no Python code runs during the call
    (no thread switch); another thread could only see the stand-in between the statements
    around the call, and none of ours imports rdflib (the HermiT thread runs owlready2 only).
    """
    shim = types.ModuleType("rdflib")
    shim.URIRef = sys.intern  # type: ignore[attr-defined]
    shim.Literal = _LITERAL.format  # type: ignore[attr-defined]
    shim.BNode = "_:".__add__  # type: ignore[attr-defined]
    real = sys.modules.get("rdflib")
    sys.modules["rdflib"] = shim
    try:
        return call()
    finally:
        if real is None:
            del sys.modules["rdflib"]
        else:
            sys.modules["rdflib"] = real


def _quads(triples: Iterable[Triple]) -> Iterator[ox.Quad]:
    g = ox.NamedNode(INFERRED)
    return (ox.Quad(term(s), term(p), term(o), g) for s, p, o in triples)  # type: ignore[arg-type]
