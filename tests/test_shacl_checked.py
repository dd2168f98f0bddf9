"""Property shapes the store checks itself (``sarcoma_graph.shacl.checked``): the same results
as pyshacl for counts (limits 0, 1 and above), node kinds, classes (with subclasses) and lists
of IRIs, over targets of every kind; shapes with anything else stay on the Python path."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import SH, Graph, Literal, URIRef

from sarcoma_graph.shacl import checked

PREFIXES = ("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
DATA = PREFIXES + """
ex:Special rdfs:subClassOf ex:Thing .
ex:a a ex:Thing ; ex:p ex:x , ex:y ; ex:q "text" ; ex:r ex:Red .
ex:b a ex:Special ; ex:p ex:x ; ex:q ex:iri , _:blank ; ex:r ex:Green , ex:Red .
ex:c a ex:Thing ; ex:r "Red" ; ex:s ex:a , ex:b , ex:c .
ex:x a ex:Special .
ex:y a ex:Other .
ex:d ex:p ex:a .
"""
SHAPES = PREFIXES + """
ex:CountShape a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 ; sh:message "one p" ] ,
              [ sh:path ex:q ; sh:maxCount 0 ; sh:message "no q" ] ,
              [ sh:path ex:s ; sh:minCount 2 ; sh:maxCount 2 ; sh:message "two s" ] ,
              [ sh:path ex:p ; sh:class ex:Thing ; sh:message "p to a thing" ] ,
              [ sh:path ex:q ; sh:nodeKind sh:BlankNodeOrIRI ; sh:message "q not a literal" ] ,
              [ sh:path ex:r ; sh:in ( ex:Red ex:Blue ) ; sh:maxCount 1 ; sh:message "r colour" ] .
ex:SubjectsShape a sh:NodeShape ; sh:targetSubjectsOf ex:p ;
  sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ; sh:nodeKind sh:IRI ;
                sh:message "pointed at" ] .
ex:NodeShape a sh:NodeShape ; sh:targetNode ex:y , "lit" ;
  sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "p on a node" ] .
"""


def _keys(report: Graph) -> Counter:
    from sarcoma_graph.shacl.report import result_keys

    return Counter(result_keys(report))


def _fast(data: Graph, shapes: Graph, on_disk: Path | None = None) -> tuple[Graph, int]:
    from sarcoma_graph.plumbing.terms import to_ox
    from sarcoma_graph.shacl.engine import Data, Engine, results_graph
    from sarcoma_graph.shacl.model import ShapesReader
    from sarcoma_graph.store import open_store

    store = open_store(path=on_disk)
    store.add_quads(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in data)
    engine = Engine(ShapesReader(shapes), Data(store))
    results = engine.validate()
    graph = results_graph(results, shapes)
    assert isinstance(graph, Graph)
    return graph, sum(plan is not None for plan in engine._plans.values())


@pytest.mark.parametrize("on_disk", [False, True], ids=["memory", "disk"])
def test_store_checked_shapes_give_pyshacl_report(on_disk: bool, tmp_path: Path):
    """In memory the counts are index lookups per focus node; on disk, scans joined by hash
    (:func:`checked.at_least_query`): the same report either way."""
    data = Graph().parse(format="turtle", data=DATA)
    shapes = Graph().parse(format="turtle", data=SHAPES)
    _, reference, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                       advanced=True, allow_warnings=True)
    ours, store_checked = _fast(data, shapes, tmp_path / "store" if on_disk else None)
    assert store_checked == 8  # every property shape above went through the store's checks
    theirs = _keys(reference)
    assert sum(theirs.values()) >= 10, "the data must break each kind of constraint"
    assert _keys(ours) == theirs


EX = "http://example.org/"


@pytest.mark.parametrize(("params", "checkable"), [
    ({SH.minCount: [Literal(1)], SH.nodeKind: [SH.IRI]}, True),
    ({SH["in"]: [URIRef(EX + "list")]}, True),
    ({SH.datatype: [URIRef(EX + "t")]}, False),  # rdflib's typing: left to Python
    ({SH.minCount: [Literal("1")]}, False),  # not an integer
    ({SH.nodeKind: [URIRef(EX + "Unknown")]}, False),
])
def test_plan_takes_only_what_sparql_states_exactly(params: dict, checkable: bool):
    items = {URIRef(EX + "list"): [URIRef(EX + "a"), URIRef(EX + "b")]}
    plan = checked.plan(params, items.__getitem__, lambda c: [c])
    assert (plan is not None) == checkable


def test_a_list_with_a_literal_is_left_to_python():
    plan = checked.plan({SH["in"]: [URIRef(EX + "list")]},
                        lambda _: [URIRef(EX + "a"), Literal("1")], lambda c: [c])
    assert plan is None


def test_limits_of_zero_and_one_need_no_group_by():
    plan = checked.plan({SH.minCount: [Literal(1)], SH.maxCount: [Literal(1)]},
                        lambda _: [], lambda c: [c])
    assert plan is not None
    texts = checked.at_least_queries(plan, "{ VALUES ?this { <x:a> } }", "<x:p>")
    assert texts is not None and sorted(texts) == [0, 2]
    higher = checked.plan({SH.maxCount: [Literal(2)]}, lambda _: [], lambda c: [c])
    assert higher is not None and checked.at_least_queries(higher, "{}", "<x:p>") is None


def test_scans_replace_lookups_only_for_one_predicate():
    focus = "{ VALUES ?this { <x:a> } }"
    scanned = checked.at_least_query(2, focus, "<x:p>", by_scan=True)
    assert "GROUP BY ?this" in scanned and "?v , ?w" not in scanned
    assert "MINUS" in checked.at_least_query(0, focus, "<x:p>", by_scan=True)
    for path in ("^<x:p>", "<x:p>/<x:q>", "<x:p>*"):  # a path: one lookup per focus node
        assert checked.at_least_query(2, focus, path, by_scan=True) == \
            checked.at_least_query(2, focus, path)
    assert checked.at_least_query(1, "", "<x:p>", by_scan=True) == \
        checked.at_least_query(1, "", "<x:p>")  # no focus nodes to join: one scan already
    plan = checked.plan({SH.nodeKind: [SH.IRI]}, lambda _: [], lambda c: [c])
    assert plan is not None
    assert "{ SELECT ?this ?v WHERE { ?this <x:p> ?v FILTER" in \
        checked.value_query(plan, focus, "<x:p>", by_scan=True)
    assert checked.value_query(plan, focus, "^<x:p>", by_scan=True) == \
        checked.value_query(plan, focus, "^<x:p>")


# --- string datatypes, languages, unique languages, patterns, qualified value shapes -----------

STRING_DATA = PREFIXES + """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:Thing ; ex:label "alpha"@en , "alpha two"@en , "alpha"@fr ;
  ex:code "01"^^xsd:integer , "10"^^xsd:integer .
ex:b a ex:Thing ; ex:label "plain" , " spaced"@en-gb , "tail\\n"@en , "x\\u001C"@fr-ca , "y\\u00A0z"@de ;
  ex:code "2" , ex:iri , "1a"^^xsd:string .
ex:c a ex:Thing ; ex:label _:blank , ex:iri , "multi\\nline"@en ; ex:code _:other .
ex:d a ex:Thing .
ex:e ex:label "outside the targets"@xx , " x"@xx , "y"@xx ; ex:code "9" .
ex:f a ex:Thing ; ex:label "Fête"@en-us , "Feast"@en-us , "fine"@es .
"""
#: every property shape twice: focus nodes from a SPARQL target (checked over the whole
#: predicate, the failures kept for the focus nodes) and from a class (a SPARQL group)
STRING_PROPERTIES = """
  [ sh:path ex:label ; sh:datatype rdf:langString ; sh:message "tagged" ] ,
  [ sh:path ex:label ; sh:datatype xsd:string ; sh:message "string" ] ,
  [ sh:path ex:label ; sh:uniqueLang true ; sh:message "one per language" ] ,
  [ sh:path ex:label ; sh:uniqueLang false ; sh:message "ignored" ] ,
  [ sh:path ex:label ; sh:languageIn ( "en" "fr-CA" ) ; sh:message "en or fr-CA" ] ,
  [ sh:path ex:label ; sh:languageIn ( "*" ) ; sh:message "any language" ] ,
  [ sh:path ex:label ; sh:pattern "^\\\\S(.*\\\\S)?$" ; sh:flags "s" ; sh:message "trimmed" ] ,
  [ sh:path ex:code ; sh:pattern "^1[0-9]*$" ; sh:message "starts with 1" ] ,
  [ sh:path ex:code ; sh:minCount 1 ; sh:maxCount 1 ; sh:message "one code" ] ,
  [ sh:path ex:label ; sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ;
    sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ; sh:message "one English label" ] ,
  [ sh:path ex:label ; sh:qualifiedValueShape [ sh:datatype xsd:string ] ;
    sh:qualifiedMaxCount 0 ; sh:message "no plain label" ]
"""
STRING_SHAPES = PREFIXES + """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
ex:TargetShape a sh:NodeShape ;
  sh:target [ a sh:SPARQLTarget ;
              sh:select "SELECT ?this WHERE { ?this a <http://example.org/Thing> }" ] ;
  sh:property """ + STRING_PROPERTIES.replace('sh:message "', 'sh:message "T ') + """ .
ex:ClassShape a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property """ + STRING_PROPERTIES.replace('sh:message "', 'sh:message "C ') + " ."


def _both(data: str, shapes: Graph) -> tuple[list, list, list[str]]:
    """(fast results, pyshacl results, the fragments the store's checks ran with) on the data
    as the pipeline has it: parsed by the store, read back by pyshacl through rdflib (which
    normalises "01"^^xsd:integer to "1")."""
    from sarcoma_graph.plumbing.formats import RDF_SYNTAXES
    from sarcoma_graph.shacl.engine import Data, Engine
    from sarcoma_graph.shacl.model import ShapesReader
    from sarcoma_graph.store import open_store
    from sarcoma_graph.validate import _violations, validate_pyshacl

    store = open_store()
    store.load_bytes(data.encode(), RDF_SYNTAXES[0])
    fragments: list[str] = []

    class Spy(Engine):
        def _store_checked(self, shape, fragment, focus):  # type: ignore[no-untyped-def]
            hits = super()._store_checked(shape, fragment, focus)
            if hits is not None:
                fragments.append(fragment)
            return hits

    results = Spy(ShapesReader(shapes), Data(store)).validate()
    return _violations(results, shapes), validate_pyshacl(store, shapes).results, fragments


def test_string_checks_in_the_store_give_pyshacl_report():
    shapes = Graph().parse(format="turtle", data=STRING_SHAPES)
    ours, theirs, fragments = _both(STRING_DATA, shapes)
    properties = STRING_PROPERTIES.count("sh:path")
    assert fragments.count("") == properties, "every SPARQL-target shape: over the predicate"
    assert len(fragments) == 2 * properties, "and every class-target one: on its focus group"
    for prefix in ("T ", "C "):  # pyshacl finds each constraint broken, under each target
        assert {r.message for r in theirs if r.message.startswith(prefix)} == {prefix + m for m in (
            "tagged", "string", "one per language", "en or fr-CA", "any language", "trimmed",
            "starts with 1", "one code", "one English label", "no plain label")}
    assert not any(r.focus == "http://example.org/e" for r in theirs)
    assert ours == theirs


@pytest.mark.parametrize("pattern", [
    r"^\S(.*\S)?$", r"\S", r"^[A-Z]{2}$", r"a$|b", r"[%--]x", r"[^]a]+", r"a.b", r"x*?y",
    r"[\-\]]", r"^\s*$", r"a{2,}", r"#&~ -", r"^(?:ab|c)+d?$", r"[\t\n]", r"\.\(\)\[\]\{\}\|",
    r"^https://w3id\.org/sarcoma-graph/id/(gene|agent)/[A-Za-z0-9][A-Za-z0-9._-]*$",
])
def test_rewritten_pattern_matches_what_python_matches(pattern: str):
    import re
    import warnings

    from sarcoma_graph.shacl.regex import sparql_string, to_rust

    texts = ["", "a", "ab", "a\n", "a\nb", " a", "a ", "\x1ca", "a\x1c", "\u3000", "\xa0x", "AB",
             "ABC", "AB\n", "a\x0bb", "axb", "-", "]", "%", "xy", "xxy", "#&~ -", "abcd", "cc",
             "\t", ".()[]{}|", "\n", "aa", "aaa", "b", "https://w3id.org/sarcoma-graph/id/gene/X1",
             "https://w3id.org/sarcoma-graph/id/gene/X1\n", "https://w3id.org/sarcoma-graph/id/gene/-"]
    rust = to_rust(pattern)
    assert rust is not None
    store = ox.Store()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "[%--]": a set difference one day
        python = re.compile(pattern)
    for text in texts:
        query = f"SELECT (REGEX({sparql_string(text)}, {sparql_string(rust)}) AS ?r) {{}}"
        (verdict,) = next(iter(store.query(query)))
        assert (verdict.value == "true") == bool(python.search(text)), repr(text)


@pytest.mark.parametrize("pattern", [
    r"\d", r"\w", r"\bx", r"(?=a)", r"(?i)a", r"a*+", r"[\s]", r"[a[b]]", r"a$b", r"(a$)",
    "{", r"a{,2}", r"\1", r"\x41", "a)", "(a",
])
def test_pattern_outside_the_plain_subset_stays_in_python(pattern: str):
    from sarcoma_graph.shacl.regex import to_rust

    assert to_rust(pattern) is None


def test_python_white_space_is_listed_exactly():
    import sys

    from sarcoma_graph.shacl.regex import PYTHON_SPACE

    every = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert every == PYTHON_SPACE


@pytest.mark.parametrize(("params", "checkable"), [
    ({SH.datatype: [URIRef("http://www.w3.org/2001/XMLSchema#integer")]}, False),
    ({SH.pattern: [Literal("^a")]}, False),  # no store to run the rewritten pattern
    ({SH.languageIn: [URIRef(EX + "list")]}, True),
    ({SH.uniqueLang: [Literal(True)]}, True),
])
def test_plan_of_the_string_constraints(params: dict, checkable: bool):
    items = {URIRef(EX + "list"): [Literal("en"), Literal("fr-CA")]}
    assert (checked.plan(params, items.__getitem__, lambda c: [c]) is not None) == checkable


def test_pattern_with_flags_pyshacl_reads_stays_in_python():
    for flags, checkable in (("i", False), ("m", False), ("s", True), ("x", True)):
        context = checked.Context(Literal(flags), compiles=lambda _: True)
        plan = checked.plan({SH.pattern: [Literal("^a")]}, lambda _: [], lambda c: [c], context)
        assert (plan is not None) == checkable, flags
