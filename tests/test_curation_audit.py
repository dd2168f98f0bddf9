"""Audit of assertion modes: what a record says the source states, the source's text must name.

A curation record (or an entity) marked ``sg:StatedInSource`` rests on passages whose text names both
its subject and its object; one marked ``sg:DomainKnowledge`` rests on passages that do not name both
(otherwise the source states it and the record is wrong). Names are an entity's labels (rdfs:label,
skos:altLabel, skos:hiddenLabel in any language) and the French/English forms listed, each with a
reason, in ``data/coverage/text-forms.tsv``. Notes are per record: no two records share a note.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from tests.curated_graph import curated

ROOT = Path(__file__).resolve().parents[1]
SG = Namespace("https://w3id.org/sarcoma-graph/ontology/")
OA = Namespace("http://www.w3.org/ns/oa#")
ID = "https://w3id.org/sarcoma-graph/id/"
FORMS = ROOT / "data" / "coverage" / "text-forms.tsv"


def fold(text: str) -> str:
    """Case-, dash- and apostrophe-insensitive form of a text."""
    text = unicodedata.normalize("NFC", text).casefold()
    for dash in "\u2010\u2011\u2012\u2013\u2014\u2212":
        text = text.replace(dash, "-")
    return text.replace("\u2019", "'")


@cache
def listed_forms() -> dict[str, list[str]]:
    forms: dict[str, list[str]] = {}
    with FORMS.open(encoding="utf-8") as handle:
        for row in csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            assert row["form"].strip() and row["reason"].strip(), f"{FORMS}: {row} needs a form and a reason"
            forms.setdefault(ID + row["entity"], []).append(row["form"])
    return forms


def names(term) -> list[str]:
    if isinstance(term, Literal):
        return [str(term)]
    graph = curated()
    found = [str(o) for p in (RDFS.label, SKOS.altLabel, SKOS.hiddenLabel) for o in graph.objects(term, p)]
    return found + listed_forms().get(str(term), [])


def passage_text(record) -> str:
    graph = curated()
    texts = [str(exact) for p in graph.objects(record, SG.restsOn)
             for s in graph.objects(p, OA.hasSelector) for exact in graph.objects(s, OA.exact)]
    return fold(" \n ".join(texts))


def named(term, text: str) -> bool:
    return any(fold(name) in text for name in names(term))


def subject_named(record: URIRef) -> bool:
    """The record's subject is named by its passages; an evidence statement is "named" by a passage
    it rests on itself (a statement is the claim of its passage), so that a record on one of its
    own triples is judged by its object alone (review r15, F12)."""
    graph = curated()
    subject = graph.value(record, RDF.subject)
    if "/statement/" in str(subject):
        return bool(set(graph.objects(record, SG.restsOn)) & set(graph.objects(subject, SG.restsOn)))
    return named(subject, passage_text(record))


def records(mode: URIRef) -> list:
    graph = curated()
    return sorted(r for r in graph.subjects(RDF.type, SG.CurationRecord)
                  if (r, SG.assertionMode, mode) in graph)


def entities(mode: URIRef) -> list:
    """Entities (not records, statements or documents) with this mode that rest on a passage."""
    graph = curated()
    return sorted(s for s in graph.subjects(SG.assertionMode, mode)
                  if (s, RDF.type, SG.CurationRecord) not in graph and (s, SG.restsOn, None) in graph
                  and "/statement/" not in str(s) and "/document/" not in str(s)
                  and "/measurement/" not in str(s))  # checked by their figures (below)


def test_the_forms_file_lists_existing_entities():
    graph = curated()
    unknown = [iri for iri in listed_forms() if (URIRef(iri), None, None) not in graph]
    assert unknown == []


def test_stated_records_rest_on_a_passage_naming_subject_and_object():
    graph = curated()
    wrong = [str(r) for r in records(SG.StatedInSource)
             if not (subject_named(r) and named(graph.value(r, RDF.object), passage_text(r)))]
    assert wrong == [], "stated, but the passage does not name both ends:\n" + "\n".join(wrong)


def test_domain_knowledge_records_do_not_rest_on_a_passage_stating_them():
    graph = curated()
    wrong = [str(r) for r in records(SG.DomainKnowledge)
             if subject_named(r) and named(graph.value(r, RDF.object), passage_text(r))]
    assert wrong == [], "marked domain knowledge, but the passage names both ends:\n" + "\n".join(wrong)


def test_stated_entities_are_named_by_their_passage():
    wrong = [str(e) for e in entities(SG.StatedInSource) if not named(e, passage_text(e))]
    assert wrong == [], "stated, but the passage does not name the entity:\n" + "\n".join(wrong)


def test_domain_knowledge_entities_are_not_named_by_their_passage():
    wrong = [str(e) for e in entities(SG.DomainKnowledge) if named(e, passage_text(e))]
    assert wrong == [], "marked domain knowledge, but the passage names the entity:\n" + "\n".join(wrong)


@pytest.mark.parametrize("kind", ["records", "entities"])
def test_notes_are_per_record_not_copies(kind):
    graph = curated()
    is_record = kind == "records"
    notes = Counter(str(n) for s, n in graph.subject_objects(SG.curatorNote)
                    if ((s, RDF.type, SG.CurationRecord) in graph) == is_record)
    assert [note for note, count in notes.items() if count > 1] == []


def test_every_domain_knowledge_record_and_entity_has_a_note():
    graph = curated()
    missing = [str(s) for s in graph.subjects(SG.assertionMode, SG.DomainKnowledge)
               if (s, SG.curatorNote, None) not in graph]
    assert missing == []


FIGURES = ("value", "ciLower", "ciUpper", "denominator", "landmarkTime")


def test_each_measurement_rests_on_passages_that_give_its_figures():
    """A number the graph reports is quoted: its value, interval, denominator and landmark each
    appear, as a whole number or decimal, in the passages the measurement rests on."""
    graph = curated()
    measurements = sorted(graph.subjects(RDF.type, SG.OutcomeMeasurement))
    assert measurements
    wrong = []
    for measurement in measurements:
        quoted = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", passage_text(measurement))}
        for name in FIGURES:
            for figure in graph.objects(measurement, SG[name]):
                if float(figure) not in quoted:
                    wrong.append(f"{measurement} sg:{name} {figure}")
    assert wrong == [], "figures no passage of the measurement gives:\n" + "\n".join(wrong)


def test_a_tumour_type_from_a_french_source_has_a_french_label():
    """Review r13 F4: "liposarcome dédifférencié" found nothing, because the tumour type had
    no French label although a source of it is in French. The search finds French names only
    through labels, so every histotype resting on a passage of a French document has one."""
    graph = curated()
    lacking = []
    for histotype in graph.subjects(RDF.type, SG.Histotype):
        documents = {graph.value(p, OA.hasSource) for p in graph.objects(histotype, SG.restsOn)}
        french_source = any(Literal("fr") in set(graph.objects(d, DCTERMS.language)) for d in documents)
        french_labels = [label for label in graph.objects(histotype, RDFS.label)
                         if isinstance(label, Literal) and label.language == "fr"]
        if french_source and not french_labels:
            lacking.append(str(histotype))
    assert lacking == [], "no French label:\n" + "\n".join(sorted(lacking))


def test_an_hla_restriction_is_written_as_its_cited_work_writes_it():
    """Review r13 F13: lete-cel's alleles were written as P groups (HLA-A*02:05P) although the
    trial eligibility its notes cite lists alleles (*02:05). The citation is the part of each
    record's note after the first ": "; the value's allele must appear there as written, with
    its P suffix if and only if the value has one."""
    graph = curated()
    wrong = []
    for record in graph.subjects(RDF.predicate, SG.hlaRestriction):
        value = str(graph.value(record, RDF.object))
        citation = str(graph.value(record, SG.curatorNote)).split(": ", 1)[1]
        allele = value.split("*", 1)[1]
        if not re.search(re.escape("*" + allele) + r"(?!P)", citation):
            wrong.append(f"{value}: {citation}")
    assert wrong == [], "not as the cited work writes it:\n" + "\n".join(wrong)


def test_a_statements_alteration_has_the_mode_of_its_tumours_causal_alteration() -> None:
    """Regression, review r15 F12: the NTRK group's hasCausalAlteration record was stated while the
    statement's aboutAlteration record on the same alteration was domain knowledge."""
    graph = curated()

    def record_mode(subject: URIRef, predicate: URIRef, obj: URIRef) -> object:
        for r in graph.subjects(RDF.subject, subject):
            if (r, RDF.predicate, predicate) in graph and (r, RDF.object, obj) in graph:
                return graph.value(r, SG.assertionMode)
        return None

    wrong = []
    for statement, alteration in graph.subject_objects(SG.aboutAlteration):
        for tumour in graph.objects(statement, SG.aboutTumour):
            if (tumour, SG.hasCausalAlteration, alteration) not in graph:
                continue
            about = record_mode(statement, SG.aboutAlteration, alteration)
            causal = record_mode(tumour, SG.hasCausalAlteration, alteration)
            if about != causal:
                wrong.append(f"{statement} aboutAlteration {alteration}: {about}; {tumour}: {causal}")
    assert wrong == [], "\n".join(wrong)


def test_uterine_sarcoma_placement_rests_on_the_review_that_states_it() -> None:
    """Regression, review r15 F11: the placement cited WHO Female Genital Tumours, which classes uterine
    sarcomas under the uterine corpus, and its note said the sources do not place it; the review counts
    'sarcome utérin' among 'certains sous-types de sarcome' set against 'STM non sélectionnées'."""
    graph = curated()
    record = URIRef(ID + "fact/histotype-uterine-sarcoma--isSubtypeOf--histotype-soft-tissue-sarcoma")
    assert graph.value(record, SG.assertionMode) == SG.StatedInSource
    assert graph.value(record, SG.authority) is None
    passages = {str(p).rsplit("/", 1)[-1] for p in graph.objects(record, SG.restsOn)}
    assert {"review-subtype-studies", "review-anthracycline-era-over"} <= passages
    assert "do not place" not in str(graph.value(record, SG.curatorNote))


def test_the_readme_says_which_defining_alterations_are_not_recorded() -> None:
    """Regression, review r15 F14: the README said every defining alteration is recorded, but WHO 2020's
    rarer ones are not (SS18::SSX4; the ROS1, NTRK3, RET and PDGFRB fusions of IMT; TFE3 in PEComa).
    The README names them; if one is curated, this test asks for the README to be updated."""
    readme = (ROOT / "data" / "curated" / "README.md").read_text(encoding="utf-8")
    assert "Every defining alteration of a tumour type is recorded" not in readme
    graph = curated()
    labels = {str(o) for s in graph.subjects(RDF.type, SG.GeneticAlteration)
              for o in graph.objects(s, RDFS.label)}
    for recorded in ("SS18::SSX1 fusion", "SS18::SSX2 fusion", "ALK fusion", "TSC1 loss of function"):
        assert recorded in labels and recorded in readme, recorded
    for missing in ("SS18::SSX4", "ROS1", "RET", "PDGFRB", "TFE3-rearranged"):
        assert missing in readme, f"the README should name {missing} as not recorded"
        assert not any(missing in label for label in labels if "ASPSCR1" not in label), \
            f"{missing} is now curated: update the README's list of unrecorded alterations"


def test_survival_unspecified_is_broader_than_pfs_and_os() -> None:
    """Regression, review r15 F10: ASPS's "better survival" and DDLPS's "poorer outcomes" had the same
    empty measure. "Survival" is recorded as a measure that PFS and OS are narrower than."""
    graph = curated()
    survival = URIRef(ID + "measure/survival")
    assert (survival, RDF.type, SG.OutcomeMeasure) in graph
    for narrower in ("progression-free-survival", "overall-survival"):
        assert (URIRef(ID + "measure/" + narrower), SG.broaderMeasure, survival) in graph
    asps = URIRef(ID + "statement/impresarc-asps-better-survival")
    ddlps = URIRef(ID + "statement/impresarc-ddlps-poorer-outcomes")
    assert (asps, SG.aboutOutcomeMeasure, survival) in graph
    assert (ddlps, SG.aboutOutcomeMeasure, None) not in graph


def test_every_studies_ongoing_of_the_review_is_an_under_study_statement(shared: Path) -> None:
    """Regression, review r16 F1: the review says "études en cours" three times (liquid biopsies,
    radiotherapy with immunotherapy, personalised medicine by high-throughput sequencing); the last
    was not curated, so "what is under study" gave 2 of 3. Each occurrence lies in a passage that an
    sg:UnderStudy statement rests on."""
    graph = curated()
    review = (shared / "seeds" / "000_38bbfa7ce1aa8467.txt").read_text(encoding="utf-8")
    occurrences = [m.start() for m in re.finditer(re.escape("études en cours"), review)]
    assert len(occurrences) == 3
    spans = []
    for statement in graph.subjects(SG.hasQualifier, SG.UnderStudy):
        for passage in graph.objects(statement, SG.restsOn):
            for selector in graph.objects(passage, OA.hasSelector):
                start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
                if start is not None and end is not None:
                    spans.append((int(start), int(end)))
    uncovered = [at for at in occurrences if not any(s <= at < e for s, e in spans)]
    assert uncovered == [], [review[at - 80:at + 15] for at in uncovered]


def test_new_agents_statement_claims_only_what_its_passage_quotes() -> None:
    """Regression, review r16 F1: the description of review-new-agents-end-small-trials claimed
    personalised medicine and obsolete response criteria, which its quoted passage did not hold."""
    graph = curated()
    statement = URIRef(ID + "statement/review-new-agents-end-small-trials")
    description = str(graph.value(statement, DCTERMS.description))
    text = passage_text(statement)
    assert "personalised medicine" not in description
    assert ("obsolete" in description) == ("obsolètes" in text)
    assert "critères de réponse devenus obsolètes" in text


def test_drug_class_notes_claim_no_source_they_do_not_have() -> None:
    """Regression, review r16 F6: 42 drug-class memberships shared one template note, "(pharmacology
    references, e.g. its NCIt or ATC classification)", read as a citation even where neither says so
    (sunitinib, ATC L01EX01, "antiangiogenic"). Each note now cites what the graph holds: the US
    prescribing information that names the target defining the class (then its sg:authority, the
    one its target record cites), an ATC code of the graph's mappings within the class's code, or it
    says it is the curators' reading."""
    graph = curated()
    mappings = (ROOT / "data" / "mappings" / "sarcoma-graph.sssom.tsv").read_text(encoding="utf-8")
    atc = {(row[0], row[3]) for row in (line.split("\t") for line in mappings.splitlines())
           if len(row) > 3 and row[3].startswith("atc:")}  # subject_id, object_id
    checked = 0
    for record in graph.subjects(RDF.predicate, SG.inDrugClass):
        if graph.value(record, SG.assertionMode) != SG.DomainKnowledge:
            continue
        agent, drug_class = graph.value(record, RDF.subject), graph.value(record, RDF.object)
        note = str(graph.value(record, SG.curatorNote))
        assert "pharmacology references" not in note and "e.g. its NCIt" not in note, record
        authority = graph.value(record, SG.authority)
        codes = re.findall(r"\b[A-Z]\d\d[A-Z]{2}\d\d\b", note)
        curie = "sgid:" + str(agent).removeprefix(ID)
        for code in codes:
            assert (curie, "atc:" + code) in atc, f"{record}: ATC {code} is not a mapping of {curie}"
        if authority is not None:
            assert "prescribing information" in note, record
            target_records = [r for r in graph.subjects(RDF.subject, agent)
                              if graph.value(r, RDF.predicate) == SG.hasTarget
                              and graph.value(r, SG.authority) == authority]
            class_targets = set(graph.objects(drug_class, SG.hasTarget))
            assert class_targets and {graph.value(r, RDF.object) for r in target_records} >= class_targets, \
                f"{record}: {authority} is not cited for the targets that define {drug_class}"
        elif "within" in note:
            class_codes = [c for s, c in atc if s == "sgid:" + str(drug_class).removeprefix(ID)]
            assert codes and any(codes[0].startswith(c.removeprefix("atc:")) for c in class_codes), record
        else:
            assert "curators' " in note or "the class's definition" in note, \
                f"{record}: say whose reading it is: {note}"
        checked += 1
    assert checked >= 42
