"""The release's description of itself: DCAT + VoID (``void.ttl``) and the JSON-LD ``@context``.

The description names the version, the issue date (the release's entry in ``CHANGELOG.md``),
the licence, the creators, every download with its media type, size and SHA-256, the SPARQL
endpoint and the named queries published as SPARQL examples.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from sarcoma_graph.errors import InputError
from sarcoma_graph.namespaces import (
    ADMS,
    BASE,
    DATASET_IRI,
    DCAT,
    FOAF,
    OWL,
    RDF,
    RDFS,
    RELEASES,
    SH,
    SPDX,
    VOID,
    XSD,
)
from sarcoma_graph.namespaces import DCTERMS as DCT

RDF_TYPE = RDF.type
SH_EXECUTABLE = SH.SPARQLExecutable
DATA_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
CREATOR = BASE + "contributors"
ENDPOINT = BASE + "sparql"
MEDIA_TYPES = {".ttl": "text/turtle", ".nt": "application/n-triples", ".nq": "application/n-quads",
               ".trig": "application/trig", ".rdf": "application/rdf+xml",
               ".jsonld": "application/ld+json", ".tsv": "text/tab-separated-values",
               ".md": "text/markdown", ".cff": "application/yaml", ".txt": "text/plain",
               ".xml": "application/xml", "": "text/plain"}  # "": LICENSE-DATA
#: Prefixes for ``void.ttl`` beyond the project's own map.
DESCRIPTION_PREFIXES = {"dcat": DCAT, "spdx": SPDX, "void": VOID, "dcterms": DCT, "foaf": FOAF,
                        "adms": ADMS}
_ENTRY = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})\s*$", re.M)

# JSON-LD keywords and IRI schemes must not become prefix terms of the @context.
_RESERVED_TERMS = {"http", "https", "urn", "_", "file", "mailto"}


def unreleased_notes(changelog: Path) -> int:
    """How many entries the changelog's ``[Unreleased]`` section holds: changes the version
    being released does not describe (review r13: a build claimed 0.1.0 with later changes)."""
    if not changelog.is_file():
        return 0
    text = changelog.read_text(encoding="utf-8")
    section = text.partition("## [Unreleased]")[2].partition("\n## [")[0]
    return sum(1 for line in section.splitlines() if line.startswith("- "))


def release_date(changelog: Path, version: str) -> str:
    """The date of ``version``'s entry (``## [version] - YYYY-MM-DD``) in the changelog."""
    if not changelog.is_file():
        raise InputError(f"{changelog}: missing; a release needs its CHANGELOG.md entry")
    for match in _ENTRY.finditer(changelog.read_text(encoding="utf-8")):
        if match["version"] == version:
            return match["date"]
    raise InputError(f"{changelog}: no entry '## [{version}] - YYYY-MM-DD'; add one before releasing")


@dataclass(frozen=True)
class Release:
    """One released version, as its ``CHANGELOG.md`` entry gives it."""

    version: str
    issued: str  # YYYY-MM-DD
    notes: str  # the entry's text (Markdown)


def release_history(changelog: Path, upto: str | None = None) -> tuple[Release, ...]:
    """The released versions of the changelog, newest first, each with its notes; with
    ``upto``, that version and the older ones (a release does not describe later ones)."""
    if not changelog.is_file():
        return ()
    text = changelog.read_text(encoding="utf-8")
    entries = list(_ENTRY.finditer(text))
    history = [Release(match["version"], match["date"],
                       text[match.end():entries[n + 1].start() if n + 1 < len(entries)
                            else len(text)].strip())
               for n, match in enumerate(entries)]
    names = [release.version for release in history]
    return tuple(history[names.index(upto):] if upto in names else history)


def history_triples(history: Sequence[Release]) -> list[ox.Triple]:
    """Each release as a version of the dataset (DCAT 3 versioning): its version, date and
    notes (``adms:versionNotes``: what changed, from the changelog), chained to the one before
    by ``dcat:previousVersion``, so that what changed between two releases can be asked of
    the graph (review r16 questions F3)."""
    triples = []
    for n, release in enumerate(history):
        node = _n(RELEASES + release.version + "/dataset")
        triples += [ox.Triple(_n(DATASET_IRI), _n(DCT + "hasVersion"), node),
                    ox.Triple(node, _n(DCT + "isVersionOf"), _n(DATASET_IRI)),
                    ox.Triple(node, _n(DCAT + "version"), ox.Literal(release.version)),
                    ox.Triple(node, _n(DCT + "issued"), _typed(release.issued, "date"))]
        if release.notes:
            triples.append(ox.Triple(node, _n(ADMS + "versionNotes"),
                                     ox.Literal(release.notes, language="en")))
        if n + 1 < len(history):
            triples.append(ox.Triple(node, _n(DCAT + "previousVersion"),
                                     _n(RELEASES + history[n + 1].version + "/dataset")))
    return triples


def jsonld_context(prefixes: Mapping[str, str]) -> dict[str, str | dict[str, str | bool]]:
    """The prefix map as a JSON-LD ``@context``. A namespace that does not end in a JSON-LD
    gen-delim (``:/?#[]@``: the OBO ones end in ``_``) is a prefix in JSON-LD 1.1 only when its
    term says ``"@prefix": true`` (else ``"CHEBI:45783"`` stays a string, review r13 I3)."""
    return {name: ns if ns.endswith(tuple(":/?#[]@")) else {"@id": ns, "@prefix": True}
            for name, ns in sorted(prefixes.items())
            if name and name not in _RESERVED_TERMS and not name.startswith("@")}


def with_context(body: bytes, prefixes: Mapping[str, str]) -> bytes:
    """Wrap a JSON-LD array (expanded form) into ``{"@context": …, "@graph": […]}``."""
    context = json.dumps(jsonld_context(prefixes), sort_keys=True, ensure_ascii=False,
                         separators=(",", ":"))
    return b'{"@context":' + context.encode() + b',"@graph":' + body.strip() + b"}\n"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _typed(value: str | int, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + datatype))


def description_triples(folder: Path, version: str, issued: str, triples: int, dumps: set[str],
                        examples: Iterable[str],
                        history: Sequence[Release] = ()) -> list[ox.Triple]:
    """DCAT + VoID triples for the release files in ``folder`` (written before SHA256SUMS).

    ``dumps`` name the files that hold the whole dataset (``void:dataDump``), ``triples`` its
    size in quads; ``history`` the releases up to this one (:func:`history_triples`).
    """
    release = RELEASES + version + "/"
    dataset = _n(release + "dataset")
    t = [ox.Triple(dataset, _n(RDF_TYPE), _n(DCAT + "Dataset")),
         ox.Triple(dataset, _n(RDF_TYPE), _n(VOID + "Dataset")),
         ox.Triple(dataset, _n(DCT + "title"), ox.Literal("sarcoma-graph", language="en")),
         ox.Triple(dataset, _n(DCT + "description"), ox.Literal(
             "An open knowledge graph of the systemic treatment of soft-tissue sarcomas: OWL 2 "
             "ontology, curated evidence with provenance, SSSOM mappings, SHACL shapes and named "
             "SPARQL queries.", language="en")),
         ox.Triple(dataset, _n(DCAT + "version"), ox.Literal(version)),
         ox.Triple(dataset, _n(OWL + "versionInfo"), ox.Literal(version)),
         ox.Triple(dataset, _n(DCT + "issued"), _typed(issued, "date")),
         ox.Triple(dataset, _n(DCT + "license"), _n(DATA_LICENCE)),
         ox.Triple(dataset, _n(DCT + "creator"), _n(CREATOR)),
         ox.Triple(dataset, _n(DCT + "publisher"), _n(CREATOR)),
         ox.Triple(dataset, _n(DCAT + "landingPage"), _n(BASE)),
         ox.Triple(dataset, _n(DCT + "isVersionOf"), _n(DATASET_IRI)),
         ox.Triple(dataset, _n(VOID + "sparqlEndpoint"), _n(ENDPOINT)),
         ox.Triple(dataset, _n(VOID + "uriSpace"), ox.Literal(BASE + "id/")),
         ox.Triple(dataset, _n(VOID + "triples"), _typed(triples, "integer")),
         ox.Triple(_n(CREATOR), _n(RDF_TYPE), _n(FOAF + "Organization")),
         ox.Triple(_n(CREATOR), _n(FOAF + "name"), ox.Literal("sarcoma-graph contributors")),
         ox.Triple(_n(CREATOR), _n(FOAF + "homepage"), _n(BASE))]
    service = _n(ENDPOINT)
    t += [ox.Triple(dataset, _n(DCAT + "accessService"), service),
          ox.Triple(service, _n(RDF_TYPE), _n(DCAT + "DataService")),
          ox.Triple(service, _n(DCAT + "endpointURL"), service),
          ox.Triple(service, _n(DCT + "conformsTo"), _n("https://www.w3.org/TR/sparql11-protocol/")),
          ox.Triple(service, _n(DCAT + "servesDataset"), dataset)]
    for example in sorted(set(examples)):
        t += [ox.Triple(dataset, _n(RDFS + "seeAlso"), _n(example)),
              ox.Triple(_n(example), _n(RDF_TYPE), _n(SH_EXECUTABLE))]
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        t += _distribution(dataset, release, path)
        if path.name in dumps:
            t.append(ox.Triple(dataset, _n(VOID + "dataDump"), _n(release + path.name)))
    return t + history_triples(history)


def _distribution(dataset: ox.NamedNode, release: str, path: Path) -> list[ox.Triple]:
    url = _n(release + path.name)
    dist = _n(release + "distribution/" + path.name)
    checksum = _n(release + "distribution/" + path.name + "#sha256")
    media = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return [ox.Triple(dataset, _n(DCAT + "distribution"), dist),
         ox.Triple(dist, _n(RDF_TYPE), _n(DCAT + "Distribution")),
         ox.Triple(dist, _n(DCT + "title"), ox.Literal(path.name)),
         ox.Triple(dist, _n(DCAT + "downloadURL"), url),
         ox.Triple(dist, _n(DCAT + "mediaType"),
                   _n("https://www.iana.org/assignments/media-types/" + media)),
         ox.Triple(dist, _n(DCAT + "byteSize"), _typed(path.stat().st_size, "nonNegativeInteger")),
         ox.Triple(dist, _n(SPDX + "checksum"), checksum),
         ox.Triple(checksum, _n(RDF_TYPE), _n(SPDX + "Checksum")),
         ox.Triple(checksum, _n(SPDX + "algorithm"), _n(SPDX + "checksumAlgorithm_sha256")),
         ox.Triple(checksum, _n(SPDX + "checksumValue"), _typed(digest, "hexBinary")),
         ox.Triple(dist, _n(DCT + "license"), _n(DATA_LICENCE))]
