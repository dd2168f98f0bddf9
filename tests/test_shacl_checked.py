"""Property shapes the store checks itself (``sarcoma_graph.shacl.checked``): the same results
as pyshacl for counts (limits 0, 1 and above), node kinds, classes (with subclasses) and lists
of IRIs, over targets of every kind; shapes with anything else stay on the Python path."""

from __future__ import annotations

from collections import Counter

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


def _fast(data: Graph, shapes: Graph) -> tuple[Graph, int]:
    from sarcoma_graph.plumbing.terms import to_ox
    from sarcoma_graph.shacl.engine import Data, Engine, results_graph
    from sarcoma_graph.shacl.model import ShapesReader
    from sarcoma_graph.store import open_store

    store = open_store()
    store.add_quads(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in data)
    engine = Engine(ShapesReader(shapes), Data(store))
    results = engine.validate()
    graph = results_graph(results, shapes)
    assert isinstance(graph, Graph)
    return graph, sum(plan is not None for plan in engine._plans.values())


def test_store_checked_shapes_give_pyshacl_report():
    data = Graph().parse(format="turtle", data=DATA)
    shapes = Graph().parse(format="turtle", data=SHAPES)
    _, reference, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                       advanced=True, allow_warnings=True)
    ours, store_checked = _fast(data, shapes)
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
