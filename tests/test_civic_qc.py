"""Regression (issue 12): after the README's CIViC step, `qc` must still pass.

The real CIViC release names some alterations as the curated graph does ("ALK Fusion" and the
curated "ALK fusion"): the import links such a variant to the curated alteration with
skos:exactMatch, and the duplicate-labels check treats the pair as one thing from two sources.
"""

from __future__ import annotations

import pytest

from sarcoma_graph.build import build
from sarcoma_graph.importers.civic.pipeline import import_civic
from sarcoma_graph.project import Project
from sarcoma_graph.qc import run_qc
from sarcoma_graph.reason import materialise

SKOS_EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
ID = "https://w3id.org/sarcoma-graph/id/"


@pytest.fixture(scope="module")
def imported(root, shared, tmp_path_factory):
    project = Project.discover(root, build_dir=tmp_path_factory.mktemp("civic-qc"))
    import_civic(project, shared / "data" / "civic-2024-08-01",
                 reference_dir=shared / "data" / "reference")
    store, _ = build(project)
    materialise(store)
    return project, store


@pytest.mark.slow
def test_qc_passes_after_importing_the_real_civic_release(imported):
    project, store = imported
    report = run_qc(store, project.qc_dir)
    assert [(f.check, f.entity, f.value) for f in report.errors] == []


@pytest.mark.slow
def test_civic_alk_fusion_is_linked_to_the_curated_alk_fusion(imported):
    _, store = imported
    query = f"""SELECT ?variant WHERE {{ ?variant <{SKOS_EXACT}> <{ID}alteration/alk-fusion> ;
        <http://www.w3.org/2000/01/rdf-schema#label> "ALK Fusion"@en }}"""
    variants = [row["variant"].value for row in store.query(query).bindings()]
    assert len(variants) == 1 and variants[0].startswith(ID + "civic-variant/")


@pytest.mark.slow
def test_every_linked_pair_affects_the_same_genes(imported):
    _, store = imported
    query = f"""PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/>
    SELECT ?variant ?curated WHERE {{
      ?variant <{SKOS_EXACT}> ?curated . FILTER(STRSTARTS(STR(?variant), "{ID}civic-variant/"))
      {{ ?variant sg:affectsGene ?gene FILTER NOT EXISTS {{ ?curated sg:affectsGene ?gene }} }}
      UNION {{ ?curated sg:affectsGene ?gene FILTER NOT EXISTS {{ ?variant sg:affectsGene ?gene }} }} }}"""
    assert list(store.query(query).bindings()) == []
