"""Stage 2, reason: materialise OWL 2 RL entailments into the inferences graph; check the TBox.

The Rust reasoner ``reasonable`` computes the OWL 2 RL closure (inverses, sub-properties,
sub-classes, domain and range…) but not property chains (rule prp-spo2), so this module
applies every ``owl:propertyChainAxiom`` of the ontology itself and alternates the two until
nothing new is found. Inferred triples that only restate the obvious (``owl:Thing`` types,
reflexive axioms) or touch blank nodes are left out, so the inferences graph stays IRI-only.

Speed (issue 11): the triples go to ``reasonable`` once, as light objects of its own liking
(:class:`URIRef`, :class:`Literal`, one per distinct term), together with what the chains derive
from them; the chain triples of each later round are added to the same reasoner, which then
reasons incrementally. Before each call the chains are run to their own fixpoint together with
the two OWL 2 RL rules that feed chains from chain results (prp-spo1 sub-properties, prp-inv
inverses), first on the asserted triples, so that usually one reasoner call is enough and a
second round only confirms that the closure adds no chain input. Every triple added that way
is one the old alternation derives too: the result is the same least fixpoint (tested against
it, ``tests/test_reasoning_scale.py``).

Terms are :data:`Key` strings, never rdflib terms: an IRI is itself (interned), a blank node
``_:label``, a literal ``"value NUL language NUL datatype`` (``None`` for the one it lacks); no
IRI starts with ``_`` or ``"`` (an IRI starts with its scheme). ``reasonable`` hands back its
triples by calling ``rdflib.URIRef``/``Literal``/``BNode``, which it looks up in ``sys.modules``
at each call; :func:`_keys_from` puts a stand-in module there for that call whose constructors
are C functions making keys, so the closure arrives as keys directly (half the reasoning time
went into building, hashing and comparing rdflib terms).
"""

from __future__ import annotations

import sys
import time
import types
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sarcoma_graph.namespaces import OWL, RDF, RDFS, XSD, graph_iri
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
_BUILT_IN_CLASSES = frozenset({_THING, sys.intern(str(OWL.Nothing))})
_DISJOINT = sys.intern(str(OWL.disjointWith))
_SUBPROPERTY, _INVERSE = sys.intern(str(RDFS.subPropertyOf)), sys.intern(str(OWL.inverseOf))
_REFLEXIVE = {str(t) for t in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
                               OWL.equivalentProperty, OWL.sameAs)}
_LIST_OR_CHAIN = {_FIRST, _REST, _CHAIN}
_PROPERTY_LINKS = {_SUBPROPERTY, _INVERSE}
_XSD_STRING = str(XSD.string)
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
    for s, p, o in _with_predicate(triples, predicates | _PROPERTY_LINKS):
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


_PREDICATE = itemgetter(1)


def _with_predicate(triples: Iterable[Triple], predicates: set[Key]) -> Iterable[Triple]:
    """The triples whose predicate is one of ``predicates``, chosen without a Python step per
    triple (the chains need few of a closure's millions). ``triples`` is read twice when it is
    a collection (a set iterates in the same order twice), once otherwise."""
    if not isinstance(triples, set | list | tuple | frozenset):
        return [t for t in triples if t[1] in predicates]
    return compress(triples, map(predicates.__contains__, map(_PREDICATE, triples)))


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
    wanted = {p for p in set(map(_PREDICATE, closure)) if reachable(p)}
    for s, p, o in _with_predicate(closure, wanted):
        for q, flipped in reach[p]:
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
    if (p == _TYPE and o == _THING) or s in _BUILT_IN_CLASSES:
        return False  # (OWL 2 RL's cls-thing and cls-nothing: built-ins need no declaration,
        # and "the classes of the graph" listed owl:Thing and owl:Nothing, review r16 interop A10)
    return not (p in _REFLEXIVE and s == o)


@without_gc
def materialise(store: Store, batch_triples: int | None = None,
                dataset: Path | None = None) -> ReasoningReport:
    """Replace the inferences graph with the OWL 2 RL closure (plus chains) of everything else.

    Above :data:`~sarcoma_graph.reason_batches.PARTITION_ABOVE` asserted quads (or with
    ``batch_triples``) on an Oxigraph store, the graph is reasoned in batches of connected parts
    with bounded memory (:mod:`sarcoma_graph.reason_batches`); the result is the same.
    ``dataset``: the saved N-Quads the store was loaded from, which batches read instead of a
    dump of the store.
    """
    from sarcoma_graph.reason_batches import materialise_in_batches, wants_batches

    if wants_batches(store, batch_triples):
        report = materialise_in_batches(store, batch_triples, dataset)
        if report is not None:
            return report
    started = time.perf_counter()
    inferred_graph = ox.NamedNode(INFERRED)
    closure, asserted, rounds = _fixpoint(q for q in store.quads() if q.graph_name != inferred_graph)
    inferred = [t for t in closure - asserted if _worth_keeping(t)]
    del closure
    store.clear(INFERRED)
    store.add_quads(_quads(inferred))
    counts: dict[str, int] = defaultdict(int)
    for _, p, _ in inferred:
        counts[p] += 1
    return ReasoningReport(len(asserted), len(inferred), rounds,
                           time.perf_counter() - started, dict(sorted(counts.items())))


def _fixpoint(quads: Iterable[ox.Quad]) -> tuple[set[Triple], set[Triple], int]:
    """``(closure, asserted, rounds)`` of the asserted ``quads`` (their graphs ignored)."""
    import reasonable  # heavy native module: imported when reasoning runs

    feed, asserted = _asserted(quads)
    chains = chain_axioms(asserted)
    # The chains' own fixpoint on the asserted triples first (the ontology's sub-property and
    # inverse axioms are asserted): usually all chain triples, so one reasoner call suffices.
    new = chain_fixpoint(asserted, chains) if chains else set()
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(feed + [_fed(t) for t in new])
    del feed
    added: set[Triple] = set(new)
    closure: set[Triple] = set()
    for rounds in range(1, MAX_ROUNDS + 1):
        closure = set(_keys_from(reasoner.reason))
        closure |= asserted
        closure |= added
        new = chain_fixpoint(closure, chains) if chains else set()
        if not new:
            return closure, asserted, rounds
        reasoner.from_graph([_fed(t) for t in new])  # appended: the next reason() is incremental
        added |= new
    return closure | new, asserted, MAX_ROUNDS


class URIRef(str):
    """An IRI as ``reasonable`` reads it: it goes by the class name and asks every term for a
    ``datatype`` and a ``language`` (a plain ``str`` would raise, twice, per term)."""

    __slots__ = ()
    datatype = None
    language = None


class BNode(URIRef):
    """A blank node's label, as ``reasonable`` reads it."""

    __slots__ = ()


class Literal:
    """A literal as ``reasonable`` reads it (``str()`` is the lexical form)."""

    __slots__ = ("datatype", "language", "value")

    def __init__(self, value: str, datatype: str | None, language: str | None) -> None:
        self.value, self.datatype, self.language = value, datatype, language

    def __str__(self) -> str:
        return self.value


Fed = URIRef | Literal


def _asserted(quads: Iterable[ox.Quad]) -> tuple[list[tuple[Fed, Fed, Fed]], set[Triple]]:
    """Every asserted triple for ``reasonable`` and as keys; each distinct term converted once.

    ``owl:disjointWith`` triples are kept from the reasoner: in OWL 2 RL they derive no triple
    (rule cax-dw only concludes an inconsistency, which ``reason`` does not report; HermiT
    checks the TBox and SHACL the data), and ``reasonable`` joins every instance of one class
    with every instance of the other for them (10M quads: 28k drugs x 14k drug classes in one
    batch, 80 s and 10 GB instead of 10 s and 0.7 GB, the same closure)."""
    memo: dict[Any, tuple[Fed, Key]] = {}

    def convert(term: Any) -> tuple[Fed, Key]:
        known = memo.get(term)
        if known is None:
            known = memo[term] = _both(term)
        return known
    feed: list[tuple[Fed, Fed, Fed]] = []
    keys: set[Triple] = set()
    for q in quads:
        (s, ks), (p, kp), (o, ko) = convert(q.subject), convert(q.predicate), convert(q.object)
        triple = (ks, kp, ko)
        if triple not in keys:
            keys.add(triple)
            if kp != _DISJOINT:
                feed.append((s, p, o))
    return feed, keys


def _both(term: Any) -> tuple[Fed, Key]:
    if isinstance(term, ox.NamedNode):
        iri = URIRef(term.value)
        return iri, sys.intern(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value), "_:" + term.value
    if isinstance(term, ox.Literal):
        return _fed_literal(term), key(term)
    raise TypeError(f"reasoning takes no triple term: {term}")


def _fed_literal(term: ox.Literal) -> Literal:
    if term.language:
        return Literal(term.value, None, term.language)
    datatype = term.datatype.value
    return Literal(term.value, None if datatype == _XSD_STRING else datatype, None)


def _fed(triple: Triple) -> tuple[Fed, Fed, Fed]:
    s, p, o = (_fed_term(t) for t in triple)
    return s, p, o


def _fed_term(value: Key) -> Fed:
    if value.startswith('"'):
        return _fed_literal(term(value))  # type: ignore[arg-type]
    if value.startswith("_:"):
        return BNode(value[2:])
    return URIRef(value)


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
