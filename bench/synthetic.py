"""Synthetic graphs of any size, shaped like the curated data and the CIViC evidence.

The templates are the curated and CIViC named graphs of a built dataset: histotypes and
genotype-defined groups, alterations and genes, agents and drug classes, evidence statements
with outcome measurements, passages, selectors and curation records, and CIViC evidence items
linked to curated genes, agents, tumours and statements. Each synthetic block is a copy of a
template with every minted IRI (``…/id/…``, CIViC item and link IRIs) renamed ``…-s<n>``
and every label, title and quote suffixed ``-S<n>``, so that blocks are distinct entities with
the same classes, properties, fan-outs, provenance and property chains as the real data
(and labels stay unique for the QC checks). The seed picks each block's template (curated,
CIViC, or both); the same seed and size give the same bytes. The ontology and the mapping set
are not repeated: synthetic entities have no external mappings (SHACL warns about that, as it
would for real unmapped entities), only the links between two entities of one block.

Blocks are written as N-Quads text (a template string with the block number substituted), so
10M quads take seconds to generate and never sit in memory as terms.

    .venv/bin/python bench/synthetic.py build/dataset.nq build/imports/synthetic.nq --quads 1000000
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

ID = "https://w3id.org/sarcoma-graph/id/"
GRAPH = "https://w3id.org/sarcoma-graph/graph/"
RENAMED = (ID, "https://identifiers.org/civic.", "https://civicdb.org/")
MARK = "QQK"  # replaced by the block number (never occurs in the templates: checked)
TEXTS = {
    "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#prefLabel", "http://purl.org/dc/terms/title",
    "http://www.w3.org/ns/oa#exact",
}
#: mappings to external identifiers are not copied (two synthetic entities with one external
#: identifier are a QC error); a mapping between two entities of the block is (a CIViC variant
#: and the curated alteration it matches: without it their equal labels are a duplicate)
MAPPINGS = {f"http://www.w3.org/2004/02/skos/core#{m}Match" for m in ("exact", "close", "broad", "narrow")}
#: (template name, graphs it copies, weight)
MIX = (("curated", ("curated",), 1), ("both", ("curated", "civic"), 1))


def _term(term, renamed: bool, text: bool):
    if isinstance(term, ox.NamedNode) and term.value.startswith(RENAMED):
        return ox.NamedNode(f"{term.value}-s{MARK}")
    if text and renamed and isinstance(term, ox.Literal):
        if term.language:
            return ox.Literal(f"{term.value}-S{MARK}", language=term.language)
        return ox.Literal(f"{term.value}-S{MARK}", datatype=term.datatype)
    return term


def _template(quads: list[ox.Quad]) -> str:
    out = []
    for q in quads:
        renamed = isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(RENAMED)
        text = q.predicate.value in TEXTS
        out.append(ox.Quad(_term(q.subject, renamed, False), q.predicate,
                           _term(q.object, renamed, text), q.graph_name))
    return ox.serialize(out, format=ox.RdfFormat.N_QUADS).decode()


def templates(source: Path) -> dict[str, tuple[str, int]]:
    """``{name: (N-Quads text with the block mark, quads)}`` from a built dataset."""
    text = source.read_text(encoding="utf-8")
    if MARK in text:
        raise SystemExit(f"{source}: contains the marker {MARK!r}; cannot template it")
    by_graph: dict[str, list[ox.Quad]] = {}
    for q in ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS):
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            continue  # the curated data has none; imports might
        name = q.graph_name.value.removeprefix(GRAPH) if isinstance(q.graph_name, ox.NamedNode) else ""
        by_graph.setdefault(name, []).append(q)
    if "curated" not in by_graph:
        raise SystemExit(f"{source}: no curated graph; run `sarcoma-graph build` first")
    out = {}
    for name, graphs, _ in MIX:
        quads = _internal_mappings_only([q for g in graphs for q in by_graph.get(g, [])])
        if quads and all(g in by_graph for g in graphs):
            out[name] = (_template(quads), len(quads))
    return out


def _internal_mappings_only(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads without mappings, but those between two entities described in ``quads``."""
    described = {q.subject.value for q in quads if q.predicate.value not in MAPPINGS}
    return [q for q in quads if q.predicate.value not in MAPPINGS
            or (q.subject.value.startswith(RENAMED) and isinstance(q.object, ox.NamedNode)
                and q.object.value.startswith(RENAMED) and q.object.value in described)]


def blocks(source: Path, quads: int, seed: int) -> Iterator[str]:
    """The synthetic blocks, until about ``quads`` quads (base dataset included) are reached."""
    kinds = templates(source)
    names = [n for n, _, _ in MIX if n in kinds]
    weights = [w for n, _, w in MIX if n in kinds]
    rng = random.Random(seed)
    total = sum(1 for _ in source.open("rb"))
    number = 0
    while total < quads:
        number += 1
        name = rng.choices(names, weights)[0]
        text, size = kinds[name]
        total += size
        yield text.replace(MARK, str(number))


def write(source: Path, target: Path, quads: int, seed: int = 42) -> int:
    """Write the synthetic import atomically; returns the number of quads written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    written = 0
    with partial.open("w", encoding="utf-8") as out:
        for block in blocks(source, quads, seed):
            out.write(block)
            written += block.count("\n")
    partial.replace(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a built dataset (build/dataset.nq)")
    parser.add_argument("target", type=Path, help="where to write (build/imports/synthetic.nq)")
    parser.add_argument("--quads", type=int, default=1_000_000, help="total size to reach")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print(f"{args.target}: {write(args.source, args.target, args.quads, args.seed)} quads")


if __name__ == "__main__":
    main()
