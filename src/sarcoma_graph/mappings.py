"""SSSOM mapping sets: read the TSV (YAML header + table), turn rows into graph triples.

``data/mappings/*.sssom.tsv`` are edited sources: one row per mapping with its justification.
The build turns each row into ``subject <predicate> object`` in the mappings graph.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import yaml

from sarcoma_graph.errors import InputError
from sarcoma_graph.namespaces import OWL, RDF, SSSOM
from sarcoma_graph.plumbing.rdfio import read_text

NO_TERM = ("", "none", "sssom:notermfound", "sssom:nomapping")
REQUIRED_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")


@dataclass(frozen=True)
class MappingSet:
    """One SSSOM mapping set: its metadata (the YAML header) and its rows."""

    path: Path
    metadata: dict[str, object]
    rows: list[dict[str, str]]
    first_line: int = 2  # the line number of the first row (after the header and column names)

    @property
    def curie_map(self) -> dict[str, str]:
        found = self.metadata.get("curie_map")
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def expand(self, curie: str, line: int) -> str:
        prefix, _, local = curie.partition(":")
        if not local or prefix not in self.curie_map:
            raise InputError(f"{self.path}:{line}: {curie!r} has no prefix in the curie_map")
        return self.curie_map[prefix] + local


def read_sssom(path: Path) -> MappingSet:
    """Read an SSSOM/TSV file; errors name the file and line."""
    lines = read_text(path).splitlines(keepends=True)
    header = [line[1:] for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]
    try:
        metadata = yaml.safe_load("".join(header)) or {}
    except yaml.YAMLError as error:
        raise InputError(f"{path}: the SSSOM YAML header does not parse: {error}") from None
    reader = csv.DictReader(body, delimiter="\t")
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}: SSSOM table lacks column(s) {', '.join(missing)}")
    rows = []
    first_line = len(header) + 2
    for offset, row in enumerate(reader):
        if None in row or any(v is None for v in row.values()):
            raise InputError(f"{path}:{first_line + offset}: wrong number of columns")
        rows.append({k: v.strip() for k, v in row.items()})
    return MappingSet(path, metadata, rows, first_line)


def mapping_quads(mapping_set: MappingSet, graph: str) -> list[ox.Quad]:
    """``subject predicate object`` for each row whose object is an identifier (not ``none``)."""
    quads = []
    g = ox.NamedNode(graph)
    for offset, row in enumerate(mapping_set.rows):
        if row["object_id"].lower() in NO_TERM:
            continue
        line = mapping_set.first_line + offset
        quads.append(ox.Quad(ox.NamedNode(mapping_set.expand(row["subject_id"], line)),
                             ox.NamedNode(mapping_set.expand(row["predicate_id"], line)),
                             ox.NamedNode(mapping_set.expand(row["object_id"], line)), g))
    return quads


_LITERAL_SLOTS = ("subject_label", "object_label", "comment", "author_id", "mapping_date",
                  "confidence", "object_source", "see_also")


def mapping_iri(set_iri: str, row: dict[str, str]) -> str:
    """A stable IRI for one mapping: the set's IRI and a digest of subject, predicate, object."""
    import hashlib

    key = "\t".join((row["subject_id"], row["predicate_id"], row["object_id"]))
    return f"{set_iri}/{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def sssom_rdf_quads(mapping_set: MappingSet, graph: str) -> list[ox.Quad]:
    """The mapping set as RDF: one ``owl:Axiom`` per mapping with its SSSOM slots, no blank node."""
    set_iri = str(mapping_set.metadata.get("mapping_set_id", ""))
    if not set_iri:
        raise InputError(f"{mapping_set.path}: the SSSOM header needs a mapping_set_id")
    g, s = ox.NamedNode(graph), ox.NamedNode(set_iri)
    quads = [ox.Quad(s, ox.NamedNode(RDF.type), ox.NamedNode(SSSOM.MappingSet), g)]
    for key in ("license", "mapping_set_version"):
        if mapping_set.metadata.get(key):
            quads.append(ox.Quad(s, ox.NamedNode(SSSOM.term(key)),
                                 ox.Literal(str(mapping_set.metadata[key])), g))
    for line, row in enumerate(mapping_set.rows, start=1):
        if row["object_id"].lower() in NO_TERM:
            continue
        m = ox.NamedNode(mapping_iri(set_iri, row))
        quads += [
            ox.Quad(s, ox.NamedNode(SSSOM.mappings), m, g),
            ox.Quad(m, ox.NamedNode(RDF.type), ox.NamedNode(OWL.Axiom), g),
            ox.Quad(m, ox.NamedNode(OWL.annotatedSource),
                    ox.NamedNode(mapping_set.expand(row["subject_id"], line)), g),
            ox.Quad(m, ox.NamedNode(OWL.annotatedProperty),
                    ox.NamedNode(mapping_set.expand(row["predicate_id"], line)), g),
            ox.Quad(m, ox.NamedNode(OWL.annotatedTarget),
                    ox.NamedNode(mapping_set.expand(row["object_id"], line)), g),
            ox.Quad(m, ox.NamedNode(SSSOM.mapping_justification),
                    ox.NamedNode(mapping_set.expand(row["mapping_justification"], line)), g),
        ]
        quads += [ox.Quad(m, ox.NamedNode(SSSOM.term(slot)), ox.Literal(row[slot]), g)
                  for slot in _LITERAL_SLOTS if row.get(slot)]
    return quads
