"""The shapes graph read into plain values, for the SPARQL-backed validator.

Only the part of SHACL the engine reproduces exactly is accepted; anything else raises
:class:`Unsupported` naming the shape and the feature, so that the caller falls back to pyshacl
instead of giving a different report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

#: constraint parameters the engine evaluates itself (value-level or set-level)
VALUE_PARAMETERS = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minExclusive, SH.minInclusive, SH.maxExclusive,
    SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern, SH.languageIn, SH["in"],
    SH["not"], SH["or"], SH["and"], SH.xone, SH.node,
}
SET_PARAMETERS = {SH.minCount, SH.maxCount, SH.uniqueLang, SH.disjoint, SH.equals,
                  SH.qualifiedValueShape, SH.sparql}
#: parameters of SHACL Core/SPARQL this engine does not reproduce: their presence means pyshacl
UNSUPPORTED = {SH.hasValue, SH.closed, SH.ignoredProperties, SH.lessThan, SH.lessThanOrEquals,
               SH.rule}
#: everything a shape may carry that is neither a constraint nor a target (annotations are free)
AUXILIARY = {SH.message, SH.severity, SH.path, SH.deactivated, SH.flags, SH.qualifiedMinCount,
             SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.name, SH.description,
             SH.order, SH.group, SH.defaultValue,
             SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
             SH.target, RDF.type}


class Unsupported(Exception):
    """The shapes use a SHACL feature the fast engine does not reproduce."""


@dataclass
class Shape:
    """One node or property shape with its constraints, as the engine needs them."""

    node: Node
    path: Node | None = None  # the sh:path node (property shapes)
    path_sparql: str = ""
    severity: URIRef = SH.Violation
    messages: list[Literal] = field(default_factory=list)
    targets: list[tuple[URIRef, Node]] = field(default_factory=list)  # (kind, value)
    sparql_targets: list[str] = field(default_factory=list)
    params: dict[URIRef, list[Node]] = field(default_factory=dict)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)
    prefixes: str = ""
    deactivated: bool = False

    @property
    def is_property(self) -> bool:
        return self.path is not None


@dataclass(frozen=True)
class SparqlConstraint:
    """An ``sh:SPARQLConstraint``: its node, query text and messages."""

    node: Node
    select: str
    messages: tuple[Literal, ...]


def _is_true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def _items(graph: Graph, head: Node) -> list[Node]:
    return list(Collection(graph, head))


def path_sparql(graph: Graph, node: Node) -> str:
    """A SHACL path as a SPARQL property path."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in graph:
        return "(" + "/".join(path_sparql(graph, m) for m in _items(graph, node)) + ")"
    for predicate, template in ((SH.alternativePath, "({})"), (SH.inversePath, "^{}"),
                                (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                                (SH.zeroOrOnePath, "{}?")):
        value = graph.value(node, predicate)
        if value is None:
            continue
        if predicate == SH.alternativePath:
            return template.format("|".join(path_sparql(graph, m) for m in _items(graph, value)))
        return template.format("(" + path_sparql(graph, value) + ")")
    raise Unsupported(f"path {node!r}: not a SHACL path")


def check_query(shape: Node, select: str) -> str:
    """``select`` itself, unless it names its dataset (``FROM``/``FROM NAMED``): the engine
    runs every query over the union graph, as pyshacl does a query without one."""
    from sarcoma_graph.plumbing.scanner import has_dataset_clause

    if has_dataset_clause(select):
        raise Unsupported(f"shape {shape}: a SPARQL query with FROM or FROM NAMED")
    return select


def prefixes_of(graph: Graph, holder: Node) -> dict[str, str]:
    """The ``PREFIX`` declarations reachable through ``sh:prefixes`` → ``sh:declare``."""
    out: dict[str, str] = {}
    for ontology in graph.objects(holder, SH.prefixes):
        for declaration in graph.objects(ontology, SH.declare):
            prefix, namespace = graph.value(declaration, SH.prefix), graph.value(declaration, SH.namespace)
            if prefix is None or namespace is None:
                raise Unsupported(f"{ontology}: sh:declare without sh:prefix and sh:namespace")
            if out.get(str(prefix), str(namespace)) != str(namespace):
                raise Unsupported(f"prefix {prefix} declared twice with different namespaces")
            out[str(prefix)] = str(namespace)
    return out


class ShapesReader:
    """Reads every shape of a shapes graph (once each, nested ones included)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.cache: dict[Node, Shape] = {}

    def top_level(self) -> list[Shape]:
        """The shapes that have targets (nested shapes are read through their parents)."""
        g = self.graph
        nodes: set[Node] = set()
        for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                          SH.target):
            nodes.update(g.subjects(predicate, None))
        for node in set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape)):
            if (node, RDF.type, URIRef("http://www.w3.org/2000/01/rdf-schema#Class")) in g or \
                    (node, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in g:
                raise Unsupported(f"{node}: implicit class target (a shape that is also a class)")
        return [self.read(n) for n in sorted(nodes, key=str)]

    def read(self, node: Node) -> Shape:
        if node not in self.cache:
            self.cache[node] = shape = Shape(node)
            self._fill(shape)
        return self.cache[node]

    def _fill(self, shape: Shape) -> None:
        g, node = self.graph, shape.node
        for predicate, _ in g.predicate_objects(node):
            if predicate in UNSUPPORTED or (str(predicate).startswith(str(SH)) and predicate not in
                                            VALUE_PARAMETERS | SET_PARAMETERS | AUXILIARY):
                raise Unsupported(f"shape {node}: {predicate} is not reproduced by the fast engine")
        path = g.value(node, SH.path)
        if path is not None:
            shape.path, shape.path_sparql = path, path_sparql(g, path)
        shape.severity = g.value(node, SH.severity) or SH.Violation  # type: ignore[assignment]
        shape.messages = [m for m in g.objects(node, SH.message) if isinstance(m, Literal)]
        shape.deactivated = _is_true(g.value(node, SH.deactivated))
        for kind in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            shape.targets.extend((kind, v) for v in g.objects(node, kind))
        prefixes: dict[str, str] = {}
        for target in g.objects(node, SH.target):
            select = g.value(target, SH.select)
            if select is None or (target, RDF.type, SH.SPARQLTarget) not in g:
                raise Unsupported(f"shape {node}: only sh:SPARQLTarget targets are reproduced")
            shape.sparql_targets.append(check_query(node, str(select)))
            prefixes.update(prefixes_of(g, target))
        for parameter in VALUE_PARAMETERS | SET_PARAMETERS - {SH.sparql}:
            values = list(g.objects(node, parameter))
            if values:
                shape.params[parameter] = values
        if SH.qualifiedValueShape in shape.params and _is_true(
                g.value(node, SH.qualifiedValueShapesDisjoint)):
            raise Unsupported(f"shape {node}: sh:qualifiedValueShapesDisjoint")
        for constraint in g.objects(node, SH.sparql):
            select = g.value(constraint, SH.select)
            if select is None:
                raise Unsupported(f"shape {node}: SPARQL constraint without sh:select (ASK?)")
            if _is_true(g.value(constraint, SH.deactivated)):
                continue
            prefixes.update(prefixes_of(g, constraint))
            messages = tuple(m for m in g.objects(constraint, SH.message) if isinstance(m, Literal))
            shape.sparql.append(SparqlConstraint(constraint, check_query(node, str(select)), messages))
        shape.prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
        shape.properties = [self.read(p) for p in g.objects(node, SH.property)]
        for parameter in (SH["not"], SH.node, SH.qualifiedValueShape):
            for member in shape.params.get(parameter, []):
                self.read(member)
        for parameter in (SH["or"], SH["and"], SH.xone):
            for head in shape.params.get(parameter, []):
                for member in _items(g, head):
                    self.read(member)

    def members(self, head: Node) -> list[Shape]:
        return [self.read(m) for m in _items(self.graph, head)]

    def list_items(self, head: Node) -> list[Node]:
        return _items(self.graph, head)


def is_blank(node: Node | None) -> bool:
    return isinstance(node, BNode)
