"""``data/mappings/vocabulary_terms.tsv`` records where each external vocabulary term the project
uses was checked (RO, ECO, OBI, SO…): every such term in the ontology, shapes and curated data
must be listed there, so none is written from memory."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox

from sarcoma_graph.namespaces import compress
from sarcoma_graph.plumbing.rdfio import rdf_files, read_quads

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "data" / "mappings" / "vocabulary_terms.tsv"


def listed() -> dict[str, dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return {row["term_id"]: row for row in csv.DictReader(handle, delimiter="\t")}


def used_terms(vocabularies: set[str]) -> dict[str, str]:
    """CURIE → a file using it, for the IRIs of the edited sources in the listed vocabularies."""
    found: dict[str, str] = {}
    for folder in ("ontology", "shapes", "data/curated"):
        for path in rdf_files(ROOT / folder):
            for quad in read_quads(path):
                for term in (quad.subject, quad.predicate, quad.object):
                    if isinstance(term, ox.NamedNode):
                        curie = compress(term.value)
                        if curie and curie.split(":", 1)[0] in vocabularies:
                            found.setdefault(curie, path.relative_to(ROOT).as_posix())
    return found


def test_every_row_says_where_it_was_checked():
    rows = listed()
    assert len(rows) > 100
    for term, row in rows.items():
        assert row["checked_in"] and row["ontology"], term  # a label may be unverified
        assert term == "none" or ":" in term, term  # "none": a term searched for and not found


def test_every_vocabulary_term_used_is_listed():
    rows = listed()
    vocabularies = {term.split(":", 1)[0] for term in rows if ":" in term} - {"NCIT"}  # check-links
    used = used_terms(vocabularies)
    assert len(used) >= 10, "hardly any vocabulary term found: the scan is broken"
    missing = {curie: where for curie, where in used.items() if curie not in rows}
    assert missing == {}


#: Terms OWL 2 needs no declaration of (built-in annotation properties and the RDF, RDFS and
#: OWL vocabulary), and the reification of curation records (rdf:subject/predicate/object:
#: the known OWL 2 DL remainder of review r13 I5).
_BUILT_IN = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
             "http://www.w3.org/2002/07/owl#")


def test_every_predicate_of_the_data_is_declared_in_the_ontology(curated_store):
    """Review r16 interop A4: foaf:page, added in round 15, was declared nowhere, and the OWL API
    reported an undeclared annotation property on the data dump (round 14 had declared
    skos:hiddenLabel for the same reason). Every predicate the curated data and mappings use is
    an object, data or annotation property of the ontology, or built in."""
    from sarcoma_graph.namespaces import graph_iri

    ontology = ox.NamedNode(graph_iri("ontology"))
    kinds = {ox.NamedNode("http://www.w3.org/2002/07/owl#" + k)
             for k in ("ObjectProperty", "DatatypeProperty", "AnnotationProperty")}
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    declared = {q.subject for q in curated_store.quads_for_pattern(None, rdf_type, None, ontology)
                if q.object in kinds}
    used = {q.predicate for name in ("curated", "mappings")
            for q in curated_store.quads(graph_iri(name))}
    undeclared = sorted(p.value for p in used - declared if not p.value.startswith(_BUILT_IN))
    assert len(used) > 30 and not undeclared, undeclared
