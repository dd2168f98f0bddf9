"""Self-description: the SPARQL service description, VoID, the named queries as SPARQL
examples and as REST routes, and the OpenAPI document."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, Namespace, URIRef

from tests.serve_fixtures import (
    GRAPH,
    ID,
    SERVICE_GRAPH,
    SG,
    count_triples,
    data_entities,
    data_triples,
    serving,
)

pytest_plugins = ["tests.serve_fixtures"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
RDFLIB_FORMAT = {"text/turtle": "turtle", "application/rdf+xml": "xml",
                 "application/ld+json": "json-ld", "application/n-triples": "nt"}


def fetch_graph(client, path, accept="text/turtle", **params) -> rdflib.Graph:
    response = client.get(path, headers={"accept": accept}, params=params)
    assert response.status_code == 200, response.text
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type == accept
    return rdflib.Graph().parse(data=response.content, format=RDFLIB_FORMAT[media_type])


def integer(graph, subject, predicate) -> int:
    return int(graph.value(subject, predicate))


@pytest.mark.parametrize("accept", list(RDFLIB_FORMAT))
def test_service_description_in_every_rdf_syntax(client, server, accept):
    graph = fetch_graph(client, "/sparql", accept)
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert graph.value(service, SD.endpoint) == URIRef(server.sparql)
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert set(graph.objects(service, SD.feature)) == {SD.UnionDefaultGraph}
    formats = set(graph.objects(service, SD.resultFormat))
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
            FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["JSON-LD"],
            FORMATS.RDF_XML, FORMATS["N-Triples"]} <= formats
    dataset = graph.value(service, SD.defaultDataset)
    default = graph.value(dataset, SD.defaultGraph)
    described = count_triples(client, SERVICE_GRAPH)  # VoID, examples, prefixes
    assert described > 0
    assert integer(graph, default, VOID.triples) == data_triples() + described  # what queries see
    names = {}
    for named in graph.objects(dataset, SD.namedGraph):
        content = graph.value(named, SD.graph)
        names[str(graph.value(named, SD.name))] = integer(graph, content, VOID.triples)
    assert names == {GRAPH + "ontology": 8, GRAPH + "curated": 416, GRAPH + "mappings": 28,
                     SERVICE_GRAPH: described}


def test_service_description_default_syntax_is_turtle(client):
    response = client.get("/sparql")
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.headers["vary"].startswith("Accept")


def test_service_description_follows_base_url_and_options(serve_project):
    with serving(serve_project, "--base-url", "https://example.org/sg/", "--service-allow",
                 "http://127.0.0.1:9/sparql", "--enable-updates",
                 env={"SARCOMA_GRAPH_UPDATE_TOKEN": "t"}) as server:

        response = httpx.get(server.sparql, headers={"accept": "text/turtle"})
        graph = rdflib.Graph().parse(data=response.content, format="turtle")
        service = graph.value(predicate=RDF.type, object=SD.Service)
        assert graph.value(service, SD.endpoint) == URIRef("https://example.org/sg/sparql")
        assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query,
                                                                    SD.SPARQL11Update}
        assert SD.BasicFederatedQuery in set(graph.objects(service, SD.feature))
        void = httpx.get(server.url + "/.well-known/void", headers={"accept": "text/turtle"})
        void_graph = rdflib.Graph().parse(data=void.content, format="turtle")
        assert URIRef("https://example.org/sg/sparql") in set(
            void_graph.objects(None, VOID.sparqlEndpoint))


def test_void_says_which_release_it_serves_and_where_each_graph_downloads(client, server):
    """Review r15 F3: the endpoint's VoID had no version and no dump, and the release's version
    IRI redirected to a description that never named it. Now it gives the version, the dataset
    it is a version of (which has the release's version IRI as a version), and a dump per graph
    that gives the graph with as many triples as counted."""
    from sarcoma_graph import __version__

    graph = fetch_graph(client, "/.well-known/void")
    dataset = URIRef("https://w3id.org/sarcoma-graph/void/dataset")
    release = URIRef(f"https://w3id.org/sarcoma-graph/releases/{__version__}/dataset")
    assert str(graph.value(dataset, DCAT.version)) == __version__
    abstract = graph.value(dataset, DCTERMS.isVersionOf)
    assert abstract == URIRef("https://w3id.org/sarcoma-graph/dataset")
    assert (abstract, DCTERMS.hasVersion, release) in graph
    redirect = client.get(f"/releases/{__version__}/dataset", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == "/.well-known/void"
    subsets = list(graph.objects(dataset, VOID.subset))
    assert subsets
    for subset in subsets:
        dump = str(graph.value(subset, VOID.dataDump))
        assert dump.startswith(server.url + "/rdf-graph-store?graph="), dump
        answer = httpx.get(dump, headers={"accept": "application/n-triples"}, timeout=30)
        assert answer.status_code == 200, answer.text
        triples = rdflib.Graph().parse(data=answer.content, format="nt")
        assert len(triples) == integer(graph, subset, VOID.triples), dump


def test_the_void_page_shows_the_release_and_downloads_each_graph_as_a_named_file(client):
    """Review r16 browser F4: the VoID page showed neither the version nor the dumps its RDF
    lists, and a dump opened in a browser was saved as ``rdf-graph-store.rdf``. The page gives
    the version and, per graph, its dump (the RDF's ``void:dataDump``) in each syntax the Graph
    Store writes; each answer is a file named after the graph, the release and the syntax."""
    import html
    import re

    from sarcoma_graph import __version__
    from sarcoma_graph.plumbing.formats import RDF_SYNTAXES

    graph = fetch_graph(client, "/.well-known/void")
    dumps = {str(o) for o in graph.objects(None, VOID.dataDump)}
    page = client.get("/.well-known/void", headers={"accept": "text/html"}).text
    assert re.search(r"<th>Version</th><td>[^<]*" + re.escape(__version__), page)
    download = page.split('<section id="download">', 1)[1].split("</section>", 1)[0]
    links = [html.unescape(x) for x in re.findall(r'href="([^"]+)"', download)]
    for syntax in RDF_SYNTAXES:
        extension = syntax.extension.lstrip(".")
        assert {u for u in links if u.endswith("&format=" + extension)} == \
            {d + "&format=" + extension for d in dumps}, syntax.name
        answer = httpx.get(f"{sorted(dumps)[0]}&format={extension}", timeout=30)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(
            syntax.media_type)
        name = sorted(dumps)[0].rsplit("%2F", 1)[1]
        assert answer.headers["content-disposition"] == \
            f'attachment; filename="sarcoma-graph-{name}-{__version__}.{extension}"'
    browser = httpx.get(sorted(dumps)[0], timeout=30, headers={
        "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.headers["content-disposition"].startswith("attachment; filename=")


def test_the_void_page_gives_the_release_date_when_the_changelog_has_it():
    """Review r16 browser F4: the release's date, as its changelog entry gives it."""
    from sarcoma_graph.describe import Release
    from sarcoma_graph.serve.pages.void import void_page
    from sarcoma_graph.serve.routes.void import mint
    from sarcoma_graph.serve.statistics import VoidStats

    stats = VoidStats(3, 1, (), (), ((GRAPH + "curated", 3),))
    page = void_page(stats, mint, "http://x/sparql", "https://creativecommons.org/licenses/by/4.0/",
                     [], "", "", {}, release=Release("9.9.9", "2031-02-03", ""),
                     dump=lambda g: "http://x/rdf-graph-store?graph=" + g)
    assert "<th>Version</th><td>9.9.9, released 2031-02-03</td>" in page
    assert 'href="http://x/rdf-graph-store?graph=' + GRAPH + 'curated&amp;format=ttl"' in page


@pytest.mark.parametrize("accept", list(RDFLIB_FORMAT))
def test_void_describes_the_dataset_with_iri_partitions(client, server, accept):
    graph = fetch_graph(client, "/.well-known/void", accept)
    dataset = URIRef("https://w3id.org/sarcoma-graph/void/dataset")
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(server.sparql)
    assert integer(graph, dataset, VOID.triples) == data_triples()  # VoID never counts itself
    # entities are the subjects in the void:uriSpace the description states
    assert graph.value(dataset, VOID.uriSpace) == rdflib.Literal(ID)
    assert integer(graph, dataset, VOID.entities) == data_entities() > 0
    assert integer(graph, dataset, VOID.classes) == 5
    assert graph.value(dataset, DCTERMS.license) is not None
    vocabularies = set(graph.objects(dataset, VOID.vocabulary))
    assert URIRef(SG) in vocabularies
    classes = {graph.value(p, VOID["class"]): integer(graph, p, VOID.entities)
               for p in graph.objects(dataset, VOID.classPartition)}
    assert classes[URIRef(SG + "Statement")] == 60 and classes[URIRef(SG + "Histotype")] == 8
    properties = {graph.value(p, VOID.property): integer(graph, p, VOID.triples)
                  for p in graph.objects(dataset, VOID.propertyPartition)}
    assert properties[URIRef(SG + "agent")] == 60
    subsets = {str(graph.value(s, SD.name)): integer(graph, s, VOID.triples)
               for s in graph.objects(dataset, VOID.subset)}
    assert subsets[GRAPH + "curated"] == 416 and SERVICE_GRAPH not in subsets
    partitions = [*graph.objects(dataset, VOID.classPartition),
                  *graph.objects(dataset, VOID.propertyPartition),
                  *graph.objects(dataset, VOID.subset)]
    assert all(isinstance(p, URIRef) and str(p).startswith("https://w3id.org/sarcoma-graph/void/")
               for p in partitions)
    assert len(set(partitions)) == len(partitions)


def test_sparql_examples_describe_every_named_query(client, server):
    graph = fetch_graph(client, "/.well-known/sparql-examples")
    iri = URIRef("https://w3id.org/sarcoma-graph/queries/agents-for-histotype")
    assert {SH.SPARQLExecutable, SH.SPARQLSelectExecutable} <= set(graph.objects(iri, RDF.type))
    assert str(graph.value(iri, rdflib.RDFS.label)) == "Agents studied in a histotype"
    assert "Agents with a statement" in str(graph.value(iri, rdflib.RDFS.comment))
    assert "SELECT ?histotype" in str(graph.value(iri, SH.select))
    assert graph.value(iri, SCHEMA.target) == URIRef(server.sparql)
    assert {str(k) for k in graph.objects(iri, SCHEMA.keywords)} == {"agent", "histotype"}
    construct = URIRef("https://w3id.org/sarcoma-graph/queries/histotype-graph")
    assert SH.SPARQLConstructExecutable in set(graph.objects(construct, RDF.type))
    assert graph.value(construct, SH.construct) is not None
    declared = graph.value(iri, SH.prefixes)  # SIB's convention: the prefixes the text may use
    prefixes = {str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace))
                for d in graph.objects(declared, SH.declare)}
    assert prefixes["sg"] == SG and prefixes["rdfs"] == str(rdflib.RDFS)
    ask = URIRef("https://w3id.org/sarcoma-graph/queries/has-histotype")
    assert graph.value(ask, SH.ask) is not None
    for text in graph.objects(None, SH.select):  # every example runs on the endpoint
        response = client.post("/sparql", content=str(text),
                               headers={"content-type": "application/sparql-query"})
        assert response.status_code == 200, response.text


def test_queries_list_is_json(client, server):
    items = client.get("/queries").json()
    assert [i["name"] for i in items] == sorted(i["name"] for i in items)
    entry = next(i for i in items if i["name"] == "agents-for-histotype")
    assert entry["url"] == server.url + "/queries/agents-for-histotype"
    assert entry["kind"] == "select" and entry["keywords"] == ["agent", "histotype"]
    assert entry["parameters"][0]["name"] == "histotype" and entry["parameters"][0]["kind"] == "iri"


def test_named_queries_run_as_rest_with_parameters_and_negotiation(client):
    default = client.get("/queries/agents-for-histotype").json()["results"]["bindings"]
    assert {b["histotype"]["value"] for b in default} == {ID + "histotype/gist"}
    chordoma = client.get("/queries/agents-for-histotype",
                          params={"histotype": ID + "histotype/chordoma"},
                          headers={"accept": "text/csv"})
    assert chordoma.headers["content-type"].startswith("text/csv")
    assert "chordoma" in chordoma.text and "gist" not in chordoma.text
    asked = client.get("/queries/has-histotype", params={"label": "no such thing"})
    assert asked.json()["boolean"] is False
    graph = client.get("/queries/histotype-graph", headers={"accept": "application/n-triples"})
    assert len(list(ox.parse(graph.content, format=ox.RdfFormat.N_TRIPLES))) == 16


@pytest.mark.parametrize(("path", "params", "status", "message"), [
    ("/queries/nope", {}, 404, "no query named 'nope'"),
    ("/queries/agents-for-histotype", {"histotype": "not an iri"}, 400, "absolute IRI"),
    ("/queries/agents-for-histotype", {"colour": "red"}, 400, "no parameter colour"),
    ("/queries/entity", [("entity", ID + "x"), ("entity", ID + "y")], 400, "more than once"),
])
def test_named_query_errors(client, path, params, status, message):
    response = client.get(path, params=params)
    assert response.status_code == status and message in response.text


def test_a_named_query_answer_names_the_parameters_whose_iri_names_nothing(client):
    """Review r16 browser F13: the editor page's form reads this header to say "Nothing in
    this graph is called …", as the query's own page does."""
    typo = client.get("/queries/agents-for-histotype", params={"histotype": "sgh:chordomma"})
    assert typo.status_code == 200 and typo.headers["x-absent-values"] == "histotype"
    known = client.get("/queries/agents-for-histotype", params={"histotype": "sgh:chordoma"})
    assert known.status_code == 200 and "x-absent-values" not in known.headers
    assert "x-absent-values" not in client.get("/queries/agents-for-histotype").headers
    refused = client.get("/queries/agents-for-histotype", params={"histotype": "KIT"})
    assert "an IRI or a prefixed name such as sggene:KIT" in refused.text


def test_openapi_documents_the_rest_query_routes(client):
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/queries/agents-for-histotype"]["get"]
    assert operation["summary"] == "Agents studied in a histotype"
    assert operation["parameters"][0]["name"] == "histotype"
    assert "/sparql" in document["paths"] and "/rdf-graph-store" in document["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_what_changed_between_releases_can_be_asked_of_the_served_graph(tmp_path):
    """Review r16 questions F3: what changed from one release to the next was in the
    changelog only. The served description (VoID and the queryable self-description graph)
    chains the releases up to the one served, each with its date and notes."""
    from sarcoma_graph import __version__
    from tests.serve_fixtures import make_project

    project = make_project(tmp_path / "project")
    (project / "CHANGELOG.md").write_text(
        "# Changelog\n\n## [Unreleased]\n\n## [99.0.0] - 2999-01-01\n\n- Not out yet.\n\n"
        f"## [{__version__}] - 2026-11-29\n\n### Changed\n- Orphanet IRIs are ORDO IRIs.\n\n"
        "## [0.0.1] - 2026-11-01\n\n- First.\n", encoding="utf-8")
    ask = f"""PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX adms: <http://www.w3.org/ns/adms#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?version ?issued ?notes ?previous WHERE {{ GRAPH <{SERVICE_GRAPH}> {{
          ?release dcat:version ?version ; dcterms:issued ?issued ; adms:versionNotes ?notes .
          OPTIONAL {{ ?release dcat:previousVersion/dcat:version ?previous }} }} }}"""
    with serving(project) as server:
        answer = httpx.get(server.sparql, params={"query": ask},
                           headers={"accept": "application/sparql-results+json"}).json()
        void = httpx.get(server.url + "/.well-known/void", headers={"accept": "text/turtle"})
    rows = {b["version"]["value"]: b for b in answer["results"]["bindings"]}
    assert set(rows) == {__version__, "0.0.1"}  # not the one later than the server's
    assert "Orphanet IRIs are ORDO IRIs." in rows[__version__]["notes"]["value"]
    assert rows[__version__]["previous"]["value"] == "0.0.1"
    assert rows["0.0.1"]["issued"]["value"] == "2026-11-01"
    assert "previous" not in rows["0.0.1"]
    graph = rdflib.Graph().parse(data=void.content, format="turtle")
    assert URIRef("http://www.w3.org/ns/adms#versionNotes") in set(graph.predicates())
