"""Stable IRIs of the project: namespaces, named graphs and release IRIs.

Everything minted by the project lives under :data:`BASE`. Curated entities are
``BASE + "id/<kind>/<slug>"``, ontology terms ``BASE + "ontology/<Name>"``.

>>> entity_iri("histotype", "chordoma")
'https://w3id.org/sarcoma-graph/id/histotype/chordoma'
>>> graph_iri("curated")
'https://w3id.org/sarcoma-graph/graph/curated'
"""

from __future__ import annotations

from typing import Final

BASE: Final = "https://w3id.org/sarcoma-graph/"
ONTOLOGY: Final = BASE + "ontology/"
ONTOLOGY_IRI: Final = BASE + "ontology"
ID: Final = BASE + "id/"
GRAPH: Final = BASE + "graph/"
RELEASES: Final = BASE + "releases/"

#: The named graphs of a built dataset, one per source plus the inferences.
GRAPH_NAMES: Final = ("ontology", "curated", "mappings", "inferred")


def graph_iri(name: str) -> str:
    """The IRI of the named graph holding one source (``ontology``, ``curated``, ``civic``…)."""
    return GRAPH + name


def entity_iri(kind: str, slug: str) -> str:
    """The IRI of a curated entity of a given kind."""
    return f"{ID}{kind}/{slug}"


def version_iri(version: str, artefact: str = "ontology") -> str:
    """The IRI of one artefact of a given release, e.g. ``…/releases/0.1.0/ontology``."""
    return f"{RELEASES}{version}/{artefact}"


#: Prefixes used in our own files and serialisations, beyond the registry's.
PROJECT_PREFIXES: Final = {
    "sg": ONTOLOGY,
    "sgid": ID,
    "sggraph": GRAPH,
}
