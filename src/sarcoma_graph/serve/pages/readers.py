"""The page a person reads for an external identifier (a browser, not an API): NCIt's term
browser rather than the OWL PURL, OncoTree's tree rather than its JSON API."""

from __future__ import annotations

from urllib.parse import quote

from sarcoma_graph.serve.pages.layout import curie

#: CURIE prefix → template of the human-readable page (``{id}`` = the local identifier). Each
#: was checked in a public file, recorded in ``data/mappings/reader_pages.tsv`` (a test keeps
#: the two equal and checks the registry rows against the installed Bioregistry's file);
#: a prefix with no page seen in a public file has none here.
READERS = {
    "atc": "https://www.whocc.no/atc_ddd_index/?code={id}",
    "CHEBI": "https://www.ebi.ac.uk/chebi/searchId.do?chebiId=CHEBI:{id}",
    "DOID": "https://www.ebi.ac.uk/ols4/ontologies/doid/terms?obo_id=DOID:{id}",
    "drugbank": "https://go.drugbank.com/drugs/{id}",
    "ECO": "https://www.ebi.ac.uk/QuickGO/term/ECO:{id}",
    "hgnc": "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:{id}",
    "MONDO": "https://monarchinitiative.org/MONDO:{id}",
    "NCBIGene": "https://www.ncbi.nlm.nih.gov/gene/{id}",
    "NCIT": "https://evsexplore.semantics.cancer.gov/evsexplore/concept/ncit/{id}",
    "oncotree": "https://oncotree.mskcc.org/?version=oncotree_latest_stable&field=CODE&search={id}",
    "Orphanet": "https://www.orpha.net/en/disease/detail/{id}",
    "PUBMED": "https://pubmed.ncbi.nlm.nih.gov/{id}/",
    "SO": "http://purl.bioontology.org/ontology/SO/SO:{id}",
}


def reader_url(iri: str) -> str | None:
    """The human page for an IRI with a known registry prefix, else ``None``.

    >>> reader_url("http://purl.obolibrary.org/obo/NCIT_C3868")
    'https://evsexplore.semantics.cancer.gov/evsexplore/concept/ncit/C3868'
    """
    short = curie(iri)
    if not short or ":" not in short:
        return None
    prefix, local = short.split(":", 1)
    template = READERS.get(prefix)
    return template.format(id=quote(local, safe="")) if template else None
