"""Data for the endpoint benchmark: the curated graph, and a larger graph of the same shape.

The generated graph repeats the curated named graph with every entity IRI (``…/id/…``:
histotypes, alterations, genes, agents, statements, measurements, documents…) and every
blank node renamed per copy, so each copy has the curated graph's classes, properties,
links and fan-outs; the ontology and mapping graphs are kept once. Copies are added until
the target size is reached.

    .venv/bin/python bench/endpoint_data.py build/dataset.nq /tmp/scaled.nq --triples 1000000
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pyoxigraph as ox

ID = "https://w3id.org/sarcoma-graph/id/"
CURATED = ox.NamedNode("https://w3id.org/sarcoma-graph/graph/curated")


def _rename(term, copy: int):
    if isinstance(term, ox.NamedNode) and term.value.startswith(ID):
        return ox.NamedNode(f"{term.value}-x{copy}")
    if isinstance(term, ox.BlankNode):
        return ox.BlankNode(f"{term.value}x{copy}")
    return term


def scale(source: Path, target: Path, triples: int) -> int:
    """Write a dataset of about ``triples`` quads shaped like ``source``; returns its size."""
    quads = list(ox.parse(path=str(source), format=ox.RdfFormat.N_QUADS))
    curated = [q for q in quads if q.graph_name == CURATED]
    fixed = [q for q in quads if q.graph_name != CURATED]
    if not curated:
        raise SystemExit(f"{source}: no quad in {CURATED.value}")
    copies = max(1, math.ceil((triples - len(fixed)) / len(curated)))
    with target.open("wb") as out:
        out.write(ox.serialize(fixed, format=ox.RdfFormat.N_QUADS))
        for copy in range(copies):
            batch = curated if copy == 0 else [
                ox.Quad(_rename(q.subject, copy), q.predicate, _rename(q.object, copy), CURATED)
                for q in curated]
            out.write(ox.serialize(batch, format=ox.RdfFormat.N_QUADS))
    return len(fixed) + copies * len(curated)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--triples", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"{args.target}: {scale(args.source, args.target, args.triples)} quads")


if __name__ == "__main__":
    main()
