"""QC checks written for speed give the rows of their plain definition on adversarial data.

Some checks (``qc/duplicate-labels.rq``, ``qc/orphan-entities.rq``, …) are written in a roundabout
way so that they grow linearly with the store (keys first, counts instead of pairs, MINUS over a
scan instead of a lookup per entity). Each one here is compared with the plain, slow text of what
it means, on ``tests/qc_forms/adversarial.trig``: the cases where the two could part (exactMatch
twins in groups of three, duplicates in one kind and twins in another, non-curated members,
orphans referred to from another graph only, inverse and chain properties, records typed in
another graph). Some rows are also named, so that the two cannot agree on a wrong answer.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.engines.answers import from_store

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "qc_forms" / "adversarial.trig"
ID = "https://w3id.org/sarcoma-graph/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"
SG = "https://w3id.org/sarcoma-graph/ontology/"
OA_SOURCE = "http://www.w3.org/ns/oa#hasSource"
DOC = f"{ID}document/"
PASSAGE = f"{ID}passage/"

PREFIXES = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# The definitions, written the obvious way (pairs, a lookup per entity).
PLAIN = {
    "duplicate-labels": """
SELECT DISTINCT ?entity ?property ?value WHERE {
  VALUES ?kind {
    sg:TumourType sg:GeneticAlteration sg:Gene sg:Agent sg:BiologicalProcess sg:Document sg:Study
    sg:StudyDesign sg:OutcomeMeasure sg:Factor sg:QuantityKind sg:EvidenceStatement
  }
  ?entity a ?kind ; rdfs:label ?value .
  ?other a ?kind ; rdfs:label ?otherLabel .
  FILTER (?entity != ?other && LANG(?value) = "en" && LANG(?otherLabel) = "en"
          && LCASE(STR(?value)) = LCASE(STR(?otherLabel))
          && STRSTARTS(STR(?entity), "https://w3id.org/sarcoma-graph/id/")
          && STRSTARTS(STR(?other), "https://w3id.org/sarcoma-graph/id/"))
  FILTER NOT EXISTS { ?entity skos:exactMatch|^skos:exactMatch ?other }
  BIND (rdfs:label AS ?property)
}
ORDER BY ?entity ?property ?value""",
    "duplicate-curation-records": """
SELECT DISTINCT ?entity ?property ?value WHERE {
  ?entity a sg:CurationRecord ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; dcterms:source ?source .
  ?value a sg:CurationRecord ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; dcterms:source ?source .
  FILTER (?entity != ?value)
  BIND (rdf:subject AS ?property)
}
ORDER BY ?entity ?property ?value""",
    "orphan-entities": """
SELECT DISTINCT ?entity ?property ?value WHERE {
  VALUES ?value { sg:Gene sg:Agent sg:GeneticAlteration sg:BiologicalProcess }
  ?entity a ?value .
  FILTER STRSTARTS(STR(?entity), "https://w3id.org/sarcoma-graph/id/")
  FILTER NOT EXISTS {
    ?referrer ?link ?entity .
    FILTER (?referrer != ?entity && ?link != rdf:type && ?link != owl:sameAs)
    FILTER NOT EXISTS { ?referrer a sg:CurationRecord }
    FILTER NOT EXISTS { ?anyProperty owl:inverseOf ?link }
    FILTER NOT EXISTS { ?link owl:propertyChainAxiom ?chain }
    FILTER NOT EXISTS { ?chained rdfs:subPropertyOf ?link ; owl:propertyChainAxiom ?subChain }
  }
  BIND (rdf:type AS ?property)
}
ORDER BY ?entity ?property ?value""",
    "targets-causal-alteration-without-statement": """
SELECT DISTINCT ?entity ?property ?value WHERE {
  ?entity sg:targetsCausalAlterationOf ?value .
  FILTER NOT EXISTS { ?statement a sg:EvidenceStatement ; sg:aboutAgent ?entity ; sg:aboutTumour ?value }
  BIND (sg:targetsCausalAlterationOf AS ?property)
}
ORDER BY ?entity ?property ?value""",
    "histotype-causal-alteration-without-agent-statement": """
SELECT DISTINCT ?entity ?property ?value WHERE {
  ?entity a sg:Histotype ; sg:hasCausalAlteration ?value .
  FILTER NOT EXISTS { ?statement a sg:EvidenceStatement ; sg:aboutTumour ?entity ; sg:aboutAgent ?agent }
  BIND (sg:hasCausalAlteration AS ?property)
}
ORDER BY ?entity ?property ?value""",
    "mapping-of-undescribed-entity": """
SELECT DISTINCT ?entity ?property ?value WHERE {
  ?entity ?property ?value .
  FILTER (?property IN (skos:exactMatch, skos:closeMatch, skos:broadMatch, skos:narrowMatch))
  FILTER STRSTARTS(STR(?entity), "https://w3id.org/sarcoma-graph/id/")
  FILTER NOT EXISTS { ?entity a ?anyType }
}
ORDER BY ?entity ?property ?value""",
    "quote-in-two-documents": """
SELECT DISTINCT ?entity ?property ?value WHERE {
  ?entity oa:hasSelector ?selector ; oa:hasSource ?value .
  ?selector oa:exact ?exact .
  ?other oa:hasSelector ?otherSelector ; oa:hasSource ?otherDocument .
  ?otherSelector oa:exact ?otherExact .
  FILTER (?entity != ?other && ?value != ?otherDocument && STR(?exact) = STR(?otherExact))
  BIND (oa:hasSource AS ?property)
}
ORDER BY ?entity ?property ?value""",
}

# Rows each check must give (or not give) on the adversarial data, beyond agreeing with PLAIN.
MUST = {
    "duplicate-labels": {
        (f"{ID}gene/mdm2", RDFS_LABEL, "MDM2"),  # its twin is one of two others
        (f"{ID}gene/mdm2-b", RDFS_LABEL, "mdm2"),
        (f"{ID}gene/nf1-b", RDFS_LABEL, "nf1"),  # linked to nf1 only, nf1-c remains
        (f"{ID}gene/rb1", RDFS_LABEL, "RB1"),  # its twin has another label
        (f"{ID}gene/tp53", RDFS_LABEL, "TP53"),  # twin not curated, self link
        (f"{ID}agent/imatinib", RDFS_LABEL, "IMATINIB"),
        (f"{ID}agent/imatinib-b", RDFS_LABEL, "imatinib"),
        (f"{ID}alteration/kit-mutation", RDFS_LABEL, "KIT mutation"),  # as a process
    },
    "duplicate-curation-records": {
        (f"{ID}record/d1", RDF_SUBJECT, f"{ID}record/d2"),
        (f"{ID}record/d2", RDF_SUBJECT, f"{ID}record/d1"),
        (f"{ID}record/d3", RDF_SUBJECT, f"{ID}record/d7"),
        (f"{ID}record/d5", RDF_SUBJECT, f"{ID}record/d6"),
    },
    "orphan-entities": {
        (f"{ID}gene/only-self", RDF_TYPE, f"{SG}Gene"),
        (f"{ID}gene/only-record", RDF_TYPE, f"{SG}Gene"),
        (f"{ID}gene/only-type-and-same-as", RDF_TYPE, f"{SG}Gene"),
        (f"{ID}agent/only-inverse", RDF_TYPE, f"{SG}Agent"),
        (f"{ID}agent/only-chain", RDF_TYPE, f"{SG}Agent"),
        (f"{ID}agent/only-super-of-chain", RDF_TYPE, f"{SG}Agent"),
        (f"{ID}alteration/two-kinds", RDF_TYPE, f"{SG}Gene"),
        (f"{ID}alteration/two-kinds", RDF_TYPE, f"{SG}GeneticAlteration"),
        (f"{ID}alteration/record-typed-elsewhere", RDF_TYPE, f"{SG}GeneticAlteration"),
    },
    "targets-causal-alteration-without-statement": {
        (f"{ID}agent/t2", f"{SG}targetsCausalAlterationOf", f"{ID}histotype/h1"),  # other tumour
        (f"{ID}agent/t3", f"{SG}targetsCausalAlterationOf", f"{ID}histotype/h1"),  # untyped
    },
    "histotype-causal-alteration-without-agent-statement": {
        (f"{ID}histotype/h2", f"{SG}hasCausalAlteration", f"{ID}alteration/a2"),  # no agent
        (f"{ID}histotype/h3", f"{SG}hasCausalAlteration", f"{ID}alteration/a3"),  # untyped
    },
    "mapping-of-undescribed-entity": {
        (f"{ID}gene/misspelt", "http://www.w3.org/2004/02/skos/core#closeMatch",
         "http://example.org/mapped"),
        (f"{ID}gene/misspelt", "http://www.w3.org/2004/02/skos/core#narrowMatch",
         "http://example.org/narrower"),
    },
    "quote-in-two-documents": {
        (f"{PASSAGE}q1", OA_SOURCE, f"{DOC}a"),
        (f"{PASSAGE}q2", OA_SOURCE, f"{DOC}b"),
        (f"{PASSAGE}q12", OA_SOURCE, f"{DOC}e"),  # quote and source in two graphs
        (f"{PASSAGE}q3", OA_SOURCE, f"{DOC}a"),  # "Shared"@en and "Shared": one text
        (f"{PASSAGE}q4", OA_SOURCE, f"{DOC}c"),
        (f"{PASSAGE}q10", OA_SOURCE, f"{DOC}a"),  # an IRI quoted twice
        (f"{PASSAGE}q11", OA_SOURCE, f"{DOC}d"),
    },
}
MUST_NOT = {
    "duplicate-labels": {
        f"{ID}gene/kit", f"{ID}gene/alk", f"{ID}gene/alk-b", f"{ID}gene/nf1",
        f"{ID}agent/mdm2-amplified", f"{ID}alteration/kit-mutation-b",
    },
    "duplicate-curation-records": {f"{ID}record/d4", f"{ID}record/d8"},
    "orphan-entities": {
        f"{ID}gene/used", f"{ID}agent/by-part", f"{ID}process/by-blank",
        f"{ID}process/from-other-graph", "http://example.org/two-kinds",
    },
    "targets-causal-alteration-without-statement": {f"{ID}agent/t1", f"{ID}agent/t4"},
    "histotype-causal-alteration-without-agent-statement": {f"{ID}histotype/h1",
                                                            f"{ID}histotype/h4"},
    "mapping-of-undescribed-entity": {f"{ID}gene/kit", f"{ID}gene/not-a-mapping",
                                      "http://example.org/external-mapped"},
    "quote-in-two-documents": {f"{PASSAGE}q{n}" for n in (5, 6, 7, 8, 9)},
}


@pytest.fixture(scope="module")
def store():
    from sarcoma_graph.store import open_store

    store = open_store()
    store.load_file(DATA)
    return store


def rows(store, text: str) -> list[tuple[str, ...]]:
    return [tuple("-" if cell is None else cell.value for cell in row)
            for row in store.query(text).rows]


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_check_gives_the_rows_of_its_definition(store, name: str):
    from sarcoma_graph.catalogue import load_query

    check = load_query(ROOT / "qc" / f"{name}.rq")
    got = rows(store, check.text)
    assert got == rows(store, PREFIXES + PLAIN[name])
    missing = MUST[name] - set(got)
    assert not missing, missing
    wrong = {row for row in got if row[0] in MUST_NOT[name]}
    assert not wrong, wrong


# --- the same checks on the other engines the README names ---------------------------------------
# Their forms (MINUS over VALUES, BIND inside MINUS, EXISTS in an OPTIONAL's FILTER, aggregates of
# aggregates) are standard SPARQL 1.1 but less common: Jena TDB2 and Virtuoso must give the
# embedded store's rows on the adversarial data.
OWN_GRAPHS = "https://example.org/qc-forms/"  # the shared Virtuoso holds the release's graphs


def cell_key(term: dict[str, str]) -> tuple[str, str, str]:
    kind = "literal" if term["type"] == "typed-literal" else term["type"]
    return kind, term["value"], term.get("xml:lang", "")


def row_keys(answer) -> Counter:
    return Counter(tuple(cell_key(row[v]) for v in ("entity", "property", "value"))
                   for row in answer.rows)


def check_text(name: str) -> str:
    from sarcoma_graph.catalogue import load_query

    return load_query(ROOT / "qc" / f"{name}.rq").text


def adversarial_nquads(folder: Path, graphs_under: str | None = None) -> Path:
    """The adversarial data as N-Quads, its graphs renamed under ``graphs_under`` if given."""
    import pyoxigraph as ox

    quads = []
    for quad in ox.parse(path=str(DATA), format=ox.RdfFormat.TRIG):
        graph = quad.graph_name
        if graphs_under and isinstance(graph, ox.NamedNode):
            graph = ox.NamedNode(graphs_under + graph.value.rsplit("/", 1)[1])
        quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "adversarial.nq"
    out.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    return out


@pytest.mark.slow
def test_jena_gives_the_rows_of_the_embedded_store(store, tmp_path):
    from tests.conftest import require
    from tests.engines import jena

    require(jena.available(), "Apache Jena is missing: run scripts/install-test-deps.sh "
            "(Debian packages libapache-jena-java, default-jre-headless)")
    cp = jena.classpath(tmp_path)
    jena.tdbloader(cp, tmp_path / "db", adversarial_nquads(tmp_path / "data"))
    answers = jena.tdbquery_batch(cp, tmp_path / "db", {n: check_text(n) for n in PLAIN},
                                  tmp_path / "queries")
    for name in sorted(PLAIN):
        answer = answers[name]
        assert not isinstance(answer, RuntimeError), answer
        assert row_keys(answer) == row_keys(from_store(store.query(check_text(name)))), name


@pytest.mark.slow
def test_virtuoso_gives_the_rows_of_the_embedded_store(store, virtuoso_server, tmp_path_factory):
    import re

    folder = tmp_path_factory.mktemp("qc-forms")  # under the base folder Virtuoso may read
    adversarial_nquads(folder, OWN_GRAPHS)
    virtuoso_server.load(folder, "adversarial.nq", OWN_GRAPHS)
    dataset = " ".join(f"FROM <{OWN_GRAPHS}{g}>" for g in ("ontology", "curated", "inferred"))
    wrong = {}
    for name in sorted(PLAIN):
        text = check_text(name)
        scoped, found = re.subn(r"(SELECT DISTINCT \?entity \?property \?value)\s+WHERE",
                                rf"\1 {dataset} WHERE", text, count=1)
        assert found, f"{name}: its head changed, scope it to the test's graphs otherwise"
        got = row_keys(virtuoso_server.endpoint.select(scoped))
        right = row_keys(from_store(store.query(text)))
        if got != right:
            wrong[name] = {"extra": sorted(got - right), "missing": sorted(right - got)}
    assert not wrong, wrong
