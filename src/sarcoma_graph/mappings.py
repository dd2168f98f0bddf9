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
from sarcoma_graph.namespaces import DCTERMS, OWL, PAV, RDF, RDFS, SSSOM, XSD
from sarcoma_graph.plumbing.oxterms import Term
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


RDF_TYPE = RDF.type

# SSSOM slot → (RDF property, kind) as the SSSOM schema maps them (what sssom-py reads back).
# Kinds: "curie" (an IRI, expanded with the curie_map), "iri", "string", "date", "double".
SET_SLOTS = {
    "creator_id": (DCTERMS + "creator", "curie"),
    "license": (DCTERMS + "license", "iri"),
    "mapping_set_version": (OWL + "versionInfo", "string"),
    "mapping_set_title": (DCTERMS + "title", "string"),
    "mapping_set_description": (DCTERMS + "description", "string"),
    "mapping_date": (DCTERMS + "created", "date"),
    "publication_date": (DCTERMS + "issued", "date"),
}
ROW_SLOTS = {
    "subject_id": (OWL + "annotatedSource", "curie"),
    "predicate_id": (OWL + "annotatedProperty", "curie"),
    "object_id": (OWL + "annotatedTarget", "curie"),
    "subject_label": (SSSOM + "subject_label", "string"),
    "object_label": (SSSOM + "object_label", "string"),
    "mapping_justification": (SSSOM + "mapping_justification", "curie"),
    "comment": (RDFS + "comment", "string"),
    "author_id": (PAV + "authoredBy", "curie"),
    "mapping_date": (PAV + "authoredOn", "date"),
    "confidence": (SSSOM + "confidence", "double"),
    "see_also": (RDFS + "seeAlso", "iri"),
    "object_source": (SSSOM + "object_source", "curie"),
    "subject_source": (SSSOM + "subject_source", "curie"),
}


def mapping_iri(set_iri: str, row: dict[str, str]) -> str:
    """A stable IRI for one mapping: the set's IRI and a digest of the row's identifying slots.

    Subject, predicate, object and justification identify a mapping; two ``sssom:NoTermFound``
    rows of one subject (one per vocabulary searched) also differ by their comment.
    """
    import hashlib

    key = "\t".join(row.get(k, "") for k in ("subject_id", "predicate_id", "object_id",
                                              "mapping_justification"))
    if row["object_id"].lower() in NO_TERM:
        key += "\t" + row.get("comment", "")
    return f"{set_iri}/{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def _slot_terms(mapping_set: MappingSet, value: object, kind: str, line: int) -> list[Term]:
    values = value if isinstance(value, list) else [value]
    terms: list[Term] = []
    for v in (str(x).strip() for x in values):
        if not v:
            continue
        if kind == "curie":
            target = SSSOM + "NoTermFound" if v.lower() in NO_TERM else mapping_set.expand(v, line)
            terms.append(ox.NamedNode(target))
        elif kind == "iri":
            terms.append(ox.NamedNode(v))
        elif kind == "string":
            terms.append(ox.Literal(v))
        else:
            terms.append(ox.Literal(v, datatype=ox.NamedNode(XSD + kind)))
    return terms


def sssom_rdf_quads(mapping_set: MappingSet, graph: str) -> list[ox.Quad]:
    """The mapping set as SSSOM/RDF (sssom-py reads it back unchanged), without blank nodes.

    Every row becomes an ``owl:Axiom`` with an IRI, ``sssom:NoTermFound`` rows included; the
    set carries its licence, creators, version, description and date.
    """
    set_iri = str(mapping_set.metadata.get("mapping_set_id", ""))
    if not set_iri:
        raise InputError(f"{mapping_set.path}: the SSSOM header needs a mapping_set_id")
    g, s = ox.NamedNode(graph), ox.NamedNode(set_iri)
    quads = [ox.Quad(s, ox.NamedNode(RDF_TYPE), ox.NamedNode(SSSOM + "MappingSet"), g)]
    for slot, (prop, kind) in SET_SLOTS.items():
        value = mapping_set.metadata.get(slot)
        if value:
            quads += [ox.Quad(s, ox.NamedNode(prop), term, g)
                      for term in _slot_terms(mapping_set, value, kind, 1)]
    first_line = mapping_set.first_line
    for offset, row in enumerate(mapping_set.rows):
        m = ox.NamedNode(mapping_iri(set_iri, row))
        quads += [ox.Quad(s, ox.NamedNode(SSSOM + "mappings"), m, g),
                  ox.Quad(m, ox.NamedNode(RDF_TYPE), ox.NamedNode(OWL + "Axiom"), g)]
        for slot, (prop, kind) in ROW_SLOTS.items():
            quads += [ox.Quad(m, ox.NamedNode(prop), term, g)
                      for term in _slot_terms(mapping_set, row.get(slot, ""), kind,
                                              first_line + offset)]
    return quads
