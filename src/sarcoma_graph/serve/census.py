"""The VoID statistics of an embedded store in one pass over its quads.

The SPARQL aggregates of :mod:`sarcoma_graph.serve.statistics` join every typed subject's
triples with the classes of subject and value (``?s a ?k ; ?p ?o . ?o a ?c``): a row per
class of the subject times class of the value, 10 s at a million quads. Here each node's
classes (with how many ``rdf:type`` quads state each, as the join counts them) become one
*signature*, the quads are counted once per (signature, property, signature or datatype of the
value), and the class-level counts are multiplied out at the end: the same numbers, a third
of the time. The counts follow SPARQL's over the same default graph exactly (a triple in two
graphs counts twice, as ``COUNT(*)`` over the union does).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pyoxigraph as ox

from sarcoma_graph.namespaces import RDF
from sarcoma_graph.serve.statistics import VoidStats
from sarcoma_graph.store.oxigraph import OxigraphStore

#: A graph to count, or ``None`` for every graph (the default one too).
Graph = ox.NamedNode | None
#: A subject (RDF 1.2: a triple term too).
Node = ox.NamedNode | ox.BlankNode | ox.Triple
#: One node's classes (IRIs) with how many type quads state each, sorted by class.
Signature = tuple[tuple[ox.NamedNode, int], ...]


def _signatures(store: OxigraphStore, graphs: list[Graph]) -> tuple[
        dict[Node, int], list[Signature], Counter[str]]:
    """Each typed node's signature number, the signatures, and distinct members per class."""
    typed: dict[Node, list[ox.NamedNode]] = {}
    kind = ox.NamedNode(RDF.type)
    for graph in graphs:
        for quad in store.quads_for_pattern(None, kind, None, graph):
            if isinstance(quad.object, ox.NamedNode):
                typed.setdefault(quad.subject, []).append(quad.object)
    numbers: dict[Signature, int] = {}
    members: Counter[str] = Counter()
    of: dict[Node, int] = {}
    for node, classes in typed.items():
        signature = tuple(sorted(Counter(classes).items(), key=lambda pair: pair[0].value)) \
            if len(classes) > 1 else ((classes[0], 1),)
        of[node] = numbers.setdefault(signature, len(numbers))
        members.update(k.value for k, _ in signature)
    return of, list(numbers), members


def census(store: OxigraphStore, graphs: Iterable[str] | None) -> VoidStats:
    """Count the quads of the named ``graphs``, or of every graph (``None``): the default graph
    the SPARQL aggregates read, the multiset union of those graphs. The per-graph and union
    counts come from the store's own counters."""
    selected: list[Graph] = [None] if graphs is None else [ox.NamedNode(g) for g in graphs]
    of, signatures, members = _signatures(store, selected)
    get = of.get
    rows: Counter[tuple[int, ox.NamedNode, int | ox.NamedNode | None]] = Counter()
    properties: Counter[ox.NamedNode] = Counter()
    subjects: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
    add = subjects.add
    for graph in selected:
        for quad in store.quads_for_pattern(None, None, None, graph):
            subject, predicate = quad.subject, quad.predicate
            add(subject)
            number = get(subject)
            if number is None:
                properties[predicate] += 1
                continue
            value = quad.object
            rows[number, predicate,
                 value.datatype if isinstance(value, ox.Literal) else get(value)] += 1
    for (_, predicate, _), n in rows.items():  # the typed subjects' quads, counted there
        properties[predicate] += n
    by_class, by_value_class, by_datatype = _multiplied(rows, signatures)
    return VoidStats(
        sum(properties.values()),
        sum(1 for s in subjects if isinstance(s, ox.NamedNode)),
        tuple(sorted(members.items())),
        tuple(sorted((p.value, n) for p, n in properties.items())),
        tuple(store.graph_counts().items()), store.count(),
        by_class, by_value_class, by_datatype)


def _multiplied(rows: Counter[tuple[int, ox.NamedNode, int | ox.NamedNode | None]],
                signatures: list[Signature]) -> tuple[
        tuple[tuple[str, str, int], ...], tuple[tuple[str, str, str, int], ...],
        tuple[tuple[str, str, str, int], ...]]:
    """Class-level counts from the signature-level ones: a quad counts once per type quad of
    its subject's class (and of its value's class)."""
    by_property: Counter[tuple[str, str]] = Counter()
    by_class: Counter[tuple[str, str, str]] = Counter()
    by_datatype: Counter[tuple[str, str, str]] = Counter()
    for (number, predicate, value), n in rows.items():
        p = predicate.value
        for k, times in signatures[number]:
            by_property[k.value, p] += times * n
            if isinstance(value, int):
                for c, also in signatures[value]:
                    by_class[k.value, p, c.value] += times * also * n
            elif value is not None:
                by_datatype[k.value, p, value.value] += times * n
    return (tuple((k, p, n) for (k, p), n in sorted(by_property.items())),
            tuple((k, p, c, n) for (k, p, c), n in sorted(by_class.items())),
            tuple((k, p, c, n) for (k, p, c), n in sorted(by_datatype.items())))
