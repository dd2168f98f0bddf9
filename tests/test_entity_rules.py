"""The rule an entity page gives for each inferred fact is the one that derives that fact,
not the first rule of its property (``serve/pages/facts.py``)."""

from __future__ import annotations

from sarcoma_graph.namespaces import ID, SG
from sarcoma_graph.serve.pages.facts import gather, rule_key

RO_MEMBER_OF = "http://purl.obolibrary.org/obo/RO_0002350"


def rules_of(store, iri: str) -> dict[tuple[str, str], list[str]]:
    data = gather(store, iri)
    assert data is not None
    return {(f.property, f.value.value): data.rules.get(rule_key(f), [])
            for f in data.facts if f.inferred}


def test_member_of_is_explained_by_the_sub_property_the_entity_has(curated_store):
    """RO 'member of' has two sub-properties (in drug class, member of genotype-defined
    group): an agent's membership comes from its drug class."""
    denosumab = rules_of(curated_store, ID + "agent/denosumab")
    assert denosumab[(RO_MEMBER_OF, ID + "agent/rank-ligand-inhibitor")] == ["sub", SG + "inDrugClass"]
    fibrosarcoma = rules_of(curated_store, ID + "histotype/infantile-fibrosarcoma")
    assert fibrosarcoma[(RO_MEMBER_OF, ID + "group/ntrk-rearranged-sarcoma")] == \
        ["sub", SG + "memberOfGenotypeGroup"]


def test_each_fact_is_explained_by_the_chain_that_derives_it(curated_store):
    """Denosumab reaches the H3-3A G34 mutation through its downstream effector RANKL
    (TNFSF11), imatinib the KIT mutation through its target: each fact gets its own chain."""
    denosumab = rules_of(curated_store, ID + "agent/denosumab")
    assert denosumab[(SG + "targetsAlterationViaEffector", ID + "alteration/h3-3a-g34-mutation")] == \
        ["chain", SG + "hasTarget", SG + "isDownstreamEffectorOf"]
    imatinib = rules_of(curated_store, ID + "agent/imatinib")
    assert imatinib[(SG + "targetsAlteration", ID + "alteration/kit-activating-mutation")] == \
        ["sub", SG + "targetsAlterationDirectly"]
    assert imatinib[(SG + "targetsAlteration", ID + "alteration/col1a1-pdgfb-fusion")] == \
        ["sub", SG + "targetsAlterationIndirectly"]
