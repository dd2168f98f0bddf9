"""The fast materialisation (one incremental reasoner, chains to their own fixpoint between
calls) infers exactly what the plain algorithm infers: a fresh ``reasonable`` closure of the
whole graph, one chain application, repeat until no chain adds anything."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from sarcoma_graph.namespaces import graph_iri
from sarcoma_graph.plumbing.terms import to_rdflib
from sarcoma_graph.reason import (
    MAX_ROUNDS,
    _plain,
    _worth_keeping,
    apply_chains,
    asserted_triples,
    chain_axioms,
    chain_fixpoint,
    materialise,
)
from sarcoma_graph.store import open_store


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
    from rdflib import OWL, RDFS, URIRef

    a, b, c, p, q, r, up = (URIRef(f"http://x.org/{n}") for n in ("a", "b", "c", "p", "q", "r", "up"))
    closure = {(a, p, b), (b, q, c), (r, RDFS.subPropertyOf, up), (up, OWL.inverseOf, URIRef("http://x.org/down"))}
    new = chain_fixpoint(closure, [(r, [p, q])])
    assert new == {(a, r, c), (a, up, c), (c, URIRef("http://x.org/down"), a)}
    assert chain_fixpoint(closure | new, [(r, [p, q])]) == set()
