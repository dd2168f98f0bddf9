"""The page a person reads for an external identifier (a browser, not an API): NCIt's term
browser rather than the OWL PURL, OncoTree's tree rather than its JSON API."""

from __future__ import annotations

from urllib.parse import quote

from sarcoma_graph.serve.pages.layout import curie

#: CURIE prefix → template of the human-readable page (``{id}`` = the local identifier).
READERS = {
    "NCIT": "https://evsexplore.semantics.cancer.gov/evsexplore/concept/ncit/{id}",
    "ONCOTREE": "https://oncotree.mskcc.org/?version=oncotree_latest_stable&field=CODE&search={id}",
    "HGNC": "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:{id}",
    "MONDO": "https://monarchinitiative.org/MONDO:{id}",
    "ORPHANET": "https://www.orpha.net/en/disease/detail/{id}",
    "CHEBI": "https://www.ebi.ac.uk/chebi/searchId.do?chebiId=CHEBI:{id}",
    "DRUGBANK": "https://go.drugbank.com/drugs/{id}",
    "NCBIGene": "https://www.ncbi.nlm.nih.gov/gene/{id}",
    "DOID": "https://disease-ontology.org/?id=DOID:{id}",
    "ATC": "https://atcddd.fhi.no/atc_ddd_index/?code={id}",
    "ECO": "https://www.ebi.ac.uk/ols4/ontologies/eco/classes?obo_id=ECO:{id}",
    "SO": "https://www.ebi.ac.uk/ols4/ontologies/so/classes?obo_id=SO:{id}",
    "PUBMED": "https://pubmed.ncbi.nlm.nih.gov/{id}/",
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
