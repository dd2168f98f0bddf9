"""check-links against the public reference sets in ../shared/data/reference."""

from __future__ import annotations

import pytest

from sarcoma_graph.build import build
from sarcoma_graph.links.check import ERROR, WARNING, LinkChecker, check_links, normalise
from sarcoma_graph.mappings import read_sssom
from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.project import Project
from sarcoma_graph.reference import ReferenceSets
from sarcoma_graph.store import open_store

ID = "https://w3id.org/sarcoma-graph/id/"


@pytest.fixture(scope="module")
def reference(shared):
    return ReferenceSets(shared / "data" / "reference")


@pytest.fixture(scope="module")
def graph(root, tmp_path_factory):
    # The edited sources only: a CIViC import left in build/imports by the README's step must not
    # change what these tests check (CIViC genes such as H3-3B have no HGNC ID in the reference export).
    store, _ = build(Project.discover(root, build_dir=tmp_path_factory.mktemp("links-build")))
    return store


def test_project_links_have_no_error(graph, reference):
    errors = [f for f in check_links(graph, reference) if f.severity == ERROR]
    assert errors == []


def test_every_histotype_has_ncit_and_mondo(graph):
    q = """PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?h WHERE { ?h a sg:Histotype .
      FILTER NOT EXISTS { ?h skos:exactMatch ?n
        FILTER(STRSTARTS(STR(?n), "http://purl.obolibrary.org/obo/NCIT_")) } }"""
    missing = [r["h"].value for r in graph.query(q).bindings()]
    assert missing == []


def test_every_gene_has_hgnc(graph):
    q = """PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?g WHERE { ?g a sg:Gene . FILTER NOT EXISTS { ?g skos:exactMatch ?h
      FILTER(STRSTARTS(STR(?h), "https://identifiers.org/hgnc:")) } }"""
    assert list(graph.query(q).bindings()) == []


def test_mapping_set_rows_say_where_they_were_checked(root):
    (mapping_set,) = [read_sssom(p) for p in (root / "data" / "mappings").glob("*.sssom.tsv")]
    assert mapping_set.metadata["mapping_set_id"].startswith("https://w3id.org/sarcoma-graph/")
    assert all(row["comment"].startswith(("Searched ", "[", row["object_id"] + " listed in "))
               for row in mapping_set.rows)
    assert all(row["mapping_justification"] == "semapv:ManualMappingCuration" for row in mapping_set.rows)


def _store_with(triples: str):
    store = open_store()
    store.load_bytes(f"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . {triples}""".encode(),
                     rdf_syntax("turtle"), "https://w3id.org/sarcoma-graph/graph/test")
    return store


def test_unknown_identifier_is_an_error(reference):
    store = _store_with(f"<{ID}gene/X> rdfs:label \"X\"@en ; "
                        "skos:exactMatch <https://identifiers.org/hgnc:999999999> .")
    (finding,) = check_links(store, reference)
    assert finding.severity == ERROR and "not found" in finding.problem


def test_wrong_gene_symbol_is_an_error(reference):
    store = _store_with(f"<{ID}gene/KIT> rdfs:label \"KIT\"@en ; "
                        "skos:exactMatch <https://identifiers.org/hgnc:427> .")  # HGNC:427 is ALK
    (finding,) = check_links(store, reference)
    assert finding.severity == ERROR and "'ALK'" in finding.problem


def test_previous_symbol_is_a_warning(reference):
    store = _store_with(f"<{ID}gene/H3F3A> rdfs:label \"H3F3\"@en ; "
                        "skos:exactMatch <https://identifiers.org/hgnc:4764> .")
    (finding,) = check_links(store, reference)
    assert finding.severity == WARNING and "previous HGNC symbol" in finding.problem


def test_crosswalk_disagreement_is_an_error(reference):
    # MONDO:0011719 (GIST) maps to NCIT:C3868, not to NCIT:C3400 (synovial sarcoma)
    store = _store_with(f"<{ID}histotype/x> rdfs:label \"gastrointestinal stromal tumor\"@en ; "
                        "skos:exactMatch <http://purl.obolibrary.org/obo/MONDO_0011719> , "
                        "<http://purl.obolibrary.org/obo/NCIT_C3400> .")
    problems = [f.problem for f in check_links(store, reference) if f.severity == ERROR]
    assert any("MONDO maps to NCIT:C3868" in p for p in problems)


def test_orphanet_identifiers_are_checked_as_ordo_iris(reference):
    """Review r13 I4: Orphanet objects are ORDO's IRIs, looked up in Mondo's Orphanet set."""
    ordo = "http://www.orpha.net/ORDO/Orphanet_"
    store = _store_with(f"<{ID}histotype/x> rdfs:label \"synovial sarcoma\"@en ; "
                        f"skos:exactMatch <{ordo}3273> , <{ordo}999999999> .")
    findings = [(f.severity, f.target) for f in check_links(store, reference)]
    assert findings == [(ERROR, ordo + "999999999")]


def test_scheme_without_reference_is_reported_unchecked(reference):
    checker = LinkChecker(reference)
    (finding,) = checker.check_one(f"{ID}agent/x", "http://www.w3.org/2004/02/skos/core#exactMatch",
                                   "https://identifiers.org/drugbank:DB00619", ["imatinib"])
    assert finding.problem.startswith("unchecked")


def test_label_folding():
    assert normalise("Giant Cell Tumour of Bone") == normalise("giant cell tumor of bone")
    assert normalise("Chordomas") == normalise("chordoma")


def test_cli_exit_code(root, tmp_path, shared):
    from typer.testing import CliRunner

    from sarcoma_graph.cli import app

    runner = CliRunner()
    build_dir = tmp_path / "b"
    built = runner.invoke(app, ["build", "--root", str(root), "--build-dir", str(build_dir), "-q"])
    assert built.exit_code == 0
    result = runner.invoke(app, ["check-links", "--root", str(root), "--build-dir", str(build_dir),
                                 "--reference", str(shared / "data" / "reference"), "-q"])
    assert result.exit_code == 0, result.output
