"""The fast materialisation (one incremental reasoner, chains to their own fixpoint between
calls) infers exactly what the plain algorithm infers: a fresh ``reasonable`` closure of the
whole graph, one chain application, repeat until no chain adds anything."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, XSD, BNode, Literal, URIRef

from sarcoma_graph.namespaces import graph_iri
from sarcoma_graph.plumbing.terms import to_rdflib
from sarcoma_graph.reason import MAX_ROUNDS, chain_fixpoint, materialise
from sarcoma_graph.store import open_store

_REFLEXIVE = {RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
              OWL.sameAs}


def asserted_triples(store) -> set:
    """Every asserted triple (all graphs but the inferences) as rdflib terms."""
    inferred = ox.NamedNode(graph_iri("inferred"))
    return {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in store.quads() if q.graph_name != inferred}


def chain_axioms(triples) -> list:
    """``(property, [p1, …, pn])`` for each ``owl:propertyChainAxiom`` (rdflib terms)."""
    first, rest, heads = {}, {}, []
    for s, p, o in triples:
        if p == RDF.first:
            first[s] = o
        elif p == RDF.rest:
            rest[s] = o
        elif p == OWL.propertyChainAxiom:
            heads.append((s, o))
    chains = []
    for prop, head in sorted(heads, key=str):
        listed, node, seen = [], head, set()
        while node in first and node not in seen:
            seen.add(node)
            listed.append(first[node])
            node = rest.get(node, RDF.nil)
        members = [m for m in listed if isinstance(m, URIRef)]
        if isinstance(prop, URIRef) and len(members) >= 2:
            chains.append((prop, members))
    return chains


def apply_chains(triples: set, chains: list) -> set:
    """One application of rule prp-spo2 for every chain; the new triples."""
    index = {m: defaultdict(set) for _, members in chains for m in members}
    for s, p, o in triples:
        if p in index:
            index[p][s].add(o)
    out = set()
    for prop, members in chains:
        pairs = {(s, o) for s, objects in index[members[0]].items() for o in objects}
        for member in members[1:]:
            pairs = {(a, c) for a, b in pairs for c in index[member].get(b, ())}
        out.update((s, prop, o) for s, o in pairs)
    return out - triples


def _plain(node):
    """``"x"^^xsd:string`` → ``"x"``: rdflib compares the two unequal, RDF 1.1 says they are one."""
    if isinstance(node, Literal) and node.datatype == XSD.string and not node.language:
        return Literal(str(node))
    return node


def _worth_keeping(triple) -> bool:
    s, p, o = triple
    if isinstance(s, BNode) or isinstance(o, BNode):
        return False
    if p == RDF.type and o == OWL.Thing:
        return False
    if s in (OWL.Thing, OWL.Nothing):  # built-ins need no declaration (review r16 interop A10)
        return False
    return not (p in _REFLEXIVE and s == o)


def reference_inferences(asserted: set) -> set:
    """The algorithm before issue 11, kept as the oracle: slow, obviously right."""
    import reasonable

    def closure_of(triples: set) -> set:
        reasoner = reasonable.PyReasoner()
        reasoner.from_graph(list(triples))
        return {(s, p, _plain(o)) for s, p, o in reasoner.reason()} | triples

    chains = chain_axioms(asserted)
    graph = set(asserted)
    closure = closure_of(graph)
    for _ in range(MAX_ROUNDS):
        new = apply_chains(closure, chains)
        if not new:
            break
        graph |= new
        closure = closure_of(graph)
    return {t for t in closure - asserted if _worth_keeping(t)}


def inferred_graph(store) -> set:
    return {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in store.quads(graph_iri("inferred"))}


@pytest.mark.slow
def test_curated_graph_entailments_unchanged(curated_store):
    expected = reference_inferences(asserted_triples(curated_store))
    got = inferred_graph(curated_store)
    assert expected, "the curated graph has inferences"
    assert got == expected, (sorted(map(str, expected - got))[:10], sorted(map(str, got - expected))[:10])


def test_chain_over_a_chains_super_property_in_one_call(root):
    """targetsCausalAlterationOf chains over targetsAlteration, a super-property of the
    targetsAlterationDirectly chain: the chain fixpoint derives both before the reasoner runs."""
    store = open_store()
    store.load_file(root / "ontology" / "sarcoma-graph.ttl", graph_iri("ontology"))
    sg, x = "https://w3id.org/sarcoma-graph/ontology/", "http://x.org/"
    store.add_quads([
        ox.Quad(ox.NamedNode(x + "gist"), ox.NamedNode(sg + "hasCausalAlteration"), ox.NamedNode(x + "kit")),
        ox.Quad(ox.NamedNode(x + "kit"), ox.NamedNode(sg + "affectsGene"), ox.NamedNode(x + "KIT")),
        ox.Quad(ox.NamedNode(x + "ima"), ox.NamedNode(sg + "hasTarget"), ox.NamedNode(x + "KIT")),
    ])
    asserted = asserted_triples(store)
    report = materialise(store)
    assert report.rounds == 1  # chains (all levels) on the asserted triples, then one reasoner call
    assert inferred_graph(store) == reference_inferences(asserted)
    names = {(str(s).rsplit("/", 1)[-1], str(p).rsplit("/", 1)[-1], str(o).rsplit("/", 1)[-1])
             for s, p, o in inferred_graph(store)}
    assert ("ima", "targetsCausalAlterationOf", "gist") in names


def test_chain_fixpoint_adds_only_what_is_missing():
    x = "http://x.org/"
    a, b, c, p, q, r, up, down = (x + n for n in ("a", "b", "c", "p", "q", "r", "up", "down"))
    closure = {(a, p, b), (b, q, c), (r, str(RDFS.subPropertyOf), up), (up, str(OWL.inverseOf), down)}
    new = chain_fixpoint(closure, [(r, [p, q])])
    assert new == {(a, r, c), (a, up, c), (c, down, a)}
    assert chain_fixpoint(closure | new, [(r, [p, q])]) == set()


def test_literals_and_blank_nodes_round_trip_through_the_reasoner(root):
    """Literals of every kind (plain, typed, language-tagged, with quotes and line breaks) keep
    their exact form through reasonable; blank nodes are used but never inferred about."""
    store = open_store()
    store.load_file(root / "ontology" / "sarcoma-graph.ttl", graph_iri("ontology"))
    x, sg = "http://x.org/", "https://w3id.org/sarcoma-graph/ontology/"
    values = [ox.Literal("plain \"quoted\"\nline"), ox.Literal("chat", language="fr"),
              ox.Literal("7", datatype=ox.NamedNode(str(XSD.integer))),
              ox.Literal("x", datatype=ox.NamedNode(str(XSD.string)))]
    store.add_quads([ox.Quad(ox.NamedNode(x + "kit"), ox.NamedNode(str(RDFS.label)), v,
                             ox.NamedNode(graph_iri("curated"))) for v in values])
    store.add_quads([
        ox.Quad(ox.NamedNode(x + "gist"), ox.NamedNode(sg + "hasCausalAlteration"), ox.NamedNode(x + "kit"),
                ox.NamedNode(graph_iri("curated"))),
        ox.Quad(ox.BlankNode("b0"), ox.NamedNode(sg + "hasCausalAlteration"), ox.NamedNode(x + "kit"),
                ox.NamedNode(graph_iri("curated"))),
    ])
    asserted = asserted_triples(store)
    materialise(store)
    assert inferred_graph(store) == reference_inferences(asserted)
    assert not [q for q in store.quads(graph_iri("inferred")) if isinstance(q.object, ox.Literal)]
