"""Helpers for report graphs: copying shapes-graph nodes, reading results back as tuples."""

from __future__ import annotations

from rdflib import RDF, SH, BNode, Graph, Literal
from rdflib.term import Node

#: a result as comparable terms: focus, path, value, severity, shape, component, messages
#: (None where the report graph lacks one)
ResultKey = tuple[Node | None, Node | None, Node | None, Node | None, Node | None, Node | None,
                  frozenset[Literal]]


def copy_node(source: Graph, node: Node, target: Graph) -> Node:
    """``node`` itself; a blank node brings its description along (ids kept, as pyshacl does)."""
    if isinstance(node, BNode):
        todo, done = [node], set()
        while todo:
            current = todo.pop()
            if current in done:
                continue
            done.add(current)
            for p, o in source.predicate_objects(current):
                target.add((current, p, o))
                if isinstance(o, BNode):
                    todo.append(o)
    return node


def result_keys(report: Graph) -> list[ResultKey]:
    """The results of a report graph as tuples (pyshacl's report or ours)."""
    out: list[ResultKey] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def one(p: Node, result: Node = result) -> Node | None:
            return report.value(result, p)
        messages = frozenset(m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal))
        out.append((one(SH.focusNode), one(SH.resultPath), one(SH.value), one(SH.resultSeverity),
                    one(SH.sourceShape), one(SH.sourceConstraintComponent), messages))
    return out
