"""Disease and therapy crosswalks of the CIViC import, over the real reference sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from sarcoma_graph.importers.civic.crosswalk import Crosswalk, read_project_mappings
from sarcoma_graph.namespaces import entity_iri
from sarcoma_graph.reference import load_references

MAPPINGS = Path(__file__).parent / "fixtures" / "civic" / "histotypes.sssom.tsv"
MONDO = "http://purl.obolibrary.org/obo/MONDO_"


@pytest.fixture(scope="module")
def crosswalk(shared) -> Crosswalk:
    refs = load_references(shared / "data" / "reference")
    return Crosswalk(refs, read_project_mappings([MAPPINGS]))


@pytest.mark.parametrize(("doid", "kind", "histotype"), [
    ("9253", "histotype-via-mondo", "gastrointestinal-stromal-tumour"),   # MONDO:0011719
    ("8418", "histotype-via-ncit", "infantile-fibrosarcoma"),             # → NCIT:C4244
    ("0080366", "histotype-via-doid", "desmoid-tumour"),                  # DOID itself
    ("5485", "histotype-via-oncotree", "synovial-sarcoma"),               # → oncotree:SYNS
])
def test_histotypes_are_found_through_each_identifier(crosswalk, doid, kind, histotype):
    match = crosswalk.disease(doid, "ignored: names are never matched")
    assert (match.kind, match.tumours) == (kind, (entity_iri("histotype", histotype),))
    assert match.selected and match.histotype and match.path.startswith(f"DOID:{doid} → ")


def test_a_sarcoma_without_histotype_falls_under_the_oncotree_soft_tissue_subtree(crosswalk):
    match = crosswalk.disease("3260", "Spindle Cell Rhabdomyosarcoma")
    assert match.kind == "oncotree-sarcoma-subtree" and match.selected
    assert match.tumours == (MONDO + "0002581",)
    assert match.path == ("DOID:3260 → MONDO:0002581 → NCIT:C6519 → oncotree:SCRMS "
                          "(under oncotree:SOFT_TISSUE)")


def test_bone_and_organ_sarcoma_subtrees_count(crosswalk):
    assert crosswalk.disease("3347", "Osteosarcoma").selected            # BONE
    assert crosswalk.disease("4545", "Mesenchymal Chondrosarcoma").selected  # MCHSCNS


def test_paraganglioma_under_soft_tissue_is_not_mesenchymal(crosswalk):
    assert crosswalk.disease("0050773", "Paraganglioma").kind == "unmatched"


def test_other_cancers_and_unknown_doids_are_not_selected(crosswalk):
    lung = crosswalk.disease("1324", "Lung Cancer")
    assert (lung.kind, lung.selected, lung.tumours) == ("unmatched", False, (MONDO + "0008903",))
    unknown = crosswalk.disease("999999999", "Imaginary")
    assert unknown.kind == "no-mondo" and unknown.tumours == (
        "http://purl.obolibrary.org/obo/DOID_999999999",)
    assert crosswalk.disease("", "Sarcoma").kind == "no-doid"


def test_therapies_reuse_curated_agents_through_ncit(crosswalk):
    imatinib = crosswalk.agent("Imatinib")
    assert (imatinib.iri, imatinib.ncit, imatinib.curated) == (
        entity_iri("agent", "imatinib"), "NCIT:C62035", True)
    sunitinib = crosswalk.agent("Sunitinib")
    assert (sunitinib.iri, sunitinib.ncit, sunitinib.curated) == (
        entity_iri("agent", "sunitinib"), "NCIT:C71622", False)
    assert crosswalk.agent("BET Inhibitor").ncit is None


def test_hgnc_lookup_uses_approved_then_previous_symbols(crosswalk):
    hgnc = crosswalk.refs.hgnc
    assert hgnc.lookup("KIT") == "hgnc:6342"
    assert hgnc.lookup("ABL") == "hgnc:76"       # a previous symbol of ABL1
    assert hgnc.lookup("COX2") is None           # an alias of two genes: ambiguous
