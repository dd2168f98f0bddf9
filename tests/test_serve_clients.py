"""Real SPARQL clients work unchanged (SPARQLWrapper, rdflib's SPARQLStore), and every answer
parses in the syntax its Content-Type claims (JSON, XML, CSV, TSV; Turtle, N-Triples,
JSON-LD, RDF/XML, N-Quads, TriG)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tests.serve_fixtures import GRAPH, ID, SG

pytest_plugins = ["tests.serve_fixtures"]

SELECT = f"""PREFIX sg: <{SG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?h ?label WHERE {{ ?h a sg:Histotype ; rdfs:label ?label }} ORDER BY ?label"""
CONSTRUCT = f"""PREFIX sg: <{SG}> CONSTRUCT {{ ?h a sg:Histotype ; ?p ?o }}
WHERE {{ ?h a sg:Histotype ; ?p ?o }}"""
SRX = "{http://www.w3.org/2005/sparql-results#}"


def test_sparqlwrapper_select_in_every_results_format(server):
    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery(SELECT)
    wrapper.setReturnFormat(JSON)
    rows = wrapper.query().convert()["results"]["bindings"]
    assert len(rows) == 8 and rows[0]["label"]["value"] == "angiosarcoma"
    wrapper.setReturnFormat(XML)
    document = wrapper.query().convert()  # a DOM document
    assert len(document.getElementsByTagName("result")) == 8
    wrapper.setReturnFormat(CSV)
    table = list(csv.reader(io.StringIO(wrapper.query().convert().decode())))
    assert table[0] == ["h", "label"] and len(table) == 9
    wrapper.setReturnFormat(TSV)
    lines = wrapper.query().convert().decode().splitlines()
    assert lines[0] == "?h\t?label" and lines[1].endswith('"angiosarcoma"')


def test_sparqlwrapper_post_ask_and_construct(server):
    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setMethod("POST")
    wrapper.setQuery("ASK { ?s ?p ?o }")
    wrapper.setReturnFormat(JSON)
    assert wrapper.query().convert()["boolean"] is True
    wrapper.setQuery(CONSTRUCT)
    wrapper.setReturnFormat(XML)  # RDF/XML for a graph
    graph = wrapper.query().convert()
    assert isinstance(graph, rdflib.Graph) and len(graph) == 8 * 3
    wrapper.addDefaultGraph(GRAPH + "mappings")
    wrapper.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    wrapper.setReturnFormat(JSON)
    assert wrapper.query().convert()["results"]["bindings"][0]["n"]["value"] == "28"


@pytest.mark.parametrize("method", ["GET", "POSTDIRECTLY"])
@pytest.mark.parametrize("syntax", [RDFXML, JSONLD, N3, TURTLE])
def test_sparqlwrapper_construct_in_every_rdf_syntax_by_its_default_method(server, method, syntax):
    """Review r13 I1: SPARQLWrapper's default GET (and its direct POST) adds format= and output=
    values of its own (rdf+xml, json-ld twice with a comma list, n3): the endpoint answered 400
    for three of the four RDF syntaxes."""
    wrapper = SPARQLWrapper(server.sparql)
    if method == "POSTDIRECTLY":
        wrapper.setMethod("POST")
        wrapper.setRequestMethod(method)
    wrapper.setQuery(CONSTRUCT)
    wrapper.setReturnFormat(syntax)
    answer = wrapper.query().convert()
    graph = answer if isinstance(answer, rdflib.Graph) else rdflib.Graph().parse(
        data=answer, format="json-ld" if syntax == JSONLD else "turtle")
    assert len(graph) == 8 * 3


def test_sparqlwrapper_reports_a_syntax_error(server):
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed, match="line 1, column"):
        wrapper.query()


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_select_ask_construct(server, method):
    store = SPARQLStore(server.sparql, method=method, returnFormat="json")
    graph = rdflib.Graph(store)
    rows = list(graph.query(SELECT))
    assert [str(r.label) for r in rows][:2] == ["angiosarcoma", "chordoma"]
    assert graph.query("ASK { ?s a <https://w3id.org/sarcoma-graph/ontology/Gene> }").askAnswer
    constructed = graph.query(CONSTRUCT).graph
    assert (rdflib.URIRef(ID + "histotype/gist"), rdflib.RDF.type,
            rdflib.URIRef(SG + "Histotype")) in constructed
    triples = list(graph.triples((rdflib.URIRef(ID + "agent/imatinib"), None, None)))
    assert len(triples) == 3  # type, label, mapping (the union of the named graphs)


def test_rdflib_sparqlstore_xml_results(server):
    store = SPARQLStore(server.sparql, returnFormat="xml")
    rows = list(rdflib.Graph(store).query(SELECT))
    assert len(rows) == 8


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
])
def test_select_answers_parse_in_the_claimed_format(client, accept, expected):
    response = client.get("/sparql", params={"query": SELECT}, headers={"accept": accept})
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type == expected and response.headers["vary"].startswith("Accept")
    text = response.content.decode("utf-8")
    if media_type.endswith("json"):
        labels = [b["label"]["value"] for b in json.loads(text)["results"]["bindings"]]
    elif media_type.endswith("xml"):
        root = ET.fromstring(response.content)
        labels = [e.text for e in root.iter(f"{SRX}literal")]
    elif media_type == "text/csv":
        labels = [row[1] for row in list(csv.reader(io.StringIO(text)))[1:]]
    else:
        labels = [line.split("\t")[1].strip('"') for line in text.splitlines()[1:]]
    assert labels[0] == "angiosarcoma" and len(labels) == 8


def test_ask_answers_in_json_and_xml(client):
    as_json = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert as_json.json() == {"head": {}, "boolean": True}
    as_xml = client.get("/sparql", params={"query": "ASK { ?s <http://nope> ?o }"},
                        headers={"accept": "application/sparql-results+xml"})
    assert ET.fromstring(as_xml.content).find(f"{SRX}boolean").text == "false"


@pytest.mark.parametrize(("accept", "expected", "syntax"), [
    (None, "text/turtle", ox.RdfFormat.TURTLE),
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS),
    ("application/trig", "application/trig", ox.RdfFormat.TRIG),
    ("text/html, application/rdf+xml;q=0.5, */*;q=0.1", "application/rdf+xml",
     ox.RdfFormat.RDF_XML),
])
def test_construct_answers_parse_in_the_claimed_format(client, accept, expected, syntax):
    headers = {"accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert response.headers["content-type"].split(";")[0] == expected
    triples = list(ox.parse(response.content, format=syntax))
    assert len(triples) == 24
    parsed = rdflib.Graph().parse(data=response.content, format={
        ox.RdfFormat.TURTLE: "turtle", ox.RdfFormat.N_TRIPLES: "nt",
        ox.RdfFormat.JSON_LD: "json-ld", ox.RdfFormat.RDF_XML: "xml",
        ox.RdfFormat.N_QUADS: "nquads", ox.RdfFormat.TRIG: "trig"}[syntax])
    assert len(parsed) == 24


def test_describe_is_rdf(client):
    response = client.get("/sparql", params={"query": f"DESCRIBE <{ID}histotype/gist>"},
                          headers={"accept": "application/n-triples"})
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    assert {t.subject.value for t in triples} == {ID + "histotype/gist"}
