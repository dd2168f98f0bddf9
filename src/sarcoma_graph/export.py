"""Stage 5, export: deterministic serialisations of the dataset and the release set.

Turtle and TriG go through the canonical writer (sorted, blank nodes inline). The line and
JSON/XML syntaxes get RDFC-1.0 canonical blank-node labels, then sorted quads, so the same
content always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from sarcoma_graph.describe import with_context
from sarcoma_graph.plumbing.formats import RdfSyntax
from sarcoma_graph.plumbing.memory import without_gc
from sarcoma_graph.plumbing.rdfio import syntax_error
from sarcoma_graph.plumbing.results import serialize_triples
from sarcoma_graph.plumbing.turtle import canonical_trig, canonical_turtle
from sarcoma_graph.store import Store


def _canonical_quads(quads: list[ox.Quad], keep_graphs: bool) -> list[ox.Quad]:
    default = ox.DefaultGraph()
    dataset = ox.Dataset(q if keep_graphs else ox.Quad(q.subject, q.predicate, q.object, default)
                         for q in quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=str)


@without_gc
def serialize_quads(quads: list[ox.Quad], syntax: RdfSyntax, prefixes: Mapping[str, str],
                    header: tuple[str, ...] = (), merge_graphs: bool = False) -> bytes:
    """Deterministic bytes for quads in one syntax; triple syntaxes merge the graphs.

    ``merge_graphs`` merges them in JSON-LD too (no named-graph wrapper). JSON-LD carries the
    prefix map as its ``@context``.
    """
    if syntax.name == "turtle":
        return canonical_turtle(quads, prefixes, header).encode()
    if syntax.name == "trig":
        return canonical_trig(quads, prefixes, header).encode()
    keep_graphs = syntax.datasets and not merge_graphs
    canonical = _canonical_quads(quads, keep_graphs)
    if syntax.name == "jsonld":
        body = ox.serialize(canonical if keep_graphs else [q.triple for q in canonical],
                            format=syntax.oxigraph) or b""
        return with_context(body, prefixes)
    if syntax.datasets:
        return serialize_triples(canonical, syntax)
    data = serialize_triples([q.triple for q in canonical], syntax,
                             prefixes if syntax.name == "rdfxml" else None)
    if syntax.name == "ntriples":  # sort lines: a merged graph may repeat a triple
        lines = sorted(set(data.splitlines()))
        data = b"\n".join(lines) + (b"\n" if lines else b"")
    return data


@without_gc
def export(store: Store, syntax: RdfSyntax, prefixes: Mapping[str, str],
           graphs: list[str] | None = None, header: tuple[str, ...] = ()) -> bytes:
    """Serialise the named graphs given (default: all) deterministically."""
    names = graphs if graphs is not None else store.named_graphs()
    if syntax.name == "turtle":  # streamed into the writer: no list of every quad beside it
        return canonical_turtle((q for name in names for q in store.quads(name)), prefixes,
                                header).encode()
    quads = [q for name in names for q in store.quads(name)]
    return serialize_quads(quads, syntax, prefixes, header)


@without_gc
def saved_turtle(dataset: Path, prefixes: Mapping[str, str], graphs: list[str] | None,
                 only_named: bool, header: tuple[str, ...] = ()) -> bytes:
    """:func:`export` as Turtle of a saved dataset (its sorted N-Quads, checked against its
    manifest by the caller), read straight from the file: the writer needs every triple as a
    Python term anyway, and parsing the file is a third of the time of loading it into a
    store and reading it back. ``graphs`` as in :func:`export`; ``only_named``: the file may
    hold quads outside the named graphs, which :func:`export` leaves out."""
    quads: Iterable[ox.Quad] = ox.parse(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    if graphs is not None:
        wanted = {ox.NamedNode(g) for g in graphs}
        quads = (q for q in quads if q.graph_name in wanted)
    elif only_named:
        quads = (q for q in quads if isinstance(q.graph_name, ox.NamedNode))
    try:
        return canonical_turtle(quads, prefixes, header).encode()
    except SyntaxError as error:
        raise syntax_error(dataset, error) from None
