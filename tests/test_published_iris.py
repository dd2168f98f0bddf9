"""Stable IRIs: every IRI of ours a release published still resolves (review r16 interop A7:
four curation-record IRIs of 0.3.0 were 404 in 0.4.0, with nothing saying what became of
them). A record's IRI names the triple it records, so a corrected value retires it: the old
one stays, deprecated, in data/curated/retired.ttl."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox

PUBLISHED = Path(__file__).resolve().parents[1] / "data" / "coverage" / "published-iris.tsv"


def published() -> dict[str, str]:
    with PUBLISHED.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return {row["iri"]: row["first_release"] for row in rows}


def test_every_published_iri_is_still_described(curated_store):
    iris = published()
    assert len(iris) > 700 and set(iris.values()) >= {"0.2.0", "0.3.0", "0.4.0"}
    gone = [f"{iri} (published in {release})" for iri, release in sorted(iris.items())
            if next(iter(curated_store.quads_for_pattern(ox.NamedNode(iri), None, None, None)),
                    None) is None]
    assert not gone, "retire them in data/curated/retired.ttl:\n" + "\n".join(gone)


def test_a_retired_iri_says_it_is_deprecated_and_what_replaced_it(curated_store):
    deprecated = ox.NamedNode("http://www.w3.org/2002/07/owl#deprecated")
    replaced = ox.NamedNode("http://purl.org/dc/terms/isReplacedBy")
    retired = {q.subject for q in curated_store.quads_for_pattern(None, deprecated, None, None)}
    records = {s for s in retired if s.value.startswith("https://w3id.org/sarcoma-graph/id/fact/")}
    assert len(records) >= 4
    for record in records:
        successors = [q.object for q in curated_store.quads_for_pattern(record, replaced, None, None)]
        assert successors and all(
            next(iter(curated_store.quads_for_pattern(s, None, None, None)), None) for s in successors)
