"""The CIViC import end to end: counts on the real release, chosen evidence items, edge cases,
links to curated statements, atomic output, SHACL, named queries and the CLI.

The project used here is a temporary copy: the real ontology, plus a small hand-made curated
graph and mapping set (tests/fixtures/civic/), so that counts do not move when the project's
curated data or mappings change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from sarcoma_graph.catalogue import load_query
from sarcoma_graph.errors import InputError
from sarcoma_graph.importers.civic import pipeline
from sarcoma_graph.importers.civic.pipeline import ImportReport, import_civic
from sarcoma_graph.namespaces import entity_iri, graph_iri
from sarcoma_graph.project import Project
from sarcoma_graph.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "civic"
SG = "https://w3id.org/sarcoma-graph/ontology/"
CIVIC = graph_iri("civic")
EID = "https://identifiers.org/civic.eid:"
GIST_CLAIM = entity_iri("statement", "review-imatinib-gist")
TRK_CLAIM = entity_iri("statement", "review-trk-inhibitors-infantile-fibrosarcoma")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def make_project(base: Path) -> Project:
    """A project with the real ontology and the fixture curated data and mappings."""
    for folder in ("ontology", "shapes", "data/curated", "data/mappings"):
        (base / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "ontology" / "sarcoma-graph.ttl", base / "ontology")
    shutil.copy(FIXTURES / "curated.ttl", base / "data" / "curated")
    shutil.copy(FIXTURES / "histotypes.sssom.tsv", base / "data" / "mappings")
    return Project(base, base / "build")


def load(path: Path) -> Store:
    store = open_store()
    store.load_file(path)
    return store


def values(store: Store, subject: str, predicate: str) -> set[str]:
    """The objects of one subject and predicate, as strings (IRIs or lexical forms)."""
    result = store.query(f"SELECT ?o WHERE {{ <{subject}> <{predicate}> ?o }}")
    return {b["o"].value for b in result.bindings()}


@pytest.fixture(scope="module")
def reference(shared) -> Path:
    return shared / "data" / "reference"


@pytest.fixture(scope="module")
def real(tmp_path_factory, shared, reference) -> tuple[Project, ImportReport, Store]:
    project = make_project(tmp_path_factory.mktemp("civic-real"))
    report = import_civic(project, shared / "data" / "civic-2024-08-01", reference_dir=reference)
    return project, report, load(report.output)


@pytest.fixture
def edge(tmp_path, reference) -> tuple[Project, ImportReport, Store]:
    project = make_project(tmp_path)
    report = import_civic(project, FIXTURES / "edge-release", reference_dir=reference)
    return project, report, load(report.output)


# --- the real release ----------------------------------------------------------------------

@pytest.mark.slow
def test_real_release_counts(real):
    _, report, _ = real
    assert report.parsed == 4375
    # 188 through OncoTree's sarcoma subtrees alone, + 12 congenital fibrosarcoma items that
    # only the fixture's histotype mapping (infantile fibrosarcoma ↔ NCIT:C4244) brings in.
    assert report.selected == report.imported == 200
    assert report.skipped == {"not-sarcoma": 4001, "no-doid": 172, "doid-without-mondo": 2}
    assert report.matches == {"histotype-via-mondo": 90, "oncotree-sarcoma-subtree": 74,
                              "histotype-via-doid": 12, "histotype-via-ncit": 12,
                              "histotype-via-oncotree": 12}
    assert report.links == {"supports": 24, "disputes": 21}


@pytest.mark.slow
def test_imatinib_kit_exon_11_gist_item_end_to_end(real):
    _, _, store = real
    item = EID + "654"
    assert values(store, item, SG + "evidenceLevel") == {SG + "EvidenceLevelA"}
    assert values(store, item, SG + "evidenceDirection") == {SG + "Supports"}
    assert values(store, item, SG + "clinicalSignificance") == {
        entity_iri("civic-significance", "sensitivity-response")}
    assert values(store, item, SG + "aboutAgent") == {entity_iri("agent", "imatinib")}
    assert values(store, item, SG + "aboutTumour") == {
        entity_iri("histotype", "gastrointestinal-stromal-tumour")}
    assert values(store, item, SG + "aboutAlteration") == {entity_iri("civic-variant", "66")}
    assert values(store, entity_iri("civic-variant", "66"), SG + "affectsGene") == {
        entity_iri("gene", "KIT")}
    assert values(store, item, "http://purl.org/dc/terms/source") == {
        "https://identifiers.org/pubmed:14645423"}
    assert values(store, item, SG + "supports") == {GIST_CLAIM}


@pytest.mark.slow
def test_imatinib_resistance_of_pdgfra_d842v_disputes_the_gist_claim(real):
    _, _, store = real
    item = EID + "15"
    assert values(store, item, SG + "evidenceLevel") == {SG + "EvidenceLevelB"}
    assert values(store, item, SG + "clinicalSignificance") == {
        entity_iri("civic-significance", "resistance")}
    assert values(store, entity_iri("civic-variant", "99"), SG + "affectsGene") == {
        entity_iri("gene", "PDGFRA")}
    assert values(store, item, "http://purl.org/dc/terms/source") == {
        "https://identifiers.org/pubmed:15928335"}
    assert values(store, item, SG + "disputes") == {GIST_CLAIM}


@pytest.mark.slow
def test_larotrectinib_infantile_fibrosarcoma_item_end_to_end(real):
    _, _, store = real
    item = EID + "6099"
    assert values(store, item, SG + "evidenceLevel") == {SG + "EvidenceLevelA"}
    assert values(store, item, SG + "aboutAgent") == {entity_iri("agent", "larotrectinib")}
    assert values(store, item, SG + "aboutTumour") == {
        entity_iri("histotype", "infantile-fibrosarcoma")}
    assert values(store, entity_iri("civic-variant", "801"), SG + "affectsGene") == {
        entity_iri("gene", "NTRK3"), entity_iri("gene", "ETV6")}
    assert values(store, item, "http://purl.org/dc/terms/source") == {
        "https://identifiers.org/pubmed:29606586"}
    assert values(store, item, SG + "supports") == {TRK_CLAIM}  # larotrectinib ∈ TRK inhibitors
    assert values(store, EID + "6103", SG + "supports") == set()  # SQSTM1::NTRK1: another gene
    (match,) = values(store, item, SG + "diseaseMatch")
    assert match == "histotype-via-ncit: DOID:8418 → MONDO:0004557 → NCIT:C4244 → histotype " \
        "(project mappings)"


@pytest.mark.slow
def test_desmoid_ctnnb1_diagnostic_item_end_to_end(real):
    _, _, store = real
    item = EID + "2974"
    assert values(store, item, SG + "civicEvidenceType") == {SG + "DiagnosticEvidence"}
    assert values(store, item, SG + "evidenceLevel") == {SG + "EvidenceLevelB"}
    assert values(store, item, SG + "aboutTumour") == {entity_iri("histotype", "desmoid-tumour")}
    assert values(store, item, SG + "aboutAgent") == set()
    (alteration,) = values(store, item, SG + "aboutAlteration")
    assert values(store, alteration, SG + "affectsGene") == {entity_iri("gene", "CTNNB1")}
    assert values(store, item, "http://purl.org/dc/terms/source") == {
        "https://identifiers.org/pubmed:18832571"}


@pytest.mark.slow
def test_sarcoma_without_histotype_keeps_its_mondo_class(real):
    _, _, store = real
    tumour = "http://purl.obolibrary.org/obo/MONDO_0002581"  # spindle cell rhabdomyosarcoma
    assert SG + "TumourType" in values(store, tumour, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert values(store, tumour, "http://www.w3.org/2004/02/skos/core#exactMatch") == {
        "http://purl.obolibrary.org/obo/DOID_3260"}


@pytest.mark.slow
def test_output_is_sorted_nquads_in_the_civic_graph_without_blank_nodes(real):
    _, report, store = real
    lines = report.output.read_bytes().splitlines()
    assert lines == sorted(set(lines)) and len(lines) == report.quads
    quads = list(store.quads())
    assert {q.graph_name.value for q in quads} == {CIVIC}
    assert not any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object))
    literals = [q.object for q in quads if isinstance(q.object, ox.Literal)]
    assert not any(lit.datatype.value == XSD_STRING and b"^^" in str(lit).encode()
                   for lit in literals)
    assert b"XMLSchema#string" not in report.output.read_bytes()


@pytest.mark.slow
def test_release_and_graph_provenance(real):
    _, _, store = real
    release = entity_iri("source", "civic-2024-08-01")
    assert values(store, release, "http://www.w3.org/2002/07/owl#versionInfo") == {"2024-08-01"}
    assert values(store, release, "http://purl.org/dc/terms/license") == {
        "https://creativecommons.org/publicdomain/zero/1.0/"}
    assert values(store, CIVIC, "http://www.w3.org/ns/prov#wasDerivedFrom") == {release}
    assert values(store, EID + "654", "http://www.w3.org/ns/prov#wasDerivedFrom") == {release}


@pytest.mark.slow
def test_the_import_is_deterministic(real, reference, shared):
    project, report, _ = real
    first = report.output.read_bytes()
    again = import_civic(project, shared / "data" / "civic-2024-08-01", reference_dir=reference)
    assert again.output.read_bytes() == first


@pytest.mark.slow
def test_import_all_keeps_every_mappable_item(tmp_path, shared, reference):
    project = make_project(tmp_path)
    report = import_civic(project, shared / "data" / "civic-2024-08-01", all_items=True,
                          reference_dir=reference)
    assert report.imported == 4373 and report.selected == 200
    # two items are about CIViC "factors" (Kataegis Positive, CK High) absent from the variants
    assert report.skipped == {"unknown-variant": 2}
    assert {s.evidence_id for s in report.skips} == {"12037", "12038"}
    store = load(report.output)
    lung = store.query(f"ASK {{ <{EID}1> <{SG}aboutTumour> ?t }}")
    assert lung.boolean  # lymphoid leukemia kept as its Mondo class


# --- edge cases (hand-made release) -----------------------------------------------------------

def test_edge_release_counts_and_reasons(edge):
    _, report, _ = edge
    assert (report.parsed, report.imported, report.selected) == (12, 4, 4)
    assert report.skipped == {
        "not-sarcoma": 1, "doid-without-mondo": 1, "no-doid": 1, "unknown-variant": 1,
        "unknown-molecular-profile": 1, "unknown-evidence-type": 1, "duplicate-evidence-id": 1,
        "invalid-evidence-id": 1}
    by_reason = {s.reason: s for s in report.skips}
    assert by_reason["doid-without-mondo"].evidence_id == "9005"
    assert "DOID:999999999" in by_reason["doid-without-mondo"].detail


def test_embedded_newline_and_quotes_reach_the_graph(edge):
    _, _, store = edge
    assert values(store, EID + "9001", "http://purl.org/dc/terms/description") == {
        'Line one with "quoted" words\nand a second line.'}


def test_multi_variant_profile_gives_one_alteration_per_variant(edge):
    _, _, store = edge
    item = EID + "9001"
    assert values(store, item, SG + "aboutAlteration") == {
        entity_iri("civic-variant", "1001"), entity_iri("civic-variant", "1002")}
    assert values(store, item, SG + "molecularProfile") == {"KIT D816V AND PDGFRA D842V"}
    assert values(store, item, SG + "aboutAgent") == {
        entity_iri("agent", "imatinib"), entity_iri("agent", "sunitinib")}
    assert values(store, item, SG + "therapyInteraction") == {SG + "CombinationTherapy"}
    assert values(store, item, SG + "supports") == {GIST_CLAIM}


def test_variant_without_gene_is_kept_without_affects_gene(edge):
    _, report, store = edge
    alteration = entity_iri("civic-variant", "1004")
    assert values(store, alteration, SG + "affectsGene") == set()
    assert "http://purl.obolibrary.org/obo/SO_0001060" in values(
        store, alteration, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert report.notes["variant without gene"] == 1


def test_asco_source_date_and_missing_rating(edge):
    _, _, store = edge
    item = EID + "9010"
    assert values(store, item, "http://purl.org/dc/terms/source") == {
        "https://meetinglibrary.asco.org/record/161573/abstract"}
    assert values(store, item, "http://purl.org/dc/terms/modified") == {"2024-01-05"}
    assert values(store, item, SG + "rating") == set()
    assert values(store, item, SG + "evidenceDirection") == {SG + "DoesNotSupport"}


def test_minted_agents_and_genes_carry_external_identifiers(edge):
    _, _, store = edge
    sunitinib = entity_iri("agent", "sunitinib")
    assert values(store, sunitinib, "http://www.w3.org/2004/02/skos/core#exactMatch") == {
        "http://purl.obolibrary.org/obo/NCIT_C71622"}
    assert values(store, entity_iri("gene", "KIT"), "http://www.w3.org/2000/01/rdf-schema#label") \
        == set()  # the curated gene is linked to, not described again


def test_a_failure_while_writing_leaves_the_previous_file(edge, monkeypatch, reference):
    project, report, _ = edge
    before = report.output.read_bytes()

    def half_then_crash(handle, lines):
        handle.write(b"".join(line + b"\n" for line in lines[: len(lines) // 2]))
        raise OSError("disk full (injected)")

    monkeypatch.setattr(pipeline, "write_lines", half_then_crash)
    with pytest.raises(InputError, match=r"cannot write.*injected"):
        import_civic(project, FIXTURES / "edge-release", reference_dir=reference, all_items=True)
    assert report.output.read_bytes() == before
    assert [p.name for p in report.output.parent.iterdir()] == ["civic.nq"]


# --- SHACL ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_imported_graph_validates_against_the_project_shapes(tmp_path, shared, reference):
    """The real release imported into the real project: curated + CIViC + inferences conform."""
    from sarcoma_graph.build import build
    from sarcoma_graph.reason import materialise
    from sarcoma_graph.validate import validate

    project = Project(ROOT, tmp_path / "build")
    import_civic(project, shared / "data" / "civic-2024-08-01", reference_dir=reference)
    store, _ = build(project)
    materialise(store)
    report = validate(store, ROOT / "shapes")
    assert report.violations == []


# --- named queries -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dataset(real) -> Store:
    from sarcoma_graph.build import build

    project, _, _ = real
    return build(project)[0]


def run(store: Store, name: str, **params: str) -> list[dict[str, str]]:
    query = load_query(ROOT / "queries" / f"{name}.rq")
    result = store.query(query.bind(params))
    return [{k: t.value for k, t in b.items()} for b in result.bindings()]


@pytest.mark.slow
def test_query_level_ab_predictive_per_histotype(dataset):
    rows = run(dataset, "civic-level-ab-predictive-by-histotype")
    gist = {r["level"]: r for r in rows
            if r["tumour"] == entity_iri("histotype", "gastrointestinal-stromal-tumour")}
    assert int(gist[SG + "EvidenceLevelA"]["items"]) >= 2
    assert "EID654" in gist[SG + "EvidenceLevelA"]["evidenceItems"]
    only_a = run(dataset, "civic-level-ab-predictive-by-histotype", level=SG + "EvidenceLevelA")
    assert {r["level"] for r in only_a} == {SG + "EvidenceLevelA"}


@pytest.mark.slow
def test_query_claims_without_support(dataset):
    rows = run(dataset, "civic-curated-claims-without-support")
    assert {r["statement"] for r in rows} == {entity_iri("statement", "review-nirogacestat-desmoid")}


@pytest.mark.slow
def test_query_uncovered_evidence(dataset):
    rows = run(dataset, "civic-uncovered-evidence")
    combos = {(r["tumour"], r["agent"], r["gene"]) for r in rows}
    gist = entity_iri("histotype", "gastrointestinal-stromal-tumour")
    assert (gist, entity_iri("agent", "sunitinib"), entity_iri("gene", "KIT")) in combos
    assert not any(t == gist and a == entity_iri("agent", "imatinib") for t, a, _ in combos)


@pytest.mark.slow
def test_query_evidence_backing_the_imatinib_gist_claim(dataset):
    rows = run(dataset, "civic-evidence-for-claim")  # default: the imatinib–GIST statement
    supports = {r["eid"] for r in rows if r["relation"] == SG + "supports"}
    assert "EID654" in supports and len(supports) == 21
    assert {r["statement"] for r in rows} == {GIST_CLAIM}
    summary = {r["statement"]: r for r in run(dataset, "civic-claim-support-summary")}
    assert (summary[GIST_CLAIM]["supports"], summary[GIST_CLAIM]["disputes"]) == ("21", "21")
    assert (summary[TRK_CLAIM]["supports"], summary[TRK_CLAIM]["supportsLevelAB"]) == ("3", "1")


# --- CLI -----------------------------------------------------------------------------------

def test_cli_imports_a_folder_and_reports_skips(tmp_path, reference):
    from sarcoma_graph.cli import app

    project = make_project(tmp_path)
    result = CliRunner().invoke(app, [
        "import", "civic", str(FIXTURES / "edge-release"), "--root", str(project.root),
        "--build-dir", str(project.build_dir), "--reference", str(reference), "--show-skips"])
    output = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "parsed 12 evidence items, imported 4" in output
    assert "EID9005: doid-without-mondo" in output
    assert (project.build_dir / "imports" / "civic.nq").is_file()


def test_cli_bad_input_exits_2(tmp_path):
    from sarcoma_graph.cli import app

    project = make_project(tmp_path)
    where = ["--root", str(project.root), "--build-dir", str(project.build_dir)]
    runner = CliRunner()
    missing = runner.invoke(app, ["import", "civic", str(tmp_path / "nope"), *where])
    assert missing.exit_code == 2 and "no such folder" in " ".join(missing.output.split())
    bad_date = runner.invoke(app, ["import", "civic", "--date", "2024-02-30", *where])
    assert bad_date.exit_code == 2 and "bad release date" in bad_date.output
    nothing = runner.invoke(app, ["import", "civic", *where])
    assert nothing.exit_code == 2
    assert not (project.build_dir / "imports" / "civic.nq").exists()
