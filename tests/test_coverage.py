"""The sentence ledger (data/coverage/sentences.tsv) against the seeds and the graph.

Every sentence of both seeds is in the ledger, located by its first and last words; together the
rows tile each seed. A sentence is covered (with the IRIs that represent it), out of scope or not a
claim (with the reason). Every IRI it lists exists in the curated graph; every evidence statement is
listed by some covered sentence; and anything the graph says a source states rests on a passage
inside a covered sentence — what no sentence supports must be marked domain knowledge.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from tests.curated_graph import curated

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "data" / "coverage" / "sentences.tsv"
ID = "https://w3id.org/sarcoma-graph/id/"
SG = Namespace("https://w3id.org/sarcoma-graph/ontology/")
OA = Namespace("http://www.w3.org/ns/oa#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
STATUSES = {"covered", "out-of-scope", "no-claim"}


@dataclass(frozen=True)
class Sentence:
    document: str
    number: int
    start: int
    end: int
    status: str
    iris: tuple[str, ...]
    reason: str


@cache
def rows() -> list[dict[str, str]]:
    with LEDGER.open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return list(csv.DictReader(lines, delimiter="\t"))


def seed(shared: Path, document: str) -> str:
    return (shared / document.removeprefix("shared/")).read_text(encoding="utf-8")


def locate(shared: Path) -> list[Sentence]:
    """Each row's span in its seed; fails if the rows do not tile the seed in order."""
    found: list[Sentence] = []
    for document in dict.fromkeys(row["document"] for row in rows()):
        text, pos = seed(shared, document), 0
        for row in (r for r in rows() if r["document"] == document):
            start = text.find(row["starts_with"], pos)
            assert start >= 0, f"row {row['n']}: {row['starts_with']!r} not found after offset {pos}"
            gap = text[pos:start]
            assert not gap.strip(), f"row {row['n']}: text before it is in no row: {gap!r}"
            end = text.find(row["ends_with"], start)
            assert end >= 0, f"row {row['n']}: {row['ends_with']!r} not found"
            pos = end + len(row["ends_with"])
            found.append(Sentence(document, int(row["n"]), start, pos, row["status"],
                                  tuple(row["iris"].split()), row["reason"].strip()))
        assert not text[pos:].strip(), f"{document}: the end of the seed is in no row: {text[pos:]!r}"
    return found


def expand(curie: str) -> URIRef:
    assert curie.startswith("id:"), f"ledger IRIs are written id:<kind>/<slug>, got {curie!r}"
    return URIRef(ID + curie[3:])


def test_the_ledger_tiles_both_seeds(shared):
    sentences = locate(shared)
    assert {s.document for s in sentences} == {"shared/seeds/000_38bbfa7ce1aa8467.txt",
                                               "shared/seeds/002_c8b523baa9ba71b4.txt"}


def test_every_sentence_is_covered_or_explained(shared):
    for s in locate(shared):
        assert s.status in STATUSES, f"row {s.number}: status {s.status!r}"
        if s.status == "covered":
            assert s.iris, f"row {s.number}: covered but lists no IRI"
        else:
            assert s.reason, f"row {s.number}: {s.status} needs a reason"


def test_every_listed_iri_exists():
    graph = curated()
    listed = {iri for row in rows() for iri in row["iris"].split()}
    assert sorted(i for i in listed if (expand(i), None, None) not in graph) == []


def test_every_evidence_statement_is_listed_by_a_covered_sentence():
    graph = curated()
    listed = {expand(i) for row in rows() if row["status"] == "covered" for i in row["iris"].split()}
    statements = {s for s in graph.subjects(SG.evidenceType, None) if "/statement/" in str(s)}
    assert sorted(str(s) for s in statements - listed) == []


def passage_span(graph: Graph, shared: Path, passage) -> tuple[str, int]:
    selector = next(s for s in graph.objects(passage, OA.hasSelector) if (s, OA.exact, None) in graph)
    document = str(graph.value(graph.value(passage, OA.hasSource), DCTERMS.identifier))
    prefix = str(graph.value(selector, OA.prefix) or "")
    where = seed(shared, document).index(prefix + str(graph.value(selector, OA.exact)))
    return document, where + len(prefix)


def test_what_the_graph_says_is_stated_rests_inside_a_covered_sentence(shared):
    graph = curated()
    sentences = locate(shared)
    def covered(document: str, offset: int) -> bool:
        return any(s.document == document and s.start <= offset < s.end and s.status == "covered"
                   for s in sentences)
    unsupported = []
    for thing in sorted(graph.subjects(SG.assertionMode, SG.StatedInSource)):
        passages = list(graph.objects(thing, SG.restsOn))
        if (thing, RDF.type, None) in graph and passages and not any(
                covered(*passage_span(graph, shared, p)) for p in passages):
            unsupported.append(str(thing))
    assert unsupported == [], "stated, but no covered sentence supports it:\n" + "\n".join(unsupported)


def test_what_is_stated_without_a_passage_is_listed_by_a_covered_sentence():
    # Factors and measurements are parts of a statement and rest on no passage of their own.
    graph = curated()
    listed = {expand(i) for row in rows() if row["status"] == "covered" for i in row["iris"].split()}
    bare = {s for s in graph.subjects(SG.assertionMode, SG.StatedInSource)
            if (s, SG.restsOn, None) not in graph and "/document/" not in str(s)}
    assert sorted(str(s) for s in bare - listed) == []


@pytest.mark.parametrize("column", ["starts_with", "ends_with"])
def test_the_ledger_quotes_only_a_few_words(column):
    # The ledger locates sentences; it must not become a copy of the seeds.
    assert max(len(row[column]) for row in rows()) <= 40
