"""SHACL shapes tested W3C-test-suite style: examples that must conform, and invalid cases with
their expected report.

Every example is loaded with the ontology and ``tests/shapes/base.ttl`` (documents and passages
the examples share) into a store, materialised like the pipeline does, and validated with
pyshacl over the union of the graphs. An invalid case lists its expected results in its header,
one per line (CURIEs use the file's prefixes; ``-`` means no path, ``_:`` any blank node)::

    # expect: <focus> <path> <constraint component, short name> <severity>
    # expect: gene:NF1 rdfs:label QualifiedMinCount Violation

The results must be exactly these (as a multiset). Every (shape, path, constraint component) of
the shapes graph must be exercised by at least one invalid case.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

ROOT = Path(__file__).resolve().parents[1]
SHAPES_DIR = ROOT / "shapes"
CASES = Path(__file__).resolve().parent / "shapes"
VALID = sorted((CASES / "valid").glob("*.ttl"))
INVALID = sorted((CASES / "invalid").glob("*.ttl"))
SGSH = "https://w3id.org/sarcoma-graph/shapes/"
DEFAULT_PREFIXES = {
    "sh": str(SH), "rdf": str(RDF), "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/", "oa": "http://www.w3.org/ns/oa#",
    "sg": "https://w3id.org/sarcoma-graph/ontology/", "sgsh": SGSH,
}
#: constraint parameter → constraint component (short name)
PARAMETERS = {
    SH["class"]: "Class", SH.datatype: "Datatype", SH.nodeKind: "NodeKind", SH.minCount: "MinCount",
    SH.maxCount: "MaxCount", SH.minExclusive: "MinExclusive", SH.minInclusive: "MinInclusive",
    SH.maxExclusive: "MaxExclusive", SH.maxInclusive: "MaxInclusive", SH.minLength: "MinLength",
    SH.maxLength: "MaxLength", SH.pattern: "Pattern", SH.languageIn: "LanguageIn",
    SH.uniqueLang: "UniqueLang", SH.equals: "Equals", SH.disjoint: "Disjoint", SH.lessThan: "LessThan",
    SH.lessThanOrEquals: "LessThanOrEquals", SH["not"]: "Not", SH["and"]: "And", SH["or"]: "Or",
    SH.xone: "Xone", SH.node: "Node", SH.qualifiedMinCount: "QualifiedMinCount",
    SH.qualifiedMaxCount: "QualifiedMaxCount", SH["in"]: "In", SH.hasValue: "HasValue",
    SH.closed: "Closed", SH.sparql: "SPARQL",
}
EXPECT = re.compile(r"^#\s*expect:\s*(.+)$", re.M)

Result = tuple[str, str, str, str]  # focus, path, component, severity


@cache
def shapes_graph() -> Graph:
    from sarcoma_graph.validate import load_shapes

    return load_shapes(SHAPES_DIR)


def load_materialised(*files: Path) -> Graph:
    """Ontology + files in a store, materialised, as one rdflib graph (what validation sees)."""
    from sarcoma_graph.namespaces import graph_iri
    from sarcoma_graph.reason import materialise
    from sarcoma_graph.store import open_store
    from sarcoma_graph.validate import data_graph

    store = open_store()
    store.load_file(ROOT / "ontology" / "sarcoma-graph.ttl", graph_iri("ontology"))
    for path in files:
        store.load_file(path, graph_iri("curated"))
    materialise(store)
    return data_graph(store)


def path_text(graph: Graph, node: Node | None) -> str:
    """A SHACL path as text: an IRI, ``a|b`` (alternative), ``^p`` (inverse), ``a/b`` (sequence)."""
    if node is None:
        return "-"
    if isinstance(node, URIRef):
        return str(node)
    alternative = graph.value(node, SH.alternativePath)
    if alternative is not None:
        return "|".join(path_text(graph, m) for m in Collection(graph, alternative))
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(graph, inverse)
    if (node, RDF.first, None) in graph:
        return "/".join(path_text(graph, m) for m in Collection(graph, node))
    raise ValueError(f"unsupported path {node!r}")


def component_name(node: Node) -> str:
    return str(node).removeprefix(str(SH)).removesuffix("ConstraintComponent")


@cache
def validate(path: Path) -> tuple[list[Result], list[tuple[str, str, str]], Graph]:
    """(results, (shape, path, component) keys hit, report graph) for one example."""
    import pyshacl

    _conforms, report, text = pyshacl.validate(
        load_materialised(CASES / "base.ttl", path), shacl_graph=shapes_graph(), inference="none",
        advanced=True, allow_warnings=True, abort_on_first=False)
    assert isinstance(report, Graph), text
    shapes = shapes_graph()
    results, keys = [], []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        component = component_name(report.value(result, SH.sourceConstraintComponent))
        severity = str(report.value(result, SH.resultSeverity)).removeprefix(str(SH))
        path_node = report.value(result, SH.resultPath)
        path = path_text(report if (path_node, None, None) in report else shapes, path_node)
        results.append(("_:" if isinstance(focus, BNode) else str(focus), path, component, severity))
        keys.append(shape_key(shapes, report.value(result, SH.sourceShape), component))
    return results, keys, report


def shape_key(shapes: Graph, shape: Node, component: str) -> tuple[str, str, str]:
    """(named node shape, path of the property shape or '-', component) for a result's source
    shape; a property shape, named or blank, counts under the node shape that holds it."""
    parent = shapes.value(None, SH.property, shape)
    if isinstance(shape, URIRef) and parent is None:
        return str(shape), "-", component
    assert isinstance(parent, URIRef), f"property shape {shape} is not inside a named node shape"
    return str(parent), path_text(shapes, shapes.value(shape, SH.path)), component


def declared_keys() -> set[tuple[str, str, str]]:
    """Every (named shape, path, component) the shapes graph declares."""
    shapes = shapes_graph()
    keys = set()
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        if not isinstance(shape, URIRef):
            continue
        for parameter, component in PARAMETERS.items():
            if (shape, parameter, None) in shapes:
                keys.add((str(shape), "-", component))
        for prop in shapes.objects(shape, SH.property):
            path = path_text(shapes, shapes.value(prop, SH.path))
            for parameter, component in PARAMETERS.items():
                if (prop, parameter, None) in shapes:
                    keys.add((str(shape), path, component))
    return keys


def expected_results(path: Path) -> list[Result]:
    """The ``# expect:`` lines of a case, CURIEs expanded with the file's prefixes."""
    graph = Graph().parse(path, format="turtle")
    prefixes = {**DEFAULT_PREFIXES, **{p: str(ns) for p, ns in graph.namespaces()}}

    def expand(token: str) -> str:
        if token in ("-", "_:"):
            return token
        if token.startswith("<") and token.endswith(">"):
            return token[1:-1]
        prefix, sep, local = token.partition(":")
        if not sep or prefix not in prefixes:
            raise ValueError(f"{path.name}: cannot expand {token!r}")
        return prefixes[prefix] + local

    expected = []
    for line in EXPECT.findall(path.read_text(encoding="utf-8")):
        focus, path_token, component, severity = line.split()
        path_iri = "|".join(expand(t) for t in path_token.split("|"))
        expected.append((expand(focus), path_iri, component, severity))
    return expected


def show(results: list[Result]) -> str:
    return "\n".join(" ".join(r) for r in sorted(results))


def test_shapes_are_labelled_and_commented():
    shapes = shapes_graph()
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        assert isinstance(shape, URIRef) and str(shape).startswith(SGSH), shape
        for annotation in ("label", "comment"):
            values = list(shapes.objects(shape, URIRef(rdfs + annotation)))
            assert any(isinstance(v, Literal) and v.language == "en" for v in values), (shape, annotation)


def test_every_constraint_has_a_message():
    shapes = shapes_graph()
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        holders = [shape, *shapes.objects(shape, SH.property), *shapes.objects(shape, SH.sparql)]
        for holder in holders:
            has_constraint = any((holder, p, None) in shapes for p in PARAMETERS if p != SH.sparql)
            if holder in set(shapes.objects(shape, SH.sparql)) or has_constraint:
                message = shapes.value(holder, SH.message)
                assert isinstance(message, Literal) and message.language == "en", (shape, holder)


def test_entity_kind_target_subtracts_every_class_it_maps_to():
    """sgsh:EntityKindShape maps id/<kind>/ to a class, then subtracts the entities typed with
    the classes of a list (MINUS, for speed): a class missing from the list would flag every
    entity of its kind."""
    shapes = shapes_graph()
    target = shapes.value(URIRef(SGSH + "EntityKindShape"), SH.target)
    text = str(shapes.value(target, SH.select))
    mapped = set(re.findall(r"(?:sg|oa):[A-Za-z]+", text[text.index("BIND (IF"):text.index("MINUS")]))
    listed = set(re.findall(r"(?:sg|oa):[A-Za-z]+", text[text.index("MINUS"):]))
    assert len(mapped) > 10 and mapped == listed


def test_there_are_examples():
    assert VALID and INVALID


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_example_conforms(path: Path):
    results, _, report = validate(path)
    assert not results, "unexpected results:\n" + show(results) + "\n" + report.serialize(format="turtle")


def test_base_conforms_alone():
    results, _, _ = validate(CASES / "base.ttl")
    assert not results, show(results)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_case_gives_its_expected_report(path: Path):
    expected = expected_results(path)
    assert expected, f"{path.name} has no '# expect:' line"
    results, _, _ = validate(path)
    missing = Counter(expected) - Counter(results)
    unexpected = Counter(results) - Counter(expected)
    assert not missing and not unexpected, (
        f"\nmissing:\n{show(list(missing.elements()))}\nunexpected:\n{show(list(unexpected.elements()))}")


def test_every_constraint_is_exercised_by_an_invalid_case():
    hit = {key for path in INVALID for key in validate(path)[1]}
    missing = sorted(declared_keys() - hit)
    assert not missing, "constraints no invalid case exercises:\n" + "\n".join(map(str, missing))


def test_curated_data_conforms(curated_store):
    from sarcoma_graph.validate import validate as validate_store

    report = validate_store(curated_store, SHAPES_DIR)
    violations = [f"{v.focus} {v.path} {v.constraint}: {v.message}" for v in report.violations]
    assert not violations, f"{len(violations)} violations:\n" + "\n".join(violations)
