"""Terms the CIViC import writes: ontology IRIs, CIViC value → individual tables, slugs.

Only IRIs are built here; the CURIE-to-IRI patterns of external identifiers come from
:mod:`sarcoma_graph.namespaces` (the registry), never from strings typed in this module.
"""

from __future__ import annotations

import re
from typing import Final

from sarcoma_graph.namespaces import DCTERMS, OWL, PROV, RDF, RDFS, SG, SKOS, XSD, entity_iri

RDF_TYPE: Final = RDF.type
__all__ = ["DCTERMS", "OWL", "PROV", "RDFS", "SG", "SKOS", "XSD"]  # re-exported for the importer

#: The Bioregistry prefix of CIViC evidence items, as :func:`sarcoma_graph.namespaces.expand` knows it.
CIVIC_EID_PREFIX: Final = "CIVIC.EID"
CC0: Final = "https://creativecommons.org/publicdomain/zero/1.0/"
CIVIC_EVIDENCE_PAGE: Final = "https://civicdb.org/links/evidence_items/"
ASCO_ABSTRACT: Final = "https://meetinglibrary.asco.org/record/{id}/abstract"
DOI_RESOLVER: Final = "https://doi.org/"

EVIDENCE_TYPES: Final = {
    "Predictive": "PredictiveEvidence", "Diagnostic": "DiagnosticEvidence",
    "Prognostic": "PrognosticEvidence", "Predisposing": "PredisposingEvidence",
    "Oncogenic": "OncogenicEvidence", "Functional": "FunctionalEvidence",
}
LEVELS: Final = {level: f"EvidenceLevel{level}" for level in "ABCDE"}
DIRECTIONS: Final = {"Supports": "Supports", "Does Not Support": "DoesNotSupport"}
INTERACTIONS: Final = {
    "Combination": "CombinationTherapy", "Sequential": "SequentialTherapy",
    "Substitutes": "SubstitutesTherapy",
}
#: Significances that mean the alteration predicts benefit (a supporting item bears a claim out).
POSITIVE_SIGNIFICANCES: Final = ("Sensitivity/Response", "Better Outcome", "Positive")
#: Significances that argue against a claim of benefit even when the item "supports" them.
NEGATIVE_SIGNIFICANCES: Final = ("Resistance",)
#: Values CIViC writes for "no value".
EMPTY_VALUES: Final = frozenset({"", "N/A", "NA", "n/a"})

#: Sequence Ontology accessions of CIViC's variant type names (SO term names). Only names whose
#: accession was checked against published SO term tables are listed; others get no SO class.
SO_IDS: Final = {
    "3_prime_UTR_variant": "SO:0001624", "5_prime_UTR_variant": "SO:0001623",
    "SNP": "SO:0000694", "coding_sequence_variant": "SO:0001580", "exon_variant": "SO:0001791",
    "feature_truncation": "SO:0001906", "frameshift_truncation": "SO:0001910",
    "frameshift_variant": "SO:0001589", "gain_of_function_variant": "SO:0002053",
    "gene_fusion": "SO:0001565", "inframe_deletion": "SO:0001822",
    "inframe_insertion": "SO:0001821", "intron_variant": "SO:0001627",
    "loss_of_function_variant": "SO:0002054", "missense_variant": "SO:0001583",
    "protein_altering_variant": "SO:0001818", "regulatory_region_variant": "SO:0001566",
    "splice_acceptor_variant": "SO:0001574", "splice_donor_variant": "SO:0001575",
    "stop_gained": "SO:0001587", "stop_lost": "SO:0001578", "synonymous_variant": "SO:0001819",
    "transcript_ablation": "SO:0001893", "transcript_amplification": "SO:0001889",
    "transcript_fusion": "SO:0001886", "transcript_variant": "SO:0001576",
}

#: The root SO class of variants, for alterations whose CIViC variant types give no SO class.
SO_SEQUENCE_VARIANT: Final = "SO:0001060"

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def sg(name: str) -> str:
    """The IRI of an ontology term, ``sg:<name>``."""
    return SG + name


def slugify(text: str) -> str:
    """A lower-case IRI slug: ``"Sensitivity/Response"`` → ``"sensitivity-response"``."""
    return _NON_SLUG.sub("-", text.lower()).strip("-")


def significance_iri(value: str) -> str:
    """The individual for one CIViC clinical significance value."""
    return entity_iri("civic-significance", slugify(value))


def release_iri(date: str) -> str:
    """The individual describing one CIViC release (``date`` as YYYY-MM-DD)."""
    return entity_iri("source", f"civic-{date}")
