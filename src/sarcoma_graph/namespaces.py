"""Every vocabulary IRI of the project and the prefix map derived from them.

The project's own namespaces, named graphs and release IRIs, the W3C vocabularies, and
the registry prefixes (OBO PURLs, identifiers.org…) read from the ``curies``/``bioregistry``
packages rather than written by hand. Loading the registry is lazy and cached: nothing
happens at import.

Everything minted by the project lives under :data:`BASE`. Curated entities are
``BASE + "id/<kind>/<slug>"``, ontology terms ``BASE + "ontology/<Name>"``.

>>> entity_iri("histotype", "chordoma")
'https://w3id.org/sarcoma-graph/id/histotype/chordoma'
>>> graph_iri("curated")
'https://w3id.org/sarcoma-graph/graph/curated'
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import curies

BASE: Final = "https://w3id.org/sarcoma-graph/"
ONTOLOGY: Final = BASE + "ontology/"
ONTOLOGY_IRI: Final = BASE + "ontology"
ID: Final = BASE + "id/"
GRAPH: Final = BASE + "graph/"
RELEASES: Final = BASE + "releases/"
#: The dataset, every version (a release's is ``version_iri(v, "dataset")``); also the ontology
#: IRI of the release's single-graph dumps, which import the ontology.
DATASET_IRI: Final = BASE + "dataset"

#: The named graphs of a built dataset, one per source plus the inferences.
GRAPH_NAMES: Final = ("ontology", "curated", "mappings", "inferred")

#: The graph ``serve`` loads into its store beside the data: VoID, the SPARQL examples and the
#: prefix declarations, where SIB's sparql-editor (and anyone) finds them with plain SPARQL.
SERVICE_GRAPH: Final = GRAPH + "service-description"


def graph_iri(name: str) -> str:
    """The IRI of the named graph holding one source (``ontology``, ``curated``, ``civic``…)."""
    return GRAPH + name


def entity_iri(kind: str, slug: str) -> str:
    """The IRI of a curated entity of a given kind."""
    return f"{ID}{kind}/{slug}"


def version_iri(version: str, artefact: str = "ontology") -> str:
    """The IRI of one artefact of a given release, e.g. ``…/releases/0.1.0/ontology``."""
    return f"{RELEASES}{version}/{artefact}"


#: One prefix per kind of entity, so that ``sgh:gastrointestinal-stromal-tumour`` is a legal
#: prefixed name (in SPARQL and Turtle a local name may contain "/" only escaped: ``sgid:histotype\/…``).
KIND_PREFIXES: Final = {
    "sgh": "histotype",
    "sggroup": "group",
    "sgalt": "alteration",
    "sggene": "gene",
    "sgagent": "agent",
    "sgtreat": "treatment",
    "sgproc": "process",
    "sgstmt": "statement",
    "sgstudy": "study",
    "sgdesign": "design",
    "sgfactor": "factor",
    "sgmeasure": "measure",
    "sgresult": "measurement",
    "sgqty": "quantity",
    "sgdoc": "document",
    "sgpassage": "passage",
    "sgsel": "selector",
    "sgfact": "fact",
    "sgcivic": "civic-variant",
    "sgsource": "source",
    "sgsig": "civic-significance",
}

#: Prefixes used in our own files and serialisations, beyond the registry's.
PROJECT_PREFIXES: Final = {
    "sg": ONTOLOGY,
    "sgid": ID,
    "sggraph": GRAPH,
    **{prefix: f"{ID}{kind}/" for prefix, kind in KIND_PREFIXES.items()},
}

class Namespace(str):
    """An IRI prefix whose attributes are the IRIs of its terms (rdflib's ``Namespace``, for
    plain-string IRIs as pyoxigraph takes them).

    >>> RDF.type
    'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
    >>> SG.term("Agent")
    'https://w3id.org/sarcoma-graph/ontology/Agent'

    A term named like a ``str`` method (``title``, ``format``, ``count``…) must be written
    ``DCTERMS.term("title")``: the attribute is the method (a test checks the code for it).
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):  # copy, pickle, mocks and friends probe private names
            raise AttributeError(name)
        return self.term(name)

    def term(self, name: str) -> str:
        """The IRI of one term, for names that are not identifiers (``SG.term("has-part")``)."""
        return str(self) + name


RDF: Final = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS: Final = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL: Final = Namespace("http://www.w3.org/2002/07/owl#")
XSD: Final = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS: Final = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS: Final = Namespace("http://purl.org/dc/terms/")
PROV: Final = Namespace("http://www.w3.org/ns/prov#")
OA: Final = Namespace("http://www.w3.org/ns/oa#")
SH: Final = Namespace("http://www.w3.org/ns/shacl#")
VOID: Final = Namespace("http://rdfs.org/ns/void#")
SD: Final = Namespace("http://www.w3.org/ns/sparql-service-description#")
SCHEMA: Final = Namespace("https://schema.org/")
FOAF: Final = Namespace("http://xmlns.com/foaf/0.1/")
VANN: Final = Namespace("http://purl.org/vocab/vann/")
SSSOM: Final = Namespace("https://w3id.org/sssom/")
SEMAPV: Final = Namespace("https://w3id.org/semapv/vocab/")
PAV: Final = Namespace("http://purl.org/pav/")
DCAT: Final = Namespace("http://www.w3.org/ns/dcat#")
ADMS: Final = Namespace("http://www.w3.org/ns/adms#")
SPDX: Final = Namespace("http://spdx.org/rdf/terms#")
#: SIB's SPARQL-examples terms (``spex:describe``) and the VoID extension for datatype
#: partitions that SIB's sparql-editor reads (in the served self-description graph).
SPEX: Final = Namespace("https://purl.expasy.org/sparql-examples/ontology#")
VOID_EXT: Final = Namespace("http://ldf.fi/void-ext#")
#: Not prefixes we write: the media-type IRIs of ``sd:resultFormat`` and the results namespace.
FORMATS: Final = Namespace("http://www.w3.org/ns/formats/")
SPARQL_RESULTS: Final = Namespace("http://www.w3.org/2005/sparql-results#")

#: The project's own vocabulary (``sg:``), entities (``sgid:``) and named graphs (``sggraph:``).
SG: Final = Namespace(ONTOLOGY)
SGID: Final = Namespace(ID)
SGGRAPH: Final = Namespace(GRAPH)

#: W3C and community vocabularies that are not identifier registries' concern.
W3C_PREFIXES: Final[dict[str, str]] = {prefix: str(namespace) for prefix, namespace in {
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS,
    "prov": PROV, "oa": OA, "sh": SH, "void": VOID, "sd": SD, "schema": SCHEMA, "foaf": FOAF,
    "vann": VANN, "sssom": SSSOM, "semapv": SEMAPV, "pav": PAV,
    "dcat": DCAT, "adms": ADMS, "spdx": SPDX, "spex": SPEX, "void-ext": VOID_EXT,
}.items()}

def sparql_prologue(*prefixes: str) -> str:
    """``PREFIX`` lines for some of the W3C and project prefixes, for queries built in code.

    >>> sparql_prologue("rdfs")
    'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\\n'
    """
    known = {**W3C_PREFIXES, **PROJECT_PREFIXES}
    return "".join(f"PREFIX {prefix}: <{known[prefix]}>\n" for prefix in prefixes)


#: Registry prefixes we use, resolved through the registry (their URI patterns are not typed here).
#: Each is written as the community writes it, which is what sssom-py's converter (the
#: Bioregistry's) compresses our IRIs to: ``hgnc``, ``drugbank``, ``atc`` and ``oncotree`` in
#: lower case, and ``Orphanet`` as OBO ontologies and Mondo write it (review r13, I4).
REGISTRY_PREFIXES = (
    "NCIT", "MONDO", "hgnc", "NCBIGene", "CHEBI", "drugbank", "atc", "oncotree", "Orphanet",
    "DOID", "RO", "SO", "ECO", "SEPIO", "STATO", "UO", "OBI", "GO", "IAO", "PUBMED", "CIVIC.EID",
)

#: Which registry's URI pattern wins: OBO PURLs first, then identifiers.org (MIRIAM).
URI_PRIORITY = ("obofoundry", "miriam", "default")
#: Prefixes whose URI pattern is not the first of :data:`URI_PRIORITY`. Orphanet's is ORDO's
#: (``http://www.orpha.net/ORDO/Orphanet_3389``, the Bioregistry's own pattern): the IRI that
#: ORDO and Mondo write, so that a join with their data is an equality of IRIs.
URI_PRIORITY_OF: Final[dict[str, tuple[str, ...]]] = {"Orphanet": ("default",)}


@cache
def prefix_map() -> dict[str, str]:
    """All prefixes the project writes, CURIE prefix → URI prefix (registry-derived where possible)."""
    mapping = dict(W3C_PREFIXES)
    mapping.update(_registry_prefixes())
    mapping.update(PROJECT_PREFIXES)
    return mapping


def _registry_prefixes() -> dict[str, str]:
    """:data:`REGISTRY_PREFIXES` resolved by the installed Bioregistry, kept in the user's cache
    under a key naming that Bioregistry version, the prefixes and the priority: importing the
    registry costs about 2 s of every ``serve`` and ``export``, its answer never changes for a
    given version. A cache that cannot be read or written is recomputed, never an error."""
    from importlib.metadata import version

    key = hashlib.sha256(json.dumps([version("bioregistry"), REGISTRY_PREFIXES, URI_PRIORITY,
                                     URI_PRIORITY_OF], sort_keys=True).encode()).hexdigest()[:16]
    path = _cache_dir() / f"registry-prefixes-{key}.json"
    with contextlib.suppress(OSError, ValueError):
        cached = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(cached, dict) and set(cached) == set(REGISTRY_PREFIXES):
            return {str(k): str(v) for k, v in cached.items()}
    resolved = _resolve_registry_prefixes()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(json.dumps(resolved, sort_keys=True), encoding="utf-8")
        partial.replace(path)  # atomic: a reader sees the whole file or none
    return resolved


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sarcoma-graph"


def _resolve_registry_prefixes() -> dict[str, str]:
    import bioregistry  # heavy (about 2 s): imported only when the cache has no answer

    mapping = {}
    for prefix in REGISTRY_PREFIXES:
        priority = URI_PRIORITY_OF.get(prefix, URI_PRIORITY)
        uri_prefix = bioregistry.get_uri_prefix(prefix, priority=list(priority))
        if uri_prefix is None:  # pragma: no cover - a registry change, caught by the tests
            raise LookupError(f"the Bioregistry has no URI prefix for {prefix!r}")
        mapping[prefix] = uri_prefix
    return mapping


@cache
def converter() -> curies.Converter:
    """A ``curies`` converter over :func:`prefix_map` (expand/compress CURIEs); ``curies`` is
    imported here, not with the module: it costs 0.35 s of every command's start."""
    import curies

    return curies.Converter.from_prefix_map(prefix_map())


def expand(curie: str) -> str:
    """Expand a CURIE such as ``NCIT:C3868`` to its IRI; raise ``ValueError`` if the prefix is unknown.

    >>> expand("Orphanet:3389")
    'http://www.orpha.net/ORDO/Orphanet_3389'
    """
    iri = converter().expand(curie)
    if iri is None:
        raise ValueError(f"unknown CURIE prefix in {curie!r}")
    return iri


@cache
def _own_namespaces() -> tuple[tuple[str, str], ...]:
    """(URI prefix, CURIE prefix) of the W3C and project namespaces, longest first."""
    known = {**W3C_PREFIXES, **PROJECT_PREFIXES}
    return tuple(sorted(((ns, p) for p, ns in known.items()), key=lambda item: (-len(item[0]), item)))


def expand_own(value: str) -> str:
    """``value`` as an IRI when it is a prefixed name with one of the W3C or project prefixes
    (``sgh:desmoid-tumour``, ``rdfs:label``: the inverse of :func:`compress`'s first step, no
    registry import); any other value as it is."""
    prefix, colon, local = value.partition(":")
    if not colon or local.startswith("//"):
        return value
    namespace = PROJECT_PREFIXES.get(prefix) or W3C_PREFIXES.get(prefix)
    return namespace + local if namespace else value


def compress(iri: str) -> str | None:
    """Compress an IRI to a CURIE with a known prefix, or ``None``.

    IRIs in a W3C or project namespace are compressed without the registry (whose import
    costs about 2 s per process: ``validate`` and ``qc`` print thousands of our own IRIs); no
    registry prefix lies inside those namespaces (a test compares both ways), so the longest
    match is the converter's.
    """
    for namespace, prefix in _own_namespaces():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    if iri.startswith(BASE) or not iri.startswith(("http://", "https://")):
        return None  # ours without a prefix (shapes, releases), or text: no registry prefix fits
    return converter().compress(iri)
