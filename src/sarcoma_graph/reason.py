"""Stage 2, reason: materialise OWL 2 RL entailments into the inferences graph; check the TBox.

The Rust reasoner ``reasonable`` computes the OWL 2 RL closure (inverses, sub-properties,
sub-classes, domain and range…) but not property chains (rule prp-spo2), so this module
applies every ``owl:propertyChainAxiom`` of the ontology itself and alternates the two until
nothing new is found. Inferred triples that only restate the obvious (``owl:Thing`` types,
reflexive axioms) or touch blank nodes are left out, so the inferences graph stays IRI-only.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from sarcoma_graph.namespaces import graph_iri
from sarcoma_graph.plumbing.terms import to_ox_quad, triples_graph
from sarcoma_graph.store import Store

Triple = tuple[Node, Node, Node]
INFERRED = graph_iri("inferred")
_REFLEXIVE = {RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
              OWL.sameAs}
MAX_ROUNDS = 20


@dataclass
class ReasoningReport:
    """What materialisation added."""

    asserted: int = 0
    inferred: int = 0
    rounds: int = 0
    seconds: float = 0.0
    by_predicate: dict[str, int] = field(default_factory=dict)


def asserted_graph(store: Store) -> Graph:
    """Every asserted triple (all graphs but the inferences) as one rdflib graph."""
    return triples_graph(q for q in store.quads() if not (
        isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == INFERRED))


def chain_axioms(graph: Graph) -> list[tuple[URIRef, list[URIRef]]]:
    """``(property, [p1, …, pn])`` for each ``owl:propertyChainAxiom``."""
    chains = []
    for prop, head in graph.subject_objects(OWL.propertyChainAxiom):
        members = [m for m in Collection(graph, head) if isinstance(m, URIRef)]
        if isinstance(prop, URIRef) and len(members) >= 2:
            chains.append((prop, members))
    return chains


def apply_chains(triples: set[Triple], chains: list[tuple[URIRef, list[URIRef]]]) -> set[Triple]:
    """One application of rule prp-spo2 for every chain; returns the new triples."""
    by_predicate: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    for s, p, o in triples:
        by_predicate[p].append((s, o))
    new: set[Triple] = set()
    for prop, members in chains:
        pairs = by_predicate.get(members[0], [])
        for member in members[1:]:
            step: dict[Node, list[Node]] = defaultdict(list)
            for s, o in by_predicate.get(member, []):
                step[s].append(o)
            pairs = [(start, end) for start, mid in pairs for end in step.get(mid, [])]
        new.update((s, prop, o) for s, o in pairs if (s, prop, o) not in triples)
    return new


def _plain(node: Node) -> Node:
    """``"x"^^xsd:string`` → ``"x"``: rdflib compares the two unequal, RDF 1.1 says they are one."""
    if isinstance(node, Literal) and node.datatype == XSD.string and not node.language:
        return Literal(str(node))
    return node


def _closure(graph: Graph) -> set[Triple]:
    import reasonable  # heavy native module: imported when reasoning runs

    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    return {(s, p, _plain(o)) for s, p, o in reasoner.reason()}


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
    graph = asserted_graph(store)
    asserted = set(graph)
    chains = chain_axioms(graph)
    closure, rounds = _fixpoint(graph, chains)
    inferred = sorted((t for t in closure - asserted if _worth_keeping(t)), key=str)
    store.clear(INFERRED)
    store.add_quads(_quads(inferred))
    counts: dict[str, int] = defaultdict(int)
    for _, p, _ in inferred:
        counts[str(p)] += 1
    return ReasoningReport(len(asserted), len(inferred), rounds,
                           time.perf_counter() - started, dict(sorted(counts.items())))


def _fixpoint(graph: Graph, chains: list[tuple[URIRef, list[URIRef]]]) -> tuple[set[Triple], int]:
    closure = _closure(graph) | set(graph)
    for rounds in range(1, MAX_ROUNDS + 1):
        new = apply_chains(closure, chains)
        if not new:
            return closure, rounds
        for triple in new:
            graph.add(triple)
        closure = _closure(graph) | set(graph)
    return closure, MAX_ROUNDS


def _quads(triples: Iterable[Triple]) -> list[ox.Quad]:
    g = ox.NamedNode(INFERRED)
    return [to_ox_quad(s, p, o, g) for s, p, o in triples]
