"""Stage 2, reason: materialise OWL 2 RL entailments into the inferences graph; check the TBox.

The Rust reasoner ``reasonable`` computes the OWL 2 RL closure (inverses, sub-properties,
sub-classes, domain and range…) but not property chains (rule prp-spo2), so this module
applies every ``owl:propertyChainAxiom`` of the ontology itself and alternates the two until
nothing new is found. Inferred triples that only restate the obvious (``owl:Thing`` types,
reflexive axioms) or touch blank nodes are left out, so the inferences graph stays IRI-only.

Speed (issue 11): the triples go to ``reasonable`` once, as tuples (no rdflib ``Graph``); the
chain triples of each round are added to the same reasoner, which then reasons incrementally;
and before each call the chains are run to their own fixpoint together with the two OWL 2 RL
rules that feed chains from chain results (prp-spo1 sub-properties, prp-inv inverses), first
on the asserted triples, so that usually one reasoner call is enough and a second round only
confirms that the closure adds no chain input. Every triple added that way is one the old
alternation derives too: the result is the same least fixpoint (tested against it).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, BNode, Literal, URIRef
from rdflib.term import Node

from sarcoma_graph.namespaces import graph_iri
from sarcoma_graph.plumbing.terms import Term, to_ox_quad, to_rdflib
from sarcoma_graph.store import Store

Triple = tuple[Node, Node, Node]
INFERRED = graph_iri("inferred")
_REFLEXIVE = {RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
              OWL.sameAs}
MAX_ROUNDS = 20
# Constants: ``RDF.first`` is a namespace lookup and rdflib's ``==`` a Python call, both far too
# slow per triple; the scans below test predicates by hashing into small sets and dicts.
_FIRST, _REST, _NIL, _CHAIN = RDF.first, RDF.rest, RDF.nil, OWL.propertyChainAxiom
_SUBPROPERTY, _INVERSE = RDFS.subPropertyOf, OWL.inverseOf
_LIST_OR_CHAIN = {_FIRST, _REST, _CHAIN}
_PROPERTY_LINKS = {_SUBPROPERTY, _INVERSE}


@dataclass
class ReasoningReport:
    """What materialisation added."""

    asserted: int = 0
    inferred: int = 0
    rounds: int = 0
    seconds: float = 0.0
    by_predicate: dict[str, int] = field(default_factory=dict)


Chain = tuple[URIRef, list[URIRef]]


def asserted_triples(store: Store) -> set[Triple]:
    """Every asserted triple (all graphs but the inferences) as rdflib terms (converted once each)."""
    memo: dict[Term, Node] = {}

    def term(t: Term) -> Node:
        found = memo.get(t)
        if found is None:
            found = memo[t] = to_rdflib(t)
        return found
    inferred = ox.NamedNode(INFERRED)
    return {(term(q.subject), term(q.predicate), term(q.object))
            for q in store.quads() if q.graph_name != inferred}


def chain_axioms(triples: Iterable[Triple]) -> list[Chain]:
    """``(property, [p1, …, pn])`` for each ``owl:propertyChainAxiom``."""
    first: dict[Node, Node] = {}
    rest: dict[Node, Node] = {}
    heads: list[tuple[Node, Node]] = []
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
        listed: list[Node] = []
        node, seen = head, set()
        while node in first and node not in seen:
            seen.add(node)
            listed.append(first[node])
            node = rest.get(node, _NIL)
        members = [m for m in listed if isinstance(m, URIRef)]
        if isinstance(prop, URIRef) and len(members) >= 2:
            chains.append((prop, members))
    return chains


def apply_chains(triples: set[Triple], chains: list[Chain]) -> set[Triple]:
    """One application of rule prp-spo2 for every chain; returns the new triples."""
    index = _index(triples, {m for _, members in chains for m in members})
    return {t for t in _chain_results(index, chains) if t not in triples}


def _index(triples: Iterable[Triple], predicates: set[Node]) -> dict[Node, dict[Node, set[Node]]]:
    index: dict[Node, dict[Node, set[Node]]] = {p: defaultdict(set) for p in predicates}
    for s, p, o in triples:
        step = index.get(p)
        if step is not None:
            step[s].add(o)
    return index


def _chain_results(index: dict[Node, dict[Node, set[Node]]], chains: list[Chain]) -> set[Triple]:
    out: set[Triple] = set()
    for prop, members in chains:
        pairs = {(s, o) for s, objects in index[members[0]].items() for o in objects}
        for member in members[1:]:
            step = index[member]
            pairs = {(start, end) for start, mid in pairs for end in step.get(mid, ())}
        out.update((s, prop, o) for s, o in pairs)
    return out


def _scan(triples: Iterable[Triple], predicates: set[Node]) -> tuple[
        dict[Node, dict[Node, set[Node]]], dict[Node, set[Node]], dict[Node, set[Node]]]:
    """One pass: the chain members' index, super-properties (transitive) and inverses."""
    index: dict[Node, dict[Node, set[Node]]] = {p: defaultdict(set) for p in predicates}
    sup: dict[Node, set[Node]] = defaultdict(set)
    inverse: dict[Node, set[Node]] = defaultdict(set)
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
    members: set[Node] = {m for _, ms in chains for m in ms}
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
            todo.extend((o, q, s) for q in inverse.get(p, ()))


def _member_triples(closure: set[Triple], members: set[Node], sup: dict[Node, set[Node]],
                    inverse: dict[Node, set[Node]]) -> set[Triple]:
    """Chain-member triples that sub-properties and inverses give from other triples
    (a fusion partner is an affected gene, whose inverse is isAlteredIn)."""
    reach: dict[Node, list[tuple[Node, bool]]] = {}

    def reachable(prop: Node) -> list[tuple[Node, bool]]:
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
            if flipped and isinstance(o, Literal):
                continue  # a literal is never a subject
            triple = (o, q, s) if flipped else (s, q, o)
            if triple not in closure:
                out.add(triple)
    return out


def _plain(node: Node) -> Node:
    """``"x"^^xsd:string`` → ``"x"``: rdflib compares the two unequal, RDF 1.1 says they are one."""
    if isinstance(node, Literal) and node.datatype == XSD.string and not node.language:
        return Literal(str(node))
    return node


def _worth_keeping(triple: Triple) -> bool:
    s, p, o = triple
    if isinstance(s, BNode) or isinstance(o, BNode):
        return False
    if p == RDF.type and o == OWL.Thing:
        return False
    return not (p in _REFLEXIVE and s == o)


def materialise(store: Store) -> ReasoningReport:
    """Replace the inferences graph with the OWL 2 RL closure (plus chains) of everything else."""
    started = time.perf_counter()
    asserted = asserted_triples(store)
    closure, rounds = _fixpoint(asserted, chain_axioms(asserted))
    inferred = sorted((t for t in closure - asserted if _worth_keeping(t)), key=str)
    store.clear(INFERRED)
    store.add_quads(_quads(inferred))
    counts: dict[str, int] = defaultdict(int)
    for _, p, _ in inferred:
        counts[str(p)] += 1
    return ReasoningReport(len(asserted), len(inferred), rounds,
                           time.perf_counter() - started, dict(sorted(counts.items())))


def _fixpoint(asserted: set[Triple], chains: list[Chain]) -> tuple[set[Triple], int]:
    import reasonable  # heavy native module: imported when reasoning runs

    # The chains' own fixpoint on the asserted triples first (the ontology's sub-property and
    # inverse axioms are asserted): usually all chain triples, so one reasoner call suffices.
    added = chain_fixpoint(asserted, chains) if chains else set()
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph([*asserted, *added])
    closure: set[Triple] = set()
    for rounds in range(1, MAX_ROUNDS + 1):
        closure = {(s, p, o if type(o) is URIRef else _plain(o)) for s, p, o in reasoner.reason()}
        closure |= asserted
        closure |= added
        new = chain_fixpoint(closure, chains) if chains else set()
        if not new:
            return closure, rounds
        added |= new
        reasoner.from_graph(list(new))  # appended: the next reason() is incremental
    return closure, MAX_ROUNDS


def _quads(triples: Iterable[Triple]) -> list[ox.Quad]:
    g = ox.NamedNode(INFERRED)
    return [to_ox_quad(s, p, o, g) for s, p, o in triples]
