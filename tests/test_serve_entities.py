"""Dereferenceable IRIs: /id/... and /ontology/... answer HTML to browsers and RDF to RDF
clients at the same URL (Vary: Accept), 404 for unknown entities; HTML is escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from tests.serve_fixtures import GRAPH, ID, RDFS_LABEL, SG, dataset_quads, make_project, serving

pytest_plugins = ["tests.serve_fixtures"]

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
EVIL = '<script>alert("x")</script> & "quotes"'


class Links(HTMLParser):
    """Collects hrefs and text; fails on nothing (HTMLParser is lenient) so we check tags."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href", ""))
        if tag == "script" and not (dict(attrs).get("src") or "").startswith("/static/"):
            self.scripts += 1  # a script that is not one of the server's own files

    def handle_data(self, data):
        self.text.append(data)


def parse_html(text: str) -> Links:
    links = Links()
    links.feed(text)
    return links


def test_browser_gets_an_html_page_with_links(client):
    response = client.get("/id/histotype/chordoma", headers={"accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["vary"].startswith("Accept")
    page = parse_html(response.text)
    assert "chordoma" in "".join(page.text)
    assert "/ontology/Histotype" in page.hrefs  # its type, on this server
    # the external mapping: to the page a person reads (NCIt's browser), not the OWL PURL
    assert "https://evsexplore.semantics.cancer.gov/evsexplore/concept/ncit/C1000" in page.hrefs
    assert any(h.startswith("/id/statement/") for h in page.hrefs)  # incoming links


@pytest.mark.parametrize(("accept", "syntax"), [
    (None, ox.RdfFormat.TURTLE),
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("text/n3", ox.RdfFormat.TURTLE),  # review r13 I9: 406; Turtle is N3
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_rdf_clients_get_the_entity_triples_and_incoming_links(client, accept, syntax):
    headers = {"accept": accept} if accept else {}
    response = client.get("/id/agent/imatinib", headers=headers)
    assert response.status_code == 200 and response.headers["vary"].startswith("Accept")
    triples = list(ox.parse(response.content, format=syntax))
    iri = ox.NamedNode(ID + "agent/imatinib")
    outgoing = [t for t in triples if t.subject == iri]
    incoming = [t for t in triples if t.object == iri]
    assert len(outgoing) == 3 and len(incoming) == 6  # statements s000, s010 … s050


def test_ontology_terms_dereference(client):
    response = client.get("/ontology/Histotype", headers={"accept": "application/n-triples"})
    triples = [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
    assert ox.Triple(ox.NamedNode(SG + "Histotype"), ox.NamedNode(RDFS_LABEL),
                     ox.Literal("Histotype", language="en")) in triples


@pytest.mark.parametrize("path", ["/id/histotype/unknown", "/ontology/Nothing", "/id/a%3Cb"])
def test_unknown_entities_are_404(client, path):
    for accept in (BROWSER, "text/turtle"):
        response = client.get(path, headers={"accept": accept})
        assert response.status_code == 404 and "no entity" in response.text


def test_not_acceptable_entity_is_406(client):
    response = client.get("/id/histotype/chordoma", headers={"accept": "image/png"})
    assert response.status_code == 406 and "text/html" in response.text


def test_html_output_is_escaped(tmp_path):
    evil = ox.Quad(ox.NamedNode(ID + "histotype/chordoma"), ox.NamedNode(RDFS_LABEL),
                   ox.Literal(EVIL), ox.NamedNode(GRAPH + "curated"))
    link = ox.Quad(ox.NamedNode(ID + "histotype/chordoma"),
                   ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
                   ox.NamedNode("javascript:alert(1)"), ox.NamedNode(GRAPH + "curated"))
    project = make_project(tmp_path, [*dataset_quads(), evil, link])
    with serving(project) as server:
        response = httpx.get(server.url + "/id/histotype/chordoma", headers={"accept": BROWSER})
        page = parse_html(response.text)
        assert page.scripts == 0 and "<script>" not in response.text
        assert "&lt;script&gt;" in response.text
        assert not any(h.startswith("javascript:") for h in page.hrefs)
        assert EVIL in "".join(page.text)  # shown as text, intact
        index = httpx.get(server.url + "/")  # the editor page embeds query texts safely
        assert index.status_code == 200


def test_the_ontology_iri_gives_the_whole_ontology_to_rdf_clients(client):
    """Protégé and OWL tools load the ontology from its IRI: they need every axiom, not the
    few triples about the ontology header it gave."""
    response = client.get("/ontology", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    classes = set(graph.subjects(rdflib.RDF.type, rdflib.OWL.Class))
    assert {rdflib.URIRef(SG + c) for c in ("Histotype", "Gene", "Agent", "Statement")} <= classes


def test_the_ontology_namespace_iri_answers_as_the_ontology_does(client):
    """Review r15 F2: ``/ontology/``, the ``sg:`` namespace pasted from every ``PREFIX sg:``,
    was a 404 page for a browser and one VoID triple for an RDF client. It is a 303 to
    ``/ontology`` (the page, or the whole ontology), whatever the client accepts."""
    for accept in (BROWSER, "text/turtle", "application/rdf+xml"):
        answer = client.get("/ontology/", headers={"accept": accept}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/ontology", accept
    french = client.get("/ontology/?lang=fr", headers={"accept": BROWSER}, follow_redirects=False)
    assert french.headers["location"] == "/ontology?lang=fr"
    turtle = client.get("/ontology/", headers={"accept": "text/turtle"}, follow_redirects=True)
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert rdflib.URIRef(SG + "Histotype") in set(graph.subjects(rdflib.RDF.type, rdflib.OWL.Class))
    page = client.get("/ontology/", headers={"accept": BROWSER}, follow_redirects=True)
    same = client.get("/ontology", headers={"accept": BROWSER})  # (a 404 here: no owl:Ontology)
    assert (page.status_code, page.text) == (same.status_code, same.text)
    assert "no entity https://w3id.org/sarcoma-graph/ontology/ " not in page.text


def test_graph_void_and_version_iris_resolve_on_the_server(client):
    """Review r13 I7: the IRIs of the named graphs, of the VoID partitions and the ontology's
    version IRI answered 404 on the server that serves them."""
    from urllib.parse import unquote

    from sarcoma_graph import __version__

    graph = client.get("/graph/curated", follow_redirects=False)
    assert graph.status_code == 303
    assert unquote(graph.headers["location"]) == f"/rdf-graph-store?graph={GRAPH}curated"
    triples = client.get(graph.headers["location"], headers={"accept": "application/n-triples"})
    assert triples.status_code == 200 and triples.content.count(b"\n") > 10
    partition = client.get("/void/dataset", follow_redirects=False)
    assert partition.status_code == 303
    assert partition.headers["location"] == "/.well-known/void#void/dataset"
    version = client.get(f"/releases/{__version__}/ontology", follow_redirects=False)
    assert version.status_code == 303 and version.headers["location"] == "/ontology"
    other = client.get("/releases/0.0.1/ontology", follow_redirects=False)
    assert other.status_code == 404 and f"serves version {__version__}" in other.text


def test_dataset_iris_resolve_to_the_void_description(client):
    """Review r13 I5: the single-graph dumps are the ontology ``…/dataset``, version
    ``…/releases/<v>/dataset``; both resolve where the dataset is described."""
    from sarcoma_graph import __version__

    for path in ("/dataset", f"/releases/{__version__}/dataset"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/.well-known/void", path
    other = client.get("/releases/0.0.1/dataset", follow_redirects=False)
    assert other.status_code == 404 and "of the dataset" in other.text


@pytest.fixture(scope="module")
def shapes_client(tmp_path_factory):
    """A server over a project holding the real shapes."""
    import shutil
    from pathlib import Path

    project = make_project(tmp_path_factory.mktemp("shapes-project"))
    shutil.rmtree(project / "shapes")
    shutil.copytree(Path(__file__).resolve().parents[1] / "shapes", project / "shapes")
    with serving(project, "--no-service-graph") as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def test_shape_iris_resolve_to_their_description(shapes_client):
    """Validation reports cite shapes by IRI (review r13 I11); those IRIs resolve on the
    server (I7: /shapes/… was 404): RDF with the shape's blank nodes (its sh:in list),
    a page with links to the shapes it names, the index, and 404 for an unknown shape."""
    client = shapes_client
    base = "https://w3id.org/sarcoma-graph/shapes/"
    turtle = client.get("/shapes/TreatmentPracticeStatementShape-hasDirection",
                        headers={"accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    shape = rdflib.URIRef(base + "TreatmentPracticeStatementShape-hasDirection")
    listed = graph.value(shape, rdflib.SH["in"])
    assert {str(x) for x in rdflib.collection.Collection(graph, listed)} == {SG + "Increasing",
                                                                          SG + "Decreasing"}
    declared = [line.split()[1] for line in turtle.text.splitlines() if line.startswith("@prefix")]
    assert sorted(declared) == ["sg:", "sgsh:", "sh:"]  # only what the shape uses
    page = client.get("/shapes/TreatmentPracticeStatementShape", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert 'href="/shapes/TreatmentPracticeStatementShape-hasDirection"' in page.text
    index = client.get("/shapes", headers={"accept": "text/html"}).text
    assert 'href="/shapes/GeneShape"' in index
    missing = client.get("/shapes/NoSuchShape", headers={"accept": "text/turtle"})
    assert missing.status_code == 404 and "no shape" in missing.text


def test_the_shapes_are_written_once_per_syntax_and_revalidate(shapes_client):
    """Review r15 M5: /shapes was serialised afresh on every request, with no ETag, so a
    client polling it slowed everyone. Now a second request is the same bytes under a strong
    ETag, a revalidation is 304, and each syntax has its own tag."""
    client = shapes_client
    first = client.get("/shapes", headers={"accept": "text/turtle"})
    tag = first.headers.get("etag", "")
    assert first.status_code == 200 and tag.startswith('"'), first.headers
    again = client.get("/shapes", headers={"accept": "text/turtle"})
    assert again.content == first.content and again.headers["etag"] == tag
    unchanged = client.get("/shapes", headers={"accept": "text/turtle", "if-none-match": tag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    ntriples = client.get("/shapes", headers={"accept": "application/n-triples"})
    assert ntriples.status_code == 200 and ntriples.headers["etag"] != tag
    assert "Accept" in first.headers["vary"]


def test_the_shapes_say_their_charset_once(shapes_client):
    """Interop review r16 A2: the /shapes page said ``text/html; charset=utf-8; charset=utf-8``,
    a repeated parameter (RFC 9110 §8.3.1) that strict clients reject."""
    for path in ("/shapes", "/shapes/GeneShape"):
        for accept, media_type in (("text/html", "text/html"), ("text/turtle", "text/turtle")):
            answer = shapes_client.get(path, headers={"accept": accept})
            assert answer.headers["content-type"] == media_type + "; charset=utf-8", (path, accept)


@pytest.mark.parametrize(("accept", "fmt"), [("application/n-quads", ox.RdfFormat.N_QUADS),
                                             ("application/trig", ox.RdfFormat.TRIG)])
def test_an_entity_in_a_quad_syntax_keeps_the_graph_of_each_triple(client, accept, fmt):
    """Review r15 N14: N-Quads and TriG answers put curated, inferred and mapping triples in
    the default graph, dropping the provenance the store has. Each quad now names its graph, and
    the triples are those of the Turtle answer. Review r16 interop A5: the default graph holds
    them too (their union, as at the endpoint), for clients that read a document's default
    graph (Comunica found it empty)."""
    iri = ID + "histotype/chordoma"
    answer = client.get("/id/histotype/chordoma", headers={"accept": accept})
    assert answer.status_code == 200, answer.text
    parsed = list(ox.parse(answer.content, format=fmt))
    quads = [q for q in parsed if isinstance(q.graph_name, ox.NamedNode)]
    default = {q.triple for q in parsed if isinstance(q.graph_name, ox.DefaultGraph)}
    expected = {q for q in dataset_quads() if iri in (q.subject.value, getattr(q.object, "value", ""))}
    assert set(quads) == expected
    assert default == {q.triple for q in expected}
    assert {q.graph_name.value for q in quads} >= {GRAPH + "curated", GRAPH + "mappings"}
    turtle = list(ox.parse(client.get("/id/histotype/chordoma",
                                      headers={"accept": "text/turtle"}).content,
                           format=ox.RdfFormat.TURTLE))
    assert {ox.Triple(t.subject, t.predicate, t.object) for t in turtle} == {q.triple for q in quads}


def test_an_entity_page_links_its_rdf(client):
    """Review r15 N7 and browser F17: a page gave no way to its own RDF (no link, no Link
    header, no URL to paste). Each alternate it names answers in that syntax."""
    page = client.get("/id/agent/imatinib", headers={"accept": "text/html"})
    assert page.status_code == 200
    header = page.headers["link"]
    assert '</id/agent/imatinib?format=ttl>; rel="alternate"; type="text/turtle"' in header
    for url, media in re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', header):
        assert f'href="{url}" type="{media}" rel="alternate"' in page.text
        answer = client.get(url)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media), url


def test_a_graph_iri_the_store_lacks_is_404_and_a_percent_encoded_iri_is_its_plain_one(client):
    """Review r15 N3: /graph/<anything> was redirected to the Graph Store (a 404 there); N12:
    /id/agent/%69matinib, the same IRI as /id/agent/imatinib (RFC 3986 §6.2.2.2), was a 404."""
    for name in ("no-such-graph", "with%20space", "%3Cangle%3E"):
        missing = client.get(f"/graph/{name}", follow_redirects=False)
        assert missing.status_code == 404 and "holds no graph" in missing.text, name
    encoded = client.get("/id/agent/%69matinib?lang=en", follow_redirects=False)
    assert encoded.status_code == 301 and encoded.headers["location"] == "/id/agent/imatinib?lang=en"
    assert client.get("/id/agent/imatinib%20x", follow_redirects=False).status_code == 404


def test_a_browser_client_on_another_site_can_read_the_rdf_links(client):
    """Review r16 interop A8: the Link header listing an entity page's RDF alternates was not in
    Access-Control-Expose-Headers, so a Linked Data client in a browser on another origin could
    not see it (Fetch: Link is not a safelisted response header)."""
    page = client.get("/id/agent/imatinib", headers={"accept": "text/html",
                                                     "origin": "https://example.org"})
    exposed = {h.strip().lower() for h in page.headers["access-control-expose-headers"].split(",")}
    assert "link" in exposed and "link" in page.headers


@pytest.mark.parametrize(("path", "query", "name"), [
    ("/id/agent/imatinib", "format=nt", "imatinib.nt"),
    ("/id/agent/imatinib", "format=nq", "imatinib.nq"),
    ("/id/agent/imatinib", "format=rdfxml", "imatinib.rdf"),
    ("/id/histotype/chordoma", "format=ttl", "chordoma.ttl"),
    ("/ontology/Histotype", "format=jsonld", "Histotype.jsonld"),
    ("/ontology", "format=nt", "ontology.nt"),
])
def test_an_entity_in_rdf_is_saved_under_its_name_and_the_syntaxs_extension(client, path, query,
                                                                              name):
    """Review r16 browser F7: the N-Triples and N-Quads links of an entity page saved a file
    called ``imatinib``, without extension, the second over the first."""
    answer = client.get(f"{path}?{query}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"] == f'inline; filename="{name}"'
    assert "content-disposition" not in client.get(path, headers={"accept": "text/html"}).headers
    assert "content-disposition" not in client.get("/id/histotype/unknown?format=nt").headers
