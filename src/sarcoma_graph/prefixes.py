"""The prefix map: the project's own prefixes plus standard ones from the ``curies`` registry.

External IRIs follow the Bioregistry's preferred URI patterns (OBO PURLs for OBO
ontologies, identifiers.org for HGNC…), read from the ``curies``/``bioregistry``
packages rather than written by hand. Loading is lazy and cached: nothing happens at import.
"""

from __future__ import annotations

from functools import cache

import curies

from sarcoma_graph.iris import PROJECT_PREFIXES

#: W3C and community vocabularies that are not identifier registries' concern.
W3C_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vann": "http://purl.org/vocab/vann/",
    "sssom": "https://w3id.org/sssom/",
    "semapv": "https://w3id.org/semapv/vocab/",
}

#: Registry prefixes we use, resolved through the registry (their URI patterns are not typed here).
REGISTRY_PREFIXES = (
    "NCIT", "MONDO", "HGNC", "NCBIGene", "CHEBI", "DRUGBANK", "ATC", "ONCOTREE", "ORPHANET",
    "DOID", "RO", "SO", "ECO", "SEPIO", "STATO", "UO", "OBI", "GO", "IAO", "PUBMED", "CIVIC.EID",
)

#: Which registry's URI pattern wins: OBO PURLs first, then identifiers.org (MIRIAM).
URI_PRIORITY = ("obofoundry", "miriam", "default")


@cache
def prefix_map() -> dict[str, str]:
    """All prefixes the project writes, CURIE prefix → URI prefix (registry-derived where possible)."""
    import bioregistry  # heavy (about 2 s): imported only when a prefix map is needed

    mapping = dict(W3C_PREFIXES)
    for prefix in REGISTRY_PREFIXES:
        uri_prefix = bioregistry.get_uri_prefix(prefix, priority=list(URI_PRIORITY))
        if uri_prefix is None:  # pragma: no cover - a registry change, caught by the tests
            raise LookupError(f"the Bioregistry has no URI prefix for {prefix!r}")
        mapping[prefix] = uri_prefix
    mapping.update(PROJECT_PREFIXES)
    return mapping


@cache
def converter() -> curies.Converter:
    """A ``curies`` converter over :func:`prefix_map` (expand/compress CURIEs)."""
    return curies.Converter.from_prefix_map(prefix_map())


def expand(curie: str) -> str:
    """Expand a CURIE such as ``NCIT:C3868`` to its IRI; raise ``ValueError`` if the prefix is unknown."""
    iri = converter().expand(curie)
    if iri is None:
        raise ValueError(f"unknown CURIE prefix in {curie!r}")
    return iri


def compress(iri: str) -> str | None:
    """Compress an IRI to a CURIE with a known prefix, or ``None``."""
    return converter().compress(iri)
