"""Reasoning: OWL 2 RL materialisation with property chains, and the HermiT TBox check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from sarcoma_graph.namespaces import graph_iri
from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.reason import materialise
from sarcoma_graph.store import open_store
from sarcoma_graph.tbox import JAVA_HINT, check_tbox
from tests.conftest import require

SG = "https://w3id.org/sarcoma-graph/ontology/"
DATA = b"""
@prefix sg: <https://w3id.org/sarcoma-graph/ontology/> . @prefix x: <http://x.org/> .
x:gctb sg:hasCausalAlteration x:h3 . x:h3 sg:affectsGene x:H3-3A ; sg:hasDownstreamEffector x:RANKL .
x:deno sg:hasTarget x:RANKL .
x:gist sg:hasCausalAlteration x:kit . x:kit sg:affectsGene x:KIT . x:ima sg:hasTarget x:KIT .
x:pec sg:hasCausalAlteration x:tsc . x:tsc sg:promotesProcess x:mtorc1 . x:siro sg:inhibitsProcess x:mtorc1 .
x:cart a sg:CellTherapy ; sg:targetsAntigen x:KIT .
"""


@pytest.fixture(scope="module")
def store(root):
    s = open_store()
    s.load_file(root / "ontology" / "sarcoma-graph.ttl", graph_iri("ontology"))
    s.load_bytes(DATA, rdf_syntax("turtle"), graph_iri("curated"))
    materialise(s)
    return s


def pairs(store, prop):
    q = f"SELECT ?a ?b WHERE {{ ?a <{SG}{prop}> ?b }} ORDER BY ?a ?b"
    return [(r["a"].value.rsplit("/", 1)[-1], r["b"].value.rsplit("/", 1)[-1])
            for r in store.query(q).bindings()]


def test_direct_target_is_inferred(store):
    assert ("ima", "kit") in pairs(store, "targetsAlterationDirectly")


def test_target_downstream_of_the_altered_gene_is_indirect(store):
    assert pairs(store, "targetsAlterationViaEffector") == [("deno", "h3")]
    assert pairs(store, "targetsAlterationViaProcess") == [("siro", "tsc")]
    assert ("deno", "h3") not in pairs(store, "targetsAlterationDirectly")


def test_chain_reaches_the_tumour_type(store):
    assert pairs(store, "targetsCausalAlterationOf") == [
        ("deno", "gctb"), ("ima", "gist"), ("siro", "pec")]


def test_cell_therapy_antigen_is_never_an_alteration_target(store):
    assert not [p for p in pairs(store, "targetsAlteration") if p[0] == "cart"]


def test_inferred_graph_has_no_blank_node(store):
    assert store.query(f"ASK {{ GRAPH <{graph_iri('inferred')}> {{ ?s ?p ?o "
                       "FILTER(isBlank(?s) || isBlank(?o)) } }").boolean is False


def test_reasoning_twice_gives_the_same_graph(store):
    first = sorted(map(str, store.quads(graph_iri("inferred"))))
    materialise(store)
    assert sorted(map(str, store.quads(graph_iri("inferred")))) == first


def _ontology(root: Path) -> Graph:
    return Graph().parse(root / "ontology" / "sarcoma-graph.ttl")


def test_hermit_finds_the_ontology_consistent(root):
    require(shutil.which("java") is not None, JAVA_HINT)
    report = check_tbox(_ontology(root))
    assert report.skipped is None
    assert report.consistent is True
    assert report.unsatisfiable == []
    assert report.classes > 40


def test_hermit_reports_an_unsatisfiable_class(root):
    require(shutil.which("java") is not None, JAVA_HINT)
    graph = _ontology(root)
    graph.parse(data=f"""@prefix sg: <{SG}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        sg:Chimera a owl:Class ; rdfs:subClassOf sg:Histotype , sg:GenotypeDefinedGroup .""",
                format="turtle")
    report = check_tbox(graph)
    assert report.unsatisfiable == [SG + "Chimera"]
    assert not report.ok


def test_without_java_the_check_is_skipped_with_a_reason(root, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    report = check_tbox(_ontology(root))
    assert report.skipped == JAVA_HINT
    assert report.ok


def test_plain_literals_are_not_restated_as_inferences(root):
    # Regression: reasonable returns "x"^^xsd:string for asserted "x"; they are the same literal.
    s = open_store()
    s.load_file(root / "ontology" / "sarcoma-graph.ttl", graph_iri("ontology"))
    s.load_bytes(b'<http://x.org/a> <http://www.w3.org/ns/oa#exact> "quoted text" .',
                 rdf_syntax("turtle"), graph_iri("curated"))
    materialise(s)
    q = f'ASK {{ GRAPH <{graph_iri("inferred")}> {{ ?s ?p "quoted text" }} }}'
    assert s.query(q).boolean is False


def test_every_ontology_term_has_an_english_label_and_definition(root):
    from rdflib import OWL, RDF, RDFS, Literal, URIRef
    from rdflib.namespace import SKOS

    graph = _ontology(root)
    terms = {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(SG)
             and (s, RDF.type, OWL.AllDisjointClasses) not in graph}
    def english(term, prop):
        return any(isinstance(o, Literal) and o.language == "en" for o in graph.objects(term, prop))
    assert sorted(str(t) for t in terms if not english(t, RDFS.label)) == []
    assert sorted(str(t) for t in terms if not english(t, SKOS.definition)) == []


def test_the_inferences_do_not_declare_owls_built_in_classes(curated_store):
    """Review r16 interop A10: OWL 2 RL's cls-thing and cls-nothing put `owl:Thing a owl:Class`
    and `owl:Nothing a owl:Class` in the inferences, so a tool listing the graph's classes (the
    VoID owl:Class partition too) counted two built-ins OWL 2 needs no declaration of."""
    from sarcoma_graph.namespaces import graph_iri

    owl = "http://www.w3.org/2002/07/owl#"
    built_in = {owl + "Thing", owl + "Nothing"}
    found = [q for q in curated_store.quads(graph_iri("inferred")) if q.subject.value in built_in]
    assert not found, found[:3]
