"""Canonical Turtle: one fixed, sorted way to write a graph, so diffs stay readable.

Subjects are sorted by IRI (blank-node subjects that nothing references come last, sorted by
their text), ``rdf:type`` first then predicates by IRI, objects by their text. A blank node
referenced once is written inline (``[ … ]``, or ``( … )`` for an RDF list). Only the
prefixes in use are declared. The same graph always gives the same bytes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?[0-9]*\.[0-9]+$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
INDENT = "    "


class CanonicalTurtleError(ValueError):
    """The graph cannot be written canonically (a shared or cyclic blank node)."""


def quote(text: str) -> str:
    """A Turtle string literal with the minimal escapes."""
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in text) + '"'


class _Writer:
    def __init__(self, graph: Graph, prefixes: Mapping[str, str]) -> None:
        self.graph = graph
        # Longest namespace first, so `histotype:` wins over `sgid:`.
        self.prefixes = sorted(prefixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        self.used: set[str] = set()
        self.refs: dict[BNode, int] = defaultdict(int)
        for o in graph.objects():
            if isinstance(o, BNode):
                self.refs[o] += 1

    def iri(self, node: URIRef) -> str:
        text = str(node)
        if node == RDF.type:
            return "a"
        for name, namespace in self.prefixes:
            if text.startswith(namespace) and _LOCAL.match(text[len(namespace):]):
                self.used.add(name)
                return f"{name}:{text[len(namespace):]}"
        return f"<{text}>"

    def literal(self, node: Literal) -> str:
        lexical = str(node)
        if node.language:
            return f"{quote(lexical)}@{node.language}"
        datatype = node.datatype
        if datatype is None or datatype == XSD.string:
            return quote(lexical)
        if datatype == XSD.integer and _INTEGER.match(lexical):
            return lexical
        if datatype == XSD.decimal and _DECIMAL.match(lexical):
            return lexical
        if datatype == XSD.boolean and lexical in ("true", "false"):
            return lexical
        return f"{quote(lexical)}^^{self.iri(URIRef(datatype))}"

    def term(self, node: Node, depth: int, stack: frozenset[BNode]) -> str:
        if isinstance(node, URIRef):
            return self.iri(node)
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, BNode):
            if node in stack or self.refs[node] > 1:
                raise CanonicalTurtleError(
                    "a blank node is shared or cyclic; give it an IRI to write it canonically")
            items = self.rdf_list(node)
            if items is not None:
                inner = " ".join(self.term(i, depth, stack | {node}) for i in items)
                return f"( {inner} )" if inner else "()"
            body = self.predicates(node, depth + 1, stack | {node})
            return "[\n" + body + "\n" + INDENT * depth + "]"
        raise CanonicalTurtleError(f"cannot write term {node!r}")

    def rdf_list(self, node: BNode) -> list[Node] | None:
        items: list[Node] = []
        current: Node = node
        while current != RDF.nil:
            if not isinstance(current, BNode) or (current is not node and self.refs[current] != 1):
                return None
            pairs = set(self.graph.predicate_objects(current))
            firsts = [o for p, o in pairs if p == RDF.first]
            rests = [o for p, o in pairs if p == RDF.rest]
            if len(pairs) != 2 or len(firsts) != 1 or len(rests) != 1:
                return None
            items.append(firsts[0])
            current = rests[0]
        return items

    def predicates(self, subject: Node, depth: int, stack: frozenset[BNode]) -> str:
        by_predicate: dict[URIRef, list[str]] = defaultdict(list)
        for p, o in self.graph.predicate_objects(subject):
            by_predicate[p].append(self.term(o, depth + 1, stack))
        order = sorted(by_predicate, key=lambda p: (p != RDF.type, str(p)))
        lines = []
        pad = INDENT * depth
        for p in order:
            objects = sorted(set(by_predicate[p]))
            joined = (" ,\n" + pad + INDENT).join(objects)
            lines.append(f"{pad}{self.iri(p)} {joined}")
        return " ;\n".join(lines)

    def subjects(self) -> list[str]:
        named = sorted({s for s in self.graph.subjects() if isinstance(s, URIRef)}, key=str)
        blocks = [f"{self.iri(s)}\n{self.predicates(s, 1, frozenset())} ." for s in named]
        anonymous = [s for s in set(self.graph.subjects())
                     if isinstance(s, BNode) and self.refs[s] == 0]
        blocks += sorted(f"[]\n{self.predicates(s, 1, frozenset({s}))} ." for s in anonymous)
        return blocks


def _prefix_lines(used: set[str], prefixes: Mapping[str, str], header: Iterable[str]) -> list[str]:
    out = [f"# {line}".rstrip() for line in header]
    if out:
        out.append("")
    return out + [f"@prefix {name}: <{prefixes[name]}> ." for name in sorted(used)]


def canonical_turtle(graph: Graph, prefixes: Mapping[str, str], header: Iterable[str] = ()) -> str:
    """Write ``graph`` as canonical Turtle, with ``header`` lines as leading ``#`` comments."""
    writer = _Writer(graph, prefixes)
    blocks = writer.subjects()
    lines = _prefix_lines(writer.used, prefixes, header)
    return "\n".join(lines) + "\n\n" + "\n\n".join(blocks) + "\n"


def canonical_trig(graphs: Mapping[str, Graph], prefixes: Mapping[str, str],
                   header: Iterable[str] = ()) -> str:
    """Write named graphs as canonical TriG: graphs sorted by IRI, each written canonically."""
    used: set[str] = set()
    parts = []
    for name in sorted(graphs):
        writer = _Writer(graphs[name], prefixes)
        blocks = writer.subjects()
        used |= writer.used
        label = writer.iri(URIRef(name))
        used |= writer.used
        body = "\n\n".join(_indent(b) for b in blocks)
        parts.append(f"{label} {{\n{body}\n}}")
    lines = _prefix_lines(used, prefixes, header)
    return "\n".join(lines) + "\n\n" + "\n\n".join(parts) + "\n"


def _indent(block: str) -> str:
    return "\n".join(INDENT + line if line else line for line in block.splitlines())


def leading_comments(text: str) -> list[str]:
    """The leading ``#`` comment lines of a Turtle file (its header), without the ``#``."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return lines
