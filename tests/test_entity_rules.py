"""The rule an entity page gives for each inferred fact is the one that derives that fact,
not the first rule of its property (``serve/pages/facts.py``)."""

from __future__ import annotations

import re

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


def page(store, iri: str, lang: str = "en") -> str:
    from sarcoma_graph.serve.routes.entities import entity_html

    html = entity_html(store, iri, lang, "")
    assert html is not None
    return html.decode()


def test_a_text_only_in_another_language_is_shown(curated_store):
    """The review's title exists in French only: its English page shows it (marked French)."""
    html = page(curated_store, ID + "document/le-cesne-2025-systemic-treatment-sts")
    assert '<span lang="fr">Traitements systémiques des sarcomes des tissus mous (STM)</span>' in html


def test_quotes_carry_their_document_language_and_modes_their_label(curated_store):
    """A review passage is marked French; an IMPRESARC bulletin passage (English text, the
    bulletin listed in two languages) is not; a record's mode shows its label."""
    review = page(curated_store, ID + "passage/review-ntrk")
    assert '<blockquote class="quote" lang="fr">' in review
    bulletin = page(curated_store, ID + "passage/bulletin-conclusions")
    assert '<blockquote class="quote">' in bulletin and 'class="quote" lang="fr"' not in bulletin
    fibrosarcoma = page(curated_store, ID + "histotype/infantile-fibrosarcoma")
    assert 'stated in source</span>' in fibrosarcoma and '<span class="badge stated"' in fibrosarcoma
    assert re.search(r'class="badge stated"[^>]*>sg:', fibrosarcoma) is None


def test_a_passage_shown_with_an_added_fact_is_called_context_not_quote(curated_store):
    """F6 (review r12): imatinib's target KIT is domain knowledge; the review passage shown
    with it ("l'imatinib dans les GIST bien sûr") led to it but does not state it."""
    html = page(curated_store, ID + "agent/imatinib")
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    kit = next(r for r in rows if r.startswith('<td data-label="Property"><a href="/ontology/hasTarget"')
               and "/id/gene/KIT" in r)
    assert "added from domain knowledge" in kit
    assert "<summary>context (the passage does not state this)</summary>" in kit
    assert "<summary>quote</summary>" not in kit
    assert "a curator added this from domain knowledge" in kit  # the badge's tooltip
    fibrosarcoma = page(curated_store, ID + "histotype/infantile-fibrosarcoma")
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", fibrosarcoma, re.S)
    group = next(r for r in rows
                 if r.startswith('<td data-label="Property"><a href="/ontology/memberOfGenotypeGroup"'))
    assert "stated in source" in group and "<summary>quote</summary>" in group


def test_the_ontology_page_lists_its_classes_as_a_tree_and_its_properties(curated_store):
    """The menu's "Ontology" page lists every class of the ontology under its parent and every
    property by kind, each a link to its page."""
    import re

    html = page(curated_store, "https://w3id.org/sarcoma-graph/ontology")
    classes = set(re.findall(r'href="/ontology/([A-Za-z]+)"', html.split('id="classes"')[1]
                             .split("</section>")[0]))
    assert {"Agent", "Drug", "Histotype", "TumourType", "EvidenceStatement"} <= classes
    tree = html.split('id="classes"')[1].split("</section>")[0]
    assert tree.index("/ontology/TumourType") < tree.index("/ontology/Histotype")  # under it
    objects = html.split('id="ObjectProperty"')[1].split("</section>")[0]
    assert "/ontology/memberOfGenotypeGroup" in objects and "/ontology/hasTarget" in objects
    assert "/ontology/Agent" not in objects


def test_the_ontology_page_has_its_title_the_vocabularies_it_reuses_and_its_files(curated_store):
    """F11 (review r12): the page's title was the raw IRI, and the reuse of RO, SEPIO, IAO, OBI
    and the rest showed only on single class pages; no file to download."""
    html = page(curated_store, "https://w3id.org/sarcoma-graph/ontology")
    assert "<h1>sarcoma-graph ontology</h1>" in html
    reused = html.split('<section id="reused">', 1)[1].split("</section>", 1)[0]
    for term in ("RO:0002436", "RO:0004019", "SEPIO:0000001", "IAO:0000310", "OBI:0000066"):
        assert term in reused, term
    assert "molecularly interacts with" in reused  # the reused term's own label
    assert reused.count("SEPIO:0000001") == 1  # as written, not every inferred subclass
    assert "/ontology?format=ttl" in html and "/ontology?format=rdfxml" in html


def test_a_gene_page_names_the_tumour_types_whose_causal_alteration_involves_it(curated_store):
    """F5 (review r12): KIT's page showed no tumour type (GIST is two links away, through the
    alteration); denosumab's target RANKL (TNFSF11) is reached downstream of the H3-3A mutation."""
    kit = page(curated_store, ID + "gene/KIT").split('<section id="tumours">', 1)[1]
    assert "gastrointestinal stromal tumour" in kit.split("</section>", 1)[0]
    rankl = page(curated_store, ID + "gene/TNFSF11").split('<section id="tumours">', 1)[1]
    section = rankl.split("</section>", 1)[0]
    assert "giant cell tumour of bone" in section and "deregulates it downstream" in section
    ntrk3 = page(curated_store, ID + "gene/NTRK3").split('<section id="tumours">', 1)[1]
    assert "infantile fibrosarcoma" in ntrk3 and "NTRK-altered soft tissue sarcoma" in ntrk3


RECORD_MODE = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?mode WHERE { ?r rdf:subject <%s> ; rdf:predicate <%s> ; rdf:object <%s> ;
  <https://w3id.org/sarcoma-graph/ontology/assertionMode> ?mode }"""


def test_an_inverse_fact_carries_the_mode_and_passage_of_the_fact_it_mirrors(curated_store):
    """F5 (review r12): "KIT is target of imatinib — inferred" did not say that the fact it
    mirrors (imatinib has target KIT) was added from domain knowledge. Each mirrored fact now
    has the forward record's mode, read here from the store independently."""
    mirrored = 0
    for iri in (ID + "gene/KIT", ID + "gene/TNFSF11", ID + "alteration/kit-activating-mutation"):
        data = gather(curated_store, iri)
        assert data is not None
        for fact in data.facts:
            rule = data.rules.get(rule_key(fact), [])
            if not (fact.inferred and rule[:1] == ["inverse"]):
                continue
            forward = [row["mode"].value for row in curated_store.query(
                RECORD_MODE % (fact.value.value, rule[1], iri)).bindings()]
            assert fact.mirrored is bool(forward), fact
            assert fact.mode == (forward[0] if forward else None), fact
            mirrored += bool(forward)
    assert mirrored >= 3
    kit = page(curated_store, ID + "gene/KIT")
    row = next(r for r in kit.split("<tr") if "agent/imatinib" in r and "inverse of" in r)
    assert "the fact it mirrors:" in row and "domain knowledge" in row and "<details>" in row


def test_an_entity_page_says_what_its_marks_mean_and_its_search_box_is_a_combobox(curated_store):
    """Review r13 F8: the badges' meanings were hover-only tooltips, and inferred rows said
    "property chain … ∘ …"; F11: screen readers did not hear the search suggestions."""
    html = page(curated_store, ID + "agent/denosumab")
    legend = html.split('<p class="legend">', 1)[1].split("</p>", 1)[0]
    assert "stated in source" in legend and "domain knowledge" in legend and "inferred" in legend
    assert "∘" not in html and "inferred: from has molecular target, then" in html
    assert 'role="combobox"' in html and 'aria-controls="sg-suggest"' in html
    assert 'role="status" aria-live="polite"' in html


def test_the_mechanism_picture_draws_agent_links_from_the_agent_and_says_when_there_is_none(
        curated_store):
    """Review r13 F9: the agent-side arrows pointed from the gene to the agent and were titled
    after the alteration's link ("affects gene"); F10: a tumour with no agent showed an empty
    column without a word."""
    from sarcoma_graph.serve.pages.plots import chains_svg

    gist = chains_svg(curated_store, ID + "histotype/gastrointestinal-stromal-tumour", "en", "")
    agent_edges = re.findall(r'<line x1="(\d+)" y1="[\d.]+" x2="(\d+)"[^>]*class="chain-edge agent '
                             r'([a-z-]+)"><title>([^<]+)</title>', gist)
    assert agent_edges
    for x1, x2, _kind, title in agent_edges:
        assert int(x1) > int(x2)  # from the agent column, leftwards to its target
        assert title.startswith(("has molecular target", "inhibits process")), title
    assert "affects gene</title>" in gist  # the alteration's own links keep their name
    assert "agent acts on it" in gist
    ddlps = chains_svg(curated_store, ID + "histotype/dedifferentiated-liposarcoma", "en", "")
    assert 'class="chain-none"' in ddlps and "No agent in this graph acts" in ddlps
    assert 'class="chain-none"' not in gist


def test_an_empty_mechanism_does_not_deny_the_treatments_a_source_names(curated_store):
    """Review r16 browser F15: the synovial sarcoma page said "no source names one for this
    tumour" under the review's quote on engineered T-cell therapy in synovial sarcoma. The
    picture now says what it covers (agents on the causal alterations, targeted therapies
    paired with it) and names the treatments its statements give; a tumour whose statements
    name no agent gets no such sentence."""
    from sarcoma_graph.serve.pages.plots import chains_svg

    synovial = chains_svg(curated_store, ID + "histotype/synovial-sarcoma", "en", "")
    assert 'class="chain-none"' in synovial and "names one for this tumour" not in synovial
    assert "other treatments" in synovial
    assert 'href="/id/agent/engineered-receptor-t-cell-therapy"' in synovial
    named = {r["tumour"].value for r in curated_store.query(
        "PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/> SELECT DISTINCT ?tumour "
        "WHERE { ?s sg:aboutTumour ?tumour ; sg:aboutAgent ?agent }").bindings()}
    rhabdoid = ID + "histotype/rhabdoid-tumour"
    assert rhabdoid not in named  # the case without: no sentence about other treatments
    assert "other treatments" not in chains_svg(curated_store, rhabdoid, "en", "")


def test_a_document_page_lists_its_passages_in_text_order(curated_store):
    """Passages have their position in the seed now (review r13 F9); the document's page
    listed them by IRI, alphabetically."""
    from sarcoma_graph.namespaces import entity_iri

    data = gather(curated_store, entity_iri("document", "le-cesne-2025-systemic-treatment-sts"))
    assert data is not None and len(data.document_passages) > 20
    starts = []
    for passage in data.document_passages:
        rows = curated_store.query(
            f"SELECT ?start WHERE {{ <{passage}> <http://www.w3.org/ns/oa#hasSelector> ?s . "
            "?s <http://www.w3.org/ns/oa#start> ?start }").rows
        starts.append(int(rows[0][0].value))
    assert starts == sorted(starts)
    assert data.document_passages != sorted(data.document_passages)  # not by IRI any more


def test_a_fact_added_from_domain_knowledge_shows_the_work_it_rests_on(curated_store):
    """Review r13 F7: the authority of an added fact was only in its note; the record now
    names it (sg:authority) and the fact's row shows it, linked, beside its mode."""
    from sarcoma_graph.namespaces import entity_iri
    from sarcoma_graph.serve.routes.entities import entity_html

    iri = entity_iri("agent", "pazopanib")
    data = gather(curated_store, iri)
    assert data is not None
    label = entity_iri("document", "uspi-pazopanib")
    targets = [f for f in data.facts if f.property == SG + "hasTarget" and not f.inferred]
    assert targets and all(f.authorities == (label,) for f in targets)
    html = entity_html(curated_store, iri, "en", "")
    assert html is not None
    assert html.decode().count('from</span> <a href="/id/document/uspi-pazopanib"') == len(targets)


def test_a_reference_work_and_the_record_class_list_the_records_citing_them(curated_store):
    """Review r15 browser F12: a drug label's page showed none of the facts resting on it, and
    the class page of the 230 curation records listed none (a filter dropped every record from
    "Referenced by"). A record naming an entity in its fact stays beside that fact."""
    from sarcoma_graph.namespaces import SG, entity_iri

    label = gather(curated_store, entity_iri("document", "uspi-pazopanib"))
    assert label is not None
    citing = {s for s, p in label.incoming if p == SG + "authority"}
    assert entity_iri("fact", "agent-pazopanib--hasTarget--gene-KIT") in citing
    assert len(citing) == len(curated_store.query(
        f"SELECT ?r WHERE {{ ?r <{SG}authority> <{entity_iri('document', 'uspi-pazopanib')}> }}").rows)
    records = gather(curated_store, SG + "CurationRecord")
    assert records is not None and sum(1 for _, p in records.incoming if p.endswith("#type")) > 200
    agent = gather(curated_store, entity_iri("agent", "pazopanib"))
    assert agent is not None
    assert not any("/id/fact/" in s for s, _ in agent.incoming)


def test_a_long_label_in_the_mechanism_picture_ends_with_an_ellipsis_and_keeps_its_title(
        curated_store):
    """Review r15 browser F10: the French "inhibiteurs de la gamma-sécrétase" was cut to
    "inhibiteurs de la gamma-sécrétas", with nothing saying so and no full name for the link."""
    from sarcoma_graph.catalogue import load_query
    from sarcoma_graph.serve.pages.plots import chains_svg
    from tests.conftest import ROOT

    iri = ID + "histotype/desmoid-tumour"
    headline = load_query(ROOT / "queries" / "agents-targeting-causal-alterations.rq").bind(
        {"tumour": iri})
    desmoid = chains_svg(curated_store, iri, "fr", "", headline)
    boxes = re.findall(r"<title>([^<]+)</title><rect[^>]*/><text[^>]*class=\"chain-label\">"
                       r"([^<]+)</text>", desmoid)
    assert boxes
    for full, shown in boxes:
        assert shown == full or (shown.endswith("…") and full.startswith(shown[:-1])), (full, shown)
    assert any(shown != full for full, shown in boxes)  # the long French label is one of them


def test_a_french_page_is_english_with_its_french_labels_marked(curated_store):
    """Review r16 browser F11 (r15 F10): a French reader's page said ``<html lang="fr">`` over
    English headings. The page is English; the French labels it shows say they are French."""
    html = page(curated_store, ID + "histotype/desmoid-tumour", "fr")
    assert html.startswith('<!doctype html><html lang="en">'), html[:60]
    assert '<h1 lang="fr">tumeur desmoïde</h1>' in html
    assert '<title lang="fr">tumeur desmoïde — sarcoma-graph</title>' in html
    assert re.search(r'<a href="[^"]*" title="[^"]*"><span lang="fr">[^<]+</span></a>', html)
    english = page(curated_store, ID + "histotype/desmoid-tumour")
    assert english.startswith('<!doctype html><html lang="en">') and "<h1>desmoid tumour</h1>" in english


def test_an_oncotree_value_in_the_facts_links_oncotrees_page_for_people(curated_store):
    """Review r16 browser F8: "Soft Tissue oncotree:SOFT_TISSUE" in the Facts table linked
    ``http://oncotree.mskcc.org/api/tumorTypes/search/code/SOFT_TISSUE`` (the prefix's IRI, a
    JSON API over http), while the Mappings table linked OncoTree's page."""
    html = page(curated_store, ID + "histotype/gastrointestinal-stromal-tumour")
    assert "http://oncotree.mskcc.org/api" not in html.replace(
        'title="http://oncotree.mskcc.org/api', "")  # the IRI stays, as the link's title
    assert ('href="https://oncotree.mskcc.org/?version=oncotree_latest_stable&amp;field=CODE&amp;'
            'search=SOFT_TISSUE"') in html
