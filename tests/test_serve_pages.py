"""Pure pieces of the pages for people: language choice, accent-insensitive search,
reader pages for mappings, the forest plot, and format=/output= over HTTP."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import unquote

import httpx
import pytest

from sarcoma_graph.serve.pages.language import choose_language, pick_label
from sarcoma_graph.serve.pages.plots import forest_svg
from sarcoma_graph.serve.pages.readers import reader_url
from sarcoma_graph.serve.pages.search import fold
from tests.serve_fixtures import ID

pytest_plugins = ["tests.serve_fixtures"]


@pytest.mark.parametrize(("parameter", "header", "expected"), [
    (None, None, "en"), (None, "fr-FR,fr;q=0.9,en;q=0.8", "fr"), (None, "en-GB,fr;q=0.5", "en"),
    (None, "de,fr;q=0.3", "fr"), ("en", "fr", "en"), ("xx", "fr", "fr"), (None, "fr;q=0", "en"),
])
def test_one_language_per_page(parameter, header, expected):
    assert choose_language(parameter, header) == expected


def test_labels_fall_back_to_english_then_any():
    assert pick_label([("tumeur", "fr"), ("tumour", "en")], "fr") == "tumeur"
    assert pick_label([("tumeur", "fr"), ("tumour", "en-GB")], "en") == "tumour"
    assert pick_label([("Tumor", "de")], "en") == "Tumor"
    assert pick_label([], "en") is None


def test_search_folds_case_and_accents():
    assert fold("Sarcome ALVÉOLAIRE") == fold("sarcome alveolaire")
    assert fold("Ewing") != fold("Ewinf")


@pytest.mark.parametrize(("british", "american"), [
    ("giant cell tumour", "giant cell tumor"), ("NF1-mutated tumours", "NF1 mutated tumors"),
    ("oesophageal", "esophageal"), ("Œsophage", "esophage"), ("haemangioma", "hemangioma"),
    ("leukaemia", "leukemia"), ("randomised", "randomized"), ("analyse", "analyze"),
    ("multicentre", "multicenter"), ("fibre", "fiber"), ("behavioural", "behavioral"),
    ("signalling", "signaling"), ("catalogue", "catalog"), ("sulphate", "sulfate")])
def test_search_folds_british_and_us_spellings_alike(british, american):
    """F11 (browser review r11): "giant cell tumor" found nothing in a graph labelled in
    British English."""
    assert fold(british) == fold(american)


@pytest.mark.parametrize("word", ["source", "journal", "four", "does", "size", "Ewing"])
def test_spelling_folds_leave_other_words_alone(word):
    assert fold(word) == word.casefold()


def test_mappings_open_the_page_a_person_reads():
    assert reader_url("http://purl.obolibrary.org/obo/NCIT_C3868") == \
        "https://evsexplore.semantics.cancer.gov/evsexplore/concept/ncit/C3868"
    assert reader_url("https://w3id.org/sarcoma-graph/id/gene/ALK") is None


def test_forest_plot_draws_points_and_intervals_per_unit():
    rows = [("https://w3id.org/sarcoma-graph/id/measurement/a", "overall survival", 13.9, 11.0,
             17.3, "months"),
            ("https://w3id.org/sarcoma-graph/id/measurement/b", "response <rate>", 17.0, None,
             None, "%")]
    svg = forest_svg(rows, "IMPRESARC", "/root")
    assert svg.count('class="point"') == 2 and svg.count('class="ci"') == 1
    assert "Time (months)" in svg and "Proportion (%)" in svg
    assert "response &lt;rate&gt;" in svg and 'href="/root/id/measurement/a"' in svg


@pytest.mark.parametrize(("name", "media_type"), [
    ("json", "application/sparql-results+json"), ("csv", "text/csv"),
    ("tsv", "text/tab-separated-values"), ("xml", "application/sparql-results+xml"),
    ("application/sparql-results+json", "application/sparql-results+json")])
def test_format_and_output_parameters_choose_the_syntax(server, name, media_type):
    for parameter in ("format", "output"):
        response = httpx.get(server.sparql, params={"query": "SELECT * { ?s ?p ?o } LIMIT 1",
                                                    parameter: name},
                             headers={"accept": "text/html"}, timeout=30)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media_type)


def test_unknown_format_names_the_parameter(server):
    response = httpx.get(server.sparql, params={"query": "ASK {}", "format": "yaml"}, timeout=30)
    assert response.status_code == 400 and "format='yaml'" in response.text


def test_browser_address_bar_gets_a_page_clients_get_results(server):
    query = {"query": "SELECT ?s WHERE { ?s a <https://w3id.org/sarcoma-graph/ontology/Gene> }"}
    browser = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = httpx.get(server.sparql, params=query, headers=browser, timeout=30)
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/id/gene/KIT"' in page.text  # a local link, not w3id.org
    client = httpx.get(server.sparql, params=query, headers={"accept": "*/*"}, timeout=30)
    assert client.headers["content-type"].startswith("application/sparql-results+json")


BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/id/histotype/no-such-tumour", 404, ["no entity", "/search?q=no%20such%20tumour"]),
    ("/no/such/page", 404, ["nothing at /no/such/page", "/search?q=page"]),
    ("/queries/no-such-query", 404, ["no-such-query"]),
])
def test_a_browser_gets_an_error_as_a_page_with_a_way_on(server, path, status, words):
    base = server.sparql.rsplit("/sparql", 1)[0]
    page = httpx.get(base + path, headers=BROWSER, timeout=30)
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert f"<h1>{status} " in page.text and 'href="/"' in page.text
    for word in words:
        assert word in page.text
    client = httpx.get(base + path, headers={"accept": "*/*"}, timeout=30)
    assert client.status_code == status and client.headers["content-type"].startswith("text/plain")


def test_the_404_search_link_finds_the_entity_under_its_other_spelling(server):
    """F11 (browser review r11): the 404 page searched for the slug, hyphens and all, and the
    search did not know "tumor" from "tumour"; following its link now finds the histotype."""
    base = server.sparql.rsplit("/sparql", 1)[0]
    page = httpx.get(base + "/id/histotype/desmoid-tumor", headers=BROWSER, timeout=30)
    assert page.status_code == 404
    link = re.search(r'<a href="(/search\?q=[^"]*)">Search the labels', page.text)
    assert link is not None and link.group(1) == "/search?q=desmoid%20tumor"
    found = httpx.get(base + html.unescape(link.group(1)), headers={"accept": "application/json"},
                      timeout=30).json()
    assert [hit["href"] for hit in found][:1] == ["/id/histotype/desmoid-tumour"]


@pytest.mark.parametrize(("query", "shown"), [
    ("", ['<a href="/id/histotype/gist"><code>sgh:gist</code></a>', "(default)"]),
    ("?histotype=sgh:chordoma", ['<a href="/id/histotype/chordoma"><code>sgh:chordoma</code></a>',
                                 "(given)", 'name="histotype" value="sgh:chordoma"']),
    ("?histotype=", ["—", "(not set: no restriction)"]),
])
def test_a_named_query_page_says_what_it_asks_and_with_which_values(server, query, shown):
    """F16 (browser review r11): /queries/{name} showed "13 row(s)" with neither the query's
    description nor the parameter value that had silently been applied."""
    base = server.sparql.rsplit("/sparql", 1)[0]
    page = httpx.get(base + "/queries/agents-for-histotype" + query, headers=BROWSER, timeout=30)
    assert page.status_code == 200, page.text
    assert "Agents with a statement about a histotype, with the number of statements." in page.text
    assert "<code>histotype</code>" in page.text and "The histotype" in page.text
    for piece in shown:
        assert piece in page.text
    plain = httpx.get(base + "/queries/statements-per-histotype", headers=BROWSER, timeout=30)
    assert "How many statements each histotype has." in plain.text
    assert 'class="parameters"' not in plain.text


def test_void_partitions_link_to_their_section_and_stay_out_of_referenced_by(server):
    """F10 (browser review r11): partition IRIs linked to w3id.org/sarcoma-graph/void/…, which
    this server cannot resolve, and a class page listed them before its instances."""
    base = server.sparql.rsplit("/sparql", 1)[0]
    void = httpx.get(base + "/.well-known/void", headers=BROWSER, timeout=30).text
    assert 'href="https://w3id.org/sarcoma-graph/void/' not in void
    links = {unquote(x) for x in re.findall(r'href="/\.well-known/void#([^"]*)"', void)}
    assert links and 'id="void/dataset"' in void
    assert links <= set(re.findall(r' id="([^"]*)"', void))  # every link lands on a section
    page = httpx.get(base + "/ontology/Histotype", headers=BROWSER, timeout=30).text
    incoming = page.split('<section id="incoming">', 1)[1].split("</section>", 1)[0]
    assert 'href="/id/histotype/chordoma"' in incoming and "void" not in incoming


def test_a_query_error_page_escapes_the_text_and_reopens_it_in_the_editor(server):
    query = 'SELECT * { ?s ?p "<script>alert(1)</script> }'
    page = httpx.get(server.sparql, params={"query": query}, headers=BROWSER, timeout=30)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "<script>alert" not in page.text
    assert "string opened with" in page.text and 'href="/#query=SELECT%20%2A%20' in page.text


def test_without_javascript_the_editor_page_still_runs_a_query(server):
    """F15 (review r11): a plain form inside <noscript> sends the query to /sparql with
    format=html; what it sends gives a results page."""
    home = httpx.get(server.url + "/", headers=BROWSER, timeout=30).text
    plain = home.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    action = html.unescape(re.search(r'<form method="get" action="([^"]+)"', plain).group(1))
    query = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", plain, re.S).group(1))
    assert action.endswith("/sparql") and "SELECT" in query
    assert 'name="format" value="html"' in plain
    page = httpx.get(action, params={"query": query, "format": "html"}, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<table" in page.text
    # review r13 F6/F11: no dead picker or key hints without JavaScript; a main landmark
    assert "header.sg label,#sg-keys{display:none}" in plain
    assert '<main id="sg-main">' in home and home.index("<main") < home.index('id="yasgui"')


def test_a_query_needing_a_graph_the_server_lacks_says_so(tmp_path):
    """F4 (review r12): the CIViC queries ran on a server without the CIViC import, and one
    listed every curated claim as "without supporting CIViC evidence". A query's
    ``#+ needs:`` graphs that the store lacks are named in the list, its page and its JSON."""
    from tests.serve_fixtures import make_project, serving

    project = make_project(tmp_path / "project")
    for name, graph in (("needs-civic", "civic"), ("needs-curated", "curated")):
        (project / "queries" / f"{name}.rq").write_text(
            f"#+ title: Needs {graph}\n#+ needs: {graph}\nSELECT ?s WHERE {{ GRAPH "
            f"<https://w3id.org/sarcoma-graph/graph/{graph}> {{ ?s ?p ?o }} }} LIMIT 1\n")
    with serving(project, "--no-service-graph") as server:
        listing = {q["name"]: q for q in httpx.get(server.url + "/queries", timeout=30,
                                                    params={"format": "json"}).json()}
        assert listing["needs-civic"]["missingGraphs"] == ["civic"]
        assert listing["needs-curated"]["missingGraphs"] == []
        page = httpx.get(server.url + "/queries", headers=BROWSER, timeout=30).text
        sections = dict(re.findall(r'<section class="query" id="([^"]+)">(.*?)</section>', page, re.S))
        assert "Needs the named graph <code>civic</code>" in sections["needs-civic"]
        assert "Needs the named graph" not in sections["needs-curated"]
        answer = httpx.get(server.url + "/queries/needs-civic", headers=BROWSER, timeout=30).text
        assert "which this server does not hold" in answer
        home = httpx.get(server.url + "/", headers=BROWSER, timeout=30).text
        config = json.loads(html.unescape(re.search(
            r'<script type="application/json" id="sg-config">(.*?)</script>', home, re.S).group(1)))
        assert {q["name"]: q["missingGraphs"] for q in config["queries"]}["needs-civic"] == ["civic"]


def test_a_misspelled_search_offers_close_spellings(server):
    """F15 (review r12): "imatnib" found nothing and said nothing more."""
    page = httpx.get(server.url + "/search", params={"q": "imatnib"}, headers=BROWSER, timeout=30)
    close = page.text.split('<ul id="close-spellings">', 1)[1].split("</ul>", 1)[0]
    assert 'href="/id/agent/imatinib"' in close
    suggestions = httpx.get(server.url + "/search", params={"q": "leiomyosarcom"},
                            headers={"accept": "application/json"}, timeout=30).json()
    assert any(h["iri"].endswith("/histotype/leiomyosarcoma") for h in suggestions)
    typo = httpx.get(server.url + "/search", params={"q": "liomyosarcoma"},
                     headers={"accept": "application/json"}, timeout=30).json()
    closest = [h["iri"].rsplit("/", 1)[1] for h in typo if h.get("close")]
    assert closest[0] == "leiomyosarcoma", closest  # closest first (liposarcoma is close too)
    nothing = httpx.get(server.url + "/search", params={"q": "zqxwvut"}, headers=BROWSER, timeout=30)
    assert "close-spellings" not in nothing.text


def test_a_search_of_several_words_matches_them_word_by_word(server):
    """Review r13 F4: a two-word query whose words are all in a label, in another order or
    misspelt, got no close spellings (the whole text was compared with whole labels only)."""
    page = httpx.get(server.url + "/search", params={"q": "sarcoma synoviall"}, headers=BROWSER,
                     timeout=30)
    close = page.text.split('<ul id="close-spellings">', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'href="([^"]+)"', close)
    assert links[0] == "/id/histotype/synovial-sarcoma", links
    assert "/id/histotype/ewing-sarcoma" not in links  # one word of two is not enough


def test_a_search_finding_nothing_says_what_the_graph_covers(server):
    """Review r13 F4: a search for a disease the graph lacks offered other sarcomas, as if the
    name were misspelt. The page now says what the graph holds, with links to the lists."""
    nothing = httpx.get(server.url + "/search", params={"q": "zqxwvut"}, headers=BROWSER, timeout=30)
    scope = nothing.text.split('<p id="search-scope">', 1)[1].split("</p>", 1)[0]
    assert 'href="/ontology/Histotype"' in scope and 'href="/ontology/Drug"' in scope
    found = httpx.get(server.url + "/search", params={"q": "chordoma"}, headers=BROWSER, timeout=30)
    assert 'id="search-scope"' not in found.text


def test_a_parameter_naming_nothing_is_said_on_the_page(server):
    """Review r15 browser F8 (and questions F13): a misspelt IRI value (sggene:KITT) gave 0
    rows and no word. The page names the value and links a label search; a real one does not."""
    wrong = httpx.get(server.url + "/queries/agents-for-histotype", headers=BROWSER, timeout=30,
                      params={"histotype": "https://w3id.org/sarcoma-graph/id/histotype/chordomma"})
    assert wrong.status_code == 200
    note = wrong.text.split('id="absent-values">', 1)[1].split("</div>", 1)[0]
    assert "histotype/chordomma" in note and 'href="/search?q=chordomma"' in note
    right = httpx.get(server.url + "/queries/agents-for-histotype", headers=BROWSER, timeout=30,
                      params={"histotype": "https://w3id.org/sarcoma-graph/id/histotype/chordoma"})
    assert right.status_code == 200 and 'id="absent-values"' not in right.text
    default = httpx.get(server.url + "/queries/agents-for-histotype", headers=BROWSER, timeout=30)
    assert 'id="absent-values"' not in default.text


def test_the_query_forms_offer_what_each_query_gives_and_files_are_named(server):
    """Review r15 browser F11: every form offered "Turtle (CONSTRUCT)", which for a SELECT gave
    the query's description, and a TSV download had no file extension."""
    page = httpx.get(server.url + "/queries", headers=BROWSER, timeout=30).text
    forms = dict(re.findall(r'action="/queries/([^"]+)".*?<select[^>]*>(.*?)</select>', page, re.S))
    assert 'value="ttl"' not in forms["agents-for-histotype"]  # a SELECT: rows only
    assert 'value="tsv"' in forms["agents-for-histotype"]
    assert 'value="ttl"' in forms["histotype-graph"] and 'value="tsv"' not in forms["histotype-graph"]
    tsv = httpx.get(server.url + "/queries/agents-for-histotype", params={"format": "tsv"}, timeout=30)
    assert tsv.headers["content-disposition"] == 'inline; filename="agents-for-histotype.tsv"'


def test_the_search_finds_an_entity_by_a_mapped_identifier_and_by_its_own_iri(server):
    """Review r15 browser F5: NCIT:C1001, a bare code or the entity's own IRI or prefixed name
    found nothing, though the mappings are in the graph. The hit is shown with the entity's name."""
    def search(text: str) -> list[dict]:
        return httpx.get(server.url + "/search", params={"q": text},
                         headers={"accept": "application/json"}, timeout=30).json()

    chordoma = ID + "histotype/chordoma"
    mapped = {chordoma: "chordoma", ID + "gene/KIT": "KIT", ID + "agent/imatinib": "imatinib"}
    for text in ("NCIT:C1000", "C1000", "ncit:c1000"):  # the fixture maps all three to C1000
        hits = search(text)
        assert {h["iri"] for h in hits} == set(mapped), (text, hits)
        assert all(h["kind"] == "identifier" and h["label"] == f"{mapped[h['iri']]} — NCIT:C1000"
                   for h in hits), hits
    for text in (chordoma, "sgh:chordoma"):
        assert [h["iri"] for h in search(text)] == [chordoma], text
    assert search("NCIT:C9999999") == [] or all(h.get("close") for h in search("NCIT:C9999999"))


def test_a_client_taking_only_html_gets_the_page_not_406(server):
    """Review r11 F16, again in r12: Accept: text/html alone on a named query gave 406."""
    response = httpx.get(server.url + "/queries/agents-for-histotype",
                         headers={"accept": "text/html"}, timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    data = httpx.get(server.url + "/queries/agents-for-histotype",
                     headers={"accept": "text/html, text/csv;q=0.5"}, timeout=30)
    assert data.headers["content-type"].startswith("text/csv")  # a data syntax it takes wins


def test_search_refuses_a_repeated_or_undecodable_q(server):
    """Probe r12 L6: ``q=a&q=b`` searched the first silently, ``q=%ff`` answered ``[]``."""
    twice = httpx.get(server.url + "/search?q=imatinib&q=sunitinib",
                      headers={"accept": "application/json"}, timeout=30)
    assert twice.status_code == 400 and "given 2 times" in twice.text
    bad = httpx.get(server.url + "/search?q=%ff", headers={"accept": "application/json"}, timeout=30)
    assert bad.status_code == 400 and "not valid utf-8" in bad.text
    once = httpx.get(server.url + "/search?q=imatinib", headers={"accept": "application/json"},
                     timeout=30)
    assert once.status_code == 200 and once.json()


def test_the_void_page_is_tables_with_labels_and_the_rdfs_counts(server):
    """Review r12 F16: the VoID page was every triple of the description, one table per
    partition (1.2 MB of HTML). It is now tables of counts, with labels; each class and
    property partition of the RDF has its row (an ``id`` to land on) with the RDF's count."""
    base = server.sparql.rsplit("/sparql", 1)[0]
    page = httpx.get(base + "/.well-known/void", headers=BROWSER, timeout=30).text
    turtle = httpx.get(base + "/.well-known/void", headers={"accept": "application/n-triples"},
                       timeout=30).text
    void = "http://rdfs.org/ns/void#"
    counts = {s: int(o.split('"')[1]) for s, p, o in re.findall(r"<([^>]+)> <([^>]+)> (.+) \.",
                                                               turtle)
              if p in (void + "entities", void + "triples")}
    linked = {o.strip("<>"): p for s, p, o in re.findall(r"<([^>]+)> <([^>]+)> (<[^>]+>) \.", turtle)
              if p in (void + "classPartition", void + "propertyPartition") and s.endswith("void/dataset")}
    assert len(page) < len(turtle) and len(linked) > 5
    for partition in linked:
        anchor = partition.split("/sarcoma-graph/", 1)[1]
        row = re.search(f'<tr id="{re.escape(anchor)}">(.*?)</tr>', page, re.S)
        assert row, anchor
        assert f'<td class="n">{counts[partition]:,}</td>' in row.group(1), anchor
    assert '<a href="/ontology/Histotype">Histotype <span class="curie">sg:Histotype</span></a>' in page


def test_a_results_page_of_wide_rows_stops_at_its_byte_budget():
    """Probe r13 L1: 1,000 rows of a dozen 2,000-character cells made a 96 MB page (the cap
    counted rows and cell length, not columns). Rows stop at a byte budget too."""
    from sarcoma_graph.serve.pages.results import PAGE_BYTES, results_page

    names = [f"c{j}" for j in range(12)]
    cell = {"type": "literal", "value": "<" * 2000}
    body = json.dumps({"head": {"vars": names},
                       "results": {"bindings": [dict.fromkeys(names, cell)] * 1000}}).encode()
    page = results_page("wide", "SELECT …", "bindings", body, "", max_rows=1000)
    assert len(page) < PAGE_BYTES * 1.1 and "rows (more follow)" in page
    shown = page.count("<tr>") - 1
    assert 0 < shown < 1000 and f"the first {shown:,} rows" in page
    narrow = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
        {"x": {"type": "literal", "value": str(i)}} for i in range(10)]}}).encode()
    assert "10 row(s)" in results_page("narrow", "SELECT …", "bindings", narrow, "", max_rows=1000)


def test_a_named_query_url_asked_for_rdf_describes_the_query(server):
    """Review r13 I8: /queries/{name} is also the IRI of the query's sh:SPARQLExecutable, but
    Accept: text/turtle got the answer's rows in JSON. A client taking RDF and no results
    syntax now gets the description; a results client still gets the answer."""
    import pyoxigraph as ox

    url = server.url + "/queries/agents-for-histotype"
    described = httpx.get(url, headers={"accept": "text/turtle"}, timeout=30)
    assert described.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(described.content, format=ox.RdfFormat.TURTLE))
    iri = "https://w3id.org/sarcoma-graph/queries/agents-for-histotype"
    assert any(t.subject.value == iri and t.object.value == "http://www.w3.org/ns/shacl#SPARQLExecutable"
               for t in triples)
    answer = httpx.get(url, headers={"accept": "application/sparql-results+json"}, timeout=30)
    assert "results" in answer.json()


def test_a_search_shows_the_english_label_when_both_match(monkeypatch):
    """Review r13 F4: "denosumab" matched the English and the French label alike (accents are
    folded) and the hit showed the French "dénosumab"."""
    from sarcoma_graph.serve.pages import search as module

    hits = [module.Hit("http://e/d", "dénosumab", "fr", "label", ""),
            module.Hit("http://e/d", "denosumab", "en", "label", "")]
    monkeypatch.setattr(module, "_index", lambda store: [(module.fold(h.label), h) for h in hits])
    assert module.search(object(), "denosumab")[0].label == "denosumab"  # type: ignore[arg-type]


def test_each_named_query_title_links_to_its_own_section(server):
    """Browser r13 F12: the titles on /queries had no link, so one could not point a colleague
    at one query; each title now links to its section's anchor."""
    page = httpx.get(server.url + "/queries", headers=BROWSER, timeout=30).text
    sections = re.findall(r'<section class="query" id="([^"]+)"><h2><a href="#([^"]+)">', page)
    served = httpx.get(server.url + "/queries", params={"format": "json"}, timeout=30).json()
    assert sorted(section for section, _ in sections) == sorted(q["name"] for q in served)
    assert all(section == link for section, link in sections)


def test_the_search_matches_a_mapped_code_whole_and_takes_orpha_for_orphanet(tmp_path):
    """Review r16 browser F9: ``ORPHA:873`` (Orphanet's own notation) found nothing, and a bare
    ``272`` found ``hgnc:2726`` and ``MONDO:0002728``: a code matches whole, with or without its
    prefix, and ``ORPHA:`` is read as ``Orphanet:``."""
    import pyoxigraph as ox

    from sarcoma_graph.serve.pages.search import search
    from sarcoma_graph.store import open_store

    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    match = ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")
    desmoid, ddit3 = ox.NamedNode(ID + "histotype/desmoid-tumour"), ox.NamedNode(ID + "gene/DDIT3")
    store = open_store()
    store.add_quads([
        ox.Quad(desmoid, label, ox.Literal("desmoid tumour", language="en")),
        ox.Quad(desmoid, match, ox.NamedNode("http://www.orpha.net/ORDO/Orphanet_873")),
        ox.Quad(ddit3, label, ox.Literal("DDIT3")),
        ox.Quad(ddit3, match, ox.NamedNode("https://identifiers.org/hgnc:2726")),
    ])
    for text in ("ORPHA:873", "orpha:873", "Orphanet:873", "873"):
        assert [h.iri for h in search(store, text)] == [desmoid.value], text
    for text in ("hgnc:2726", "2726"):
        assert [h.iri for h in search(store, text)] == [ddit3.value], text
    for text in ("272", "87", "hgnc:272", "ORPHA:87"):
        assert search(store, text) == [], text
