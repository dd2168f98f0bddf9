"""The crosswalk from CIViC variants to curated alterations: one real-world alteration, two records.

A CIViC variant and a curated alteration are the same thing when their names agree once case,
a trailing "fusion" and the fusion separator are set aside (``ALK Fusion`` = ``ALK fusion``,
``ETV6::NTRK3`` = ``ETV6::NTRK3 fusion``, ``CDK4 Amplification`` = ``CDK4 amplification``) and
they affect the same genes. The import then links the variant to the curated IRI with
``skos:exactMatch`` instead of leaving two unrelated entities with one name.

>>> alteration_key("ETV6::NTRK3 fusion") == alteration_key("ETV6::NTRK3")
True
>>> alteration_key("ALK Fusion")
'alk'
"""

from __future__ import annotations

import re

from sarcoma_graph.namespaces import graph_iri, sparql_prologue
from sarcoma_graph.store import Store

_SPACES = re.compile(r"\s+")

#: key → [(curated alteration IRI, the genes it affects)]
AlterationIndex = dict[str, list[tuple[str, frozenset[str]]]]


def alteration_key(label: str) -> str:
    """A name with case, dashes used as fusion separators and a trailing 'fusion' set aside."""
    key = _SPACES.sub(" ", label.replace("\u2013", "::").strip().casefold())
    return key.removesuffix(" fusion").strip()


def curated_alterations(store: Store) -> AlterationIndex:
    """The curated alterations by key, with the genes each affects (fusion partners included)."""
    query = sparql_prologue("sg", "rdfs") + f"""
    SELECT ?alteration ?label ?gene WHERE {{ GRAPH <{graph_iri("curated")}> {{
      ?alteration a sg:GeneticAlteration ; rdfs:label ?label ;
                  sg:affectsGene|sg:hasFivePrimePartner|sg:hasThreePrimePartner ?gene .
      FILTER (langMatches(lang(?label), "en")) }} }}"""
    genes: dict[tuple[str, str], set[str]] = {}
    for row in store.query(query).texts():
        genes.setdefault((row["alteration"], row["label"]), set()).add(row["gene"])
    index: AlterationIndex = {}
    for (iri, label), found in sorted(genes.items()):
        index.setdefault(alteration_key(label), []).append((iri, frozenset(found)))
    return index


def same_alterations(index: AlterationIndex, label: str, genes: list[str]) -> list[str]:
    """The curated alterations a CIViC variant with this label and these genes is a record of."""
    wanted = frozenset(genes)
    return [iri for iri, affected in index.get(alteration_key(label), []) if wanted and affected == wanted]
