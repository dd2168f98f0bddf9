"""``data/mappings/vocabulary_terms.tsv`` records where each external vocabulary term the project
uses was checked (RO, ECO, OBI, SO…): every such term in the ontology, shapes and curated data
must be listed there, so none is written from memory."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox

from sarcoma_graph.namespaces import compress
from sarcoma_graph.plumbing.rdfio import rdf_files, read_quads

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "data" / "mappings" / "vocabulary_terms.tsv"


def listed() -> dict[str, dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return {row["term_id"]: row for row in csv.DictReader(handle, delimiter="\t")}


def used_terms(vocabularies: set[str]) -> dict[str, str]:
    """CURIE → a file using it, for the IRIs of the edited sources in the listed vocabularies."""
    found: dict[str, str] = {}
    for folder in ("ontology", "shapes", "data/curated"):
        for path in rdf_files(ROOT / folder):
            for quad in read_quads(path):
                for term in (quad.subject, quad.predicate, quad.object):
                    if isinstance(term, ox.NamedNode):
                        curie = compress(term.value)
                        if curie and curie.split(":", 1)[0] in vocabularies:
                            found.setdefault(curie, path.relative_to(ROOT).as_posix())
    return found


def test_every_row_says_where_it_was_checked():
    rows = listed()
    assert len(rows) > 100
    for term, row in rows.items():
        assert row["checked_in"] and row["ontology"], term  # a label may be unverified
        assert term == "none" or ":" in term, term  # "none": a term searched for and not found


def test_every_vocabulary_term_used_is_listed():
    rows = listed()
    vocabularies = {term.split(":", 1)[0] for term in rows if ":" in term} - {"NCIT"}  # check-links
    used = used_terms(vocabularies)
    assert len(used) >= 10, "hardly any vocabulary term found: the scan is broken"
    missing = {curie: where for curie, where in used.items() if curie not in rows}
    assert missing == {}
