"""The bridge between pyoxigraph terms (what the store speaks) and rdflib terms (what pyshacl,
owlready2, ``reasonable`` and the Turtle writer take).

>>> to_rdflib(ox.Literal("x"))
rdflib.term.Literal('x')
>>> to_ox(to_rdflib(ox.NamedNode("http://example.org/a")))
<NamedNode value=http://example.org/a>
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from sarcoma_graph.namespaces import XSD
from sarcoma_graph.plumbing.oxterms import Term, text

__all__ = ["Term", "node", "text", "to_ox", "to_ox_quad", "to_rdflib", "triples_graph"]


def to_ox(node: Node | None) -> Term | None:
    """rdflib term → pyoxigraph term (plain literals stay plain)."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"unsupported term {node!r}")


@overload
def to_rdflib(term: Term) -> Node: ...


@overload
def to_rdflib(term: Term | ox.DefaultGraph | None) -> Node | None: ...


def to_rdflib(term: Term | ox.DefaultGraph | None) -> Node | None:
    """pyoxigraph term → rdflib term; ``xsd:string`` literals become plain literals."""
    if term is None or isinstance(term, ox.DefaultGraph):
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD.string:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def triples_graph(quads: Iterable[ox.Quad]) -> Graph:
    """The triples of some quads (graph names dropped) as a plain rdflib ``Graph``.

    What pyshacl, owlready2, ``reasonable`` and the canonical writer take; never an oxrdflib
    graph, whose typed plain strings compare unequal to plain ones.
    """
    graph = Graph()
    for q in quads:
        graph.add((node(q.subject), node(q.predicate), node(q.object)))
    return graph


def to_ox_quad(subject: Node, predicate: Node, obj: Node,
               graph: ox.NamedNode | None = None) -> ox.Quad:
    """An rdflib triple as a pyoxigraph quad (in ``graph`` when given)."""
    s, p, o = to_ox(subject), to_ox(predicate), to_ox(obj)
    if not isinstance(s, ox.NamedNode | ox.BlankNode | ox.Triple) or not isinstance(p, ox.NamedNode) \
            or o is None:
        raise TypeError(f"not an RDF triple: {subject!r} {predicate!r} {obj!r}")
    return ox.Quad(s, p, o, graph)


def node(term: Term) -> Node:
    """:func:`to_rdflib` of a term that is there (a quad's subject, predicate or object)."""
    converted = to_rdflib(term)
    if converted is None:  # pragma: no cover - only a default graph converts to None
        raise TypeError(f"no rdflib term for {term!r}")
    return converted
