"""Every curated fact can be traced: selectors resolve in the seeds, records match triples.

Each passage has two selectors of the same text: a quote (oa:TextQuoteSelector: oa:exact with
the text just before and after it) and its position (oa:TextPositionSelector: oa:start and
oa:end count Unicode code points of the seed file read as UTF-8 from 0, the end excluded, as
the Web Annotation Data Model says), so that text order is a question SPARQL can answer.
"""

from __future__ import annotations

import pytest
from rdflib import XSD, Literal, Namespace

from sarcoma_graph.build import build
from sarcoma_graph.namespaces import graph_iri
from sarcoma_graph.project import Project
from tests.curated_graph import curated

SG = "https://w3id.org/sarcoma-graph/ontology/"
OA = Namespace("http://www.w3.org/ns/oa#")
PREFIXES = f"""PREFIX sg: <{SG}> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


@pytest.fixture(scope="module")
def store(root, tmp_path_factory):
    # The edited sources only, whatever an earlier `import civic` left in build/imports.
    s, _ = build(Project.discover(root, build_dir=tmp_path_factory.mktemp("provenance-build")))
    return s


def selectors(store):
    q = PREFIXES + """SELECT ?passage ?file ?exact ?prefix ?suffix WHERE {
        ?passage oa:hasSource ?doc ; oa:hasSelector ?sel . ?doc dcterms:identifier ?file .
        ?sel oa:exact ?exact . OPTIONAL { ?sel oa:prefix ?prefix } OPTIONAL { ?sel oa:suffix ?suffix } }
        ORDER BY ?passage"""
    return [{k: v.value for k, v in row.items()} for row in store.query(q).bindings()]


def test_every_passage_has_a_selector(store):
    q = PREFIXES + "SELECT ?p WHERE { ?s sg:restsOn ?p FILTER NOT EXISTS { ?p oa:hasSelector ?x } }"
    assert list(store.query(q).bindings()) == []
    assert len(selectors(store)) >= 40


def test_every_selector_resolves_to_exactly_one_place_in_its_seed(store, shared):
    for sel in selectors(store):
        text = (shared / sel["file"].removeprefix("shared/")).read_text(encoding="utf-8")
        quote = sel.get("prefix", "") + sel["exact"] + sel.get("suffix", "")
        assert text.count(quote) == 1, f"{sel['passage']}: selector does not resolve uniquely"


def test_every_passage_has_one_quote_and_one_position(store):
    q = PREFIXES + """SELECT ?passage (COUNT(DISTINCT ?quote) AS ?quotes)
        (COUNT(DISTINCT ?position) AS ?positions) WHERE { ?passage oa:hasSource ?doc .
          OPTIONAL { ?passage oa:hasSelector ?quote . ?quote a oa:TextQuoteSelector }
          OPTIONAL { ?passage oa:hasSelector ?position . ?position a oa:TextPositionSelector } }
        GROUP BY ?passage ORDER BY ?passage"""
    counts = {r["passage"].value: (int(r["quotes"].value), int(r["positions"].value))
              for r in store.query(q).bindings()}
    assert len(counts) >= 40
    assert {p: c for p, c in counts.items() if c != (1, 1)} == {}


def test_every_position_selects_its_quote_in_the_seed(store, shared):
    """The seed's text from oa:start to oa:end is the quote's oa:exact, with its oa:prefix
    just before and its oa:suffix just after: an offset one off fails."""
    q = PREFIXES + """SELECT ?passage ?file ?exact ?prefix ?suffix ?start ?end WHERE {
        ?passage oa:hasSource ?doc ; oa:hasSelector ?quote , ?position . ?doc dcterms:identifier ?file .
        ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
        OPTIONAL { ?quote oa:prefix ?prefix } OPTIONAL { ?quote oa:suffix ?suffix }
        ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }
        ORDER BY ?passage"""
    rows = list(store.query(q).bindings())
    assert len(rows) == len(selectors(store)) >= 40
    wrong = []
    for row in rows:
        passage = row["passage"].value
        text = (shared / row["file"].value.removeprefix("shared/")).read_text(encoding="utf-8")
        start, end = int(row["start"].value), int(row["end"].value)
        prefix = row["prefix"].value if row.get("prefix") is not None else ""
        suffix = row["suffix"].value if row.get("suffix") is not None else ""
        if text[start:end] != row["exact"].value:
            wrong.append(f"{passage}: {start}-{end} is {text[start:end]!r}")
        elif not text[:start].endswith(prefix) or not text[end:].startswith(suffix):
            wrong.append(f"{passage}: {start}-{end} is another occurrence of the quote")
    assert wrong == []


def test_positions_are_whole_numbers_in_the_form_the_store_keeps():
    """oa:start and oa:end are Web Annotation's non-negative integers, written as the
    xsd:integer every store keeps them as, so the release says what the source says
    (interop r15 N6)."""
    graph = curated()
    values = [(s, p, o) for p in (OA.start, OA.end) for s, o in graph.subject_objects(p)]
    assert len(values) >= 80
    mistyped = [v for v in values if not isinstance(v[2], Literal)
                or v[2].datatype != XSD.integer or int(v[2]) < 0]
    assert mistyped == []


def test_every_statement_rests_on_a_passage_of_its_own_source(store):
    q = PREFIXES + """SELECT ?s WHERE { ?s a sg:EvidenceStatement ; dcterms:source ?doc .
        FILTER NOT EXISTS { ?s sg:restsOn/oa:hasSource ?doc } }"""
    assert [r["s"].value for r in store.query(q).bindings()] == []


def test_provenance_properties_have_a_curation_record(store):
    curated = graph_iri("curated")
    q = PREFIXES + f"""SELECT ?s ?p ?o WHERE {{
        GRAPH <{graph_iri('ontology')}> {{ ?p sg:requiresProvenance true }}
        GRAPH <{curated}> {{ ?s ?p ?o }}
        FILTER NOT EXISTS {{ GRAPH <{curated}> {{
            ?r rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }} }} }}"""
    missing = [(r["s"].value, r["p"].value, r["o"].value) for r in store.query(q).bindings()]
    assert missing == []


def test_every_curation_record_describes_a_curated_triple(store):
    curated = graph_iri("curated")
    q = PREFIXES + f"""SELECT ?r WHERE {{ GRAPH <{curated}> {{
        ?r a sg:CurationRecord ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; sg:assertionMode ?m
        FILTER NOT EXISTS {{ ?s ?p ?o }} }} }}"""
    assert list(store.query(q).bindings()) == []


def test_domain_knowledge_is_marked_and_explained(store):
    q = PREFIXES + """SELECT ?r WHERE { ?r a sg:CurationRecord ; sg:assertionMode sg:DomainKnowledge .
        FILTER NOT EXISTS { ?r sg:curatorNote ?n } }"""
    assert list(store.query(q).bindings()) == []
    q = PREFIXES + "SELECT (COUNT(?r) AS ?n) WHERE { ?r sg:assertionMode sg:DomainKnowledge }"
    (row,) = store.query(q).bindings()
    assert int(row["n"].value) > 100


def test_curated_graph_has_no_blank_node(store):
    q = f"ASK {{ GRAPH <{graph_iri('curated')}> {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"
    assert store.query(q).boolean is False


def test_review_names_nine_targeted_therapy_pairs(store):
    q = PREFIXES + "SELECT (COUNT(?s) AS ?n) WHERE { ?s a sg:TargetedTherapyStatement }"
    (row,) = store.query(q).bindings()
    assert int(row["n"].value) == 10  # nine pairs; NTRK inhibitors stated for the group and for IFS
