"""What a person sees, in a real headless Chromium against the project's own graph: entity
pages (histotype, gene, agent, statement, ontology class) in one language with quotes and
provenance, search with suggestions, the editor's autocompletion and parameter form, the
forest plot, /queries and /docs with no network. Each test saves a screenshot under
``build/screenshots/``."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator

import pytest

from sarcoma_graph.dataset import save_dataset
from sarcoma_graph.project import Project
from tests.conftest import ROOT
from tests.serve_fixtures import serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = ROOT / "build" / "screenshots"

@pytest.fixture(scope="module")
def site(curated_store, tmp_path_factory):
    """``sarcoma-graph serve`` over the built and reasoned curated graph."""
    build = tmp_path_factory.mktemp("pages-build")
    save_dataset(curated_store, Project(ROOT, build), "reason")
    with serving(ROOT, build_dir=build) as server:
        yield server


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    data = page.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)
    (SHOTS / f"{name}.png").write_bytes(base64.b64decode(data["data"]))


def text(page, selector: str = "body") -> str:
    return page.evaluate(f"document.querySelector({json.dumps(selector)}).innerText")


def outside_requests(page, url: str) -> list[str]:
    requested = [e["params"]["request"]["url"] for e in page.events
                 if e.get("method") == "Network.requestWillBeSent"]
    return [u for u in requested if not u.startswith((url, "data:", "blob:"))]


def test_histotype_page_is_in_one_language_with_its_mechanism(page, site):
    page.navigate(site.url + "/id/histotype/alveolar-soft-part-sarcoma")
    assert text(page, "h1") == "alveolar soft part sarcoma"
    body = text(page)
    assert "sarcome alvéolaire" not in text(page, "#facts")  # one language
    assert "français" in body  # the other language, as a labelled alternative
    assert body.count("Type:") == 1
    assert page.evaluate("!!document.querySelector('#picture svg')")  # the chain picture
    hrefs = page.evaluate("[...document.querySelectorAll('a')]"
                          ".map(a => new URL(a.getAttribute('href'), location.href).href)")
    assert site.url + "/ontology/Histotype" in hrefs
    assert not [h for h in hrefs if h.startswith("https://w3id.org/")]  # all local
    shot(page, "entity-histotype")
    page.navigate(site.url + "/ontology/Histotype")  # the local link works
    assert "Histotype" in text(page, "h1") or "histotype" in text(page, "h1").lower()


def _headline(site, slug: str) -> dict[str, dict[str, str]]:
    """The headline query's rows for one tumour type, by agent label (what the picture must say)."""
    import httpx

    response = httpx.get(f"{site.url}/queries/agents-targeting-causal-alterations",
                         params={"tumour": f"https://w3id.org/sarcoma-graph/id/histotype/{slug}"},
                         headers={"accept": "application/sparql-results+json"}, timeout=30)
    rows = response.json()["results"]["bindings"]
    return {r["agentLabel"]["value"]: {k: v["value"] for k, v in r.items()} for r in rows}


def _picture(page) -> dict[str, object]:
    return page.evaluate("""(() => { const svg = document.querySelector('#picture figure.chains svg');
        const boxes = [...svg.querySelectorAll('a, g')].filter(a => a.querySelector('.chain-label'))
          .map(a => [a.querySelector('.chain-label').textContent,
                     a.querySelector('.chain-note') ? a.querySelector('.chain-note').textContent : '']);
        const edges = [...svg.querySelectorAll('line.chain-edge')].map(l => l.getAttribute('class'));
        return {boxes, edges, caption: document.querySelector('#picture figcaption').innerText}; })()""")


def test_chain_picture_of_a_process_mediated_tumour_says_what_the_headline_query_says(page, site):
    rows = _headline(site, "alveolar-soft-part-sarcoma")
    assert rows and {r["mechanism"] for r in rows.values()} == {"process"}
    page.navigate(site.url + "/id/histotype/alveolar-soft-part-sarcoma")
    picture = _picture(page)
    boxes = dict(picture["boxes"])
    assert "angiogenesis" in boxes  # the process the agents act on, between fusion and agents
    assert any("TFE3" in b for b in boxes)  # the causal alteration
    for agent, row in rows.items():  # every agent of the query, with its claim
        assert boxes.get(agent) == row["claim"], (agent, boxes)
    assert "chain-edge process" in picture["edges"]
    assert "agents-targeting-causal-alterations" in picture["caption"]
    page.evaluate("document.getElementById('picture').scrollIntoView()")
    shot(page, "chain-picture-asps")


def test_chain_picture_shows_a_stated_pair_without_a_curated_mechanism(page, site):
    rows = _headline(site, "desmoid-tumour")
    unexplained = {a for a, r in rows.items() if r["mechanism"] == "none"}
    assert unexplained
    page.navigate(site.url + "/id/histotype/desmoid-tumour")
    picture = _picture(page)
    boxes = dict(picture["boxes"])
    assert boxes.get("no curated mechanism") == "the source states the pair"
    assert unexplained <= set(boxes)
    assert "chain-edge none" in picture["edges"]
    page.evaluate("document.getElementById('picture').scrollIntoView()")
    shot(page, "chain-picture-desmoid")


def test_french_page_when_the_browser_asks_for_french(page, site):
    page.navigate(site.url + "/id/histotype/alveolar-soft-part-sarcoma?lang=fr")
    assert text(page, "h1") == "sarcome alvéolaire des parties molles"
    # the page's own words are English; its French labels say they are French (review r16
    # browser F11: <html lang="fr"> over English headings)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("document.querySelector('h1').lang") == "fr"
    assert page.evaluate("document.querySelector('h2').closest('[lang]').lang") == "en"
    shot(page, "entity-histotype-fr")


def test_statement_page_shows_the_quote_with_its_context_and_source(page, site):
    page.navigate(site.url + "/id/statement/review-alk-inhibitors-imt")
    quote = text(page, "#source blockquote")
    assert "les inhibiteurs de la voie ALK dans les tumeurs myofibroblastiques" in quote
    assert "tumeurs à cellules géantes" in quote  # the prefix context
    badges = text(page, ".badges")
    assert "stated in source" in badges.lower() or "StatedInSource" in badges
    link = page.evaluate("document.querySelector('#source blockquote small a:last-child').href")
    assert link.startswith(site.url + "/id/document/") and "#review-alk-imt" in link
    shot(page, "entity-statement")
    page.navigate(link)
    assert page.evaluate("!!document.getElementById('review-alk-imt')")
    shot(page, "source-document-passages")


def test_gene_page_has_mappings_with_curie_and_reader_page(page, site):
    page.navigate(site.url + "/id/gene/ALK")
    assert text(page, "h1") == "ALK"
    mappings = text(page, "#mappings")
    assert "hgnc:" in mappings
    hrefs = page.evaluate("[...document.querySelectorAll('#mappings a')].map(a => a.href)")
    assert any("genenames.org" in h for h in hrefs)
    shot(page, "entity-gene")


def test_agent_page_marks_inferred_facts_with_their_rule(page, site):
    page.navigate(site.url + "/id/agent/alk-inhibitor")
    assert text(page, "h1") == "ALK pathway inhibitor"
    inferred = page.evaluate("[...document.querySelectorAll('.badge.inferred')]"
                             ".map(b => b.innerText)")
    assert inferred and any("chain" in b or "inverse" in b or "sub-property" in b
                            for b in inferred), inferred
    shot(page, "entity-agent")


def test_ontology_class_page_has_a_tree(page, site):
    page.navigate(site.url + "/ontology/TargetedTherapyStatement")
    assert page.evaluate("document.querySelectorAll('#hierarchy ul.tree').length") >= 2
    assert "EvidenceStatement" in text(page, "#hierarchy").replace(" ", "") or \
        "evidence statement" in text(page, "#hierarchy").lower()
    shot(page, "entity-ontology-class")


def test_search_suggests_as_you_type_ignoring_accents(page, site):
    page.navigate(site.url + "/id/gene/ALK")
    page.evaluate("""(() => { const i = document.querySelector('.sg-search input');
        i.focus(); i.value = 'sarcome alveolaire'; i.dispatchEvent(new Event('input')); })()""")
    page.wait_for("document.querySelectorAll('.sg-suggest li').length > 0")
    first = page.evaluate("document.querySelector('.sg-suggest li a').innerText")
    assert "sarcome alvéolaire des parties molles" in first
    shot(page, "search-suggestions")


def test_forest_plot_of_impresarc_outcomes(page, site):
    page.navigate(site.url + "/id/study/impresarc")
    assert page.evaluate("document.querySelectorAll('.forest svg .point').length") >= 5
    assert page.evaluate("document.querySelectorAll('.forest svg .ci').length") >= 1
    labels = page.evaluate("[...document.querySelectorAll('.forest-label')].map(t => t.textContent)")
    assert any("overall survival" in x.lower() for x in labels), labels
    page.evaluate("document.getElementById('picture').scrollIntoView()")
    shot(page, "forest-plot")


def test_study_page_prints_each_figure_with_its_sentence(page, site):
    """F1/F2 (review r12): the plot's values were only tooltips; a table gives each figure and
    the sentence of the bulletin it comes from (not the shared '272 patients' sentence)."""
    page.navigate(site.url + "/id/study/impresarc")
    rows = page.evaluate("[...document.querySelectorAll('table.outcomes tbody tr')]"
                         ".map(r => [...r.cells].map(c => c.innerText))")
    assert len(rows) == 11, rows
    survival = next(r for r in rows if r[0] == "overall survival")
    assert survival[1:3] == ["13.5 months", "11–17.3"]
    assert "Median OS was 13.5 months" in survival[3]
    assert not any("272 patients" in r[3] for r in rows)


def test_a_wide_result_table_scrolls_inside_the_page(page, site):
    """F3: a 14-column answer made the page 1876 px wide in a 1280 px window."""
    page.send("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1,
              mobile=False)
    try:
        page.navigate(site.url + "/queries/impresarc-outcomes?format=html")
        page.wait_for("document.readyState === 'complete'")
        assert page.evaluate("document.querySelectorAll('table.results tr').length") == 12
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert "@en" not in page.evaluate("document.querySelector('table.results').innerText")
    finally:
        page.send("Emulation.clearDeviceMetricsOverride")


def test_queries_page_with_a_parameter_form(page, site):
    page.navigate(site.url + "/queries")
    assert text(page, "h1") == "Named queries"
    form = "#tumour-type-profile form"
    assert page.evaluate(f"document.querySelector('{form} input[name=tumour]').value") \
        .startswith("https://w3id.org/sarcoma-graph/id/histotype/")
    page.evaluate(f"document.querySelector('{form} input[name=tumour]').value = "
                  "'https://w3id.org/sarcoma-graph/id/histotype/alveolar-soft-part-sarcoma'")
    page.evaluate(f"document.querySelector('{form} button').scrollIntoView()")
    shot(page, "queries")
    page.evaluate(f"document.querySelector('{form}').submit()")
    page.wait_for("document.querySelector('table.results') !== null")
    assert "alveolar" in text(page, "table.results").lower()
    shot(page, "query-results-page")


def test_editor_autocompletes_from_this_endpoint_and_runs_a_parameter_form(page, site):
    page.events.clear()
    page.navigate(site.url + "/")
    page.wait_for("window.sgYasgui && document.querySelectorAll('#sg-examples option').length > 1")
    assert "triples" in text(page, "#sg-dataset")
    classes = page.evaluate(f"fetch('{site.url}/autocomplete?type=class&q=Histo')"
                            ".then(r => r.json())")
    assert "https://w3id.org/sarcoma-graph/ontology/Histotype" in classes
    page.evaluate("""(() => { const y = sgYasgui.getTab().getYasqe();
        y.setValue('PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/>\\nSELECT * WHERE { ?x a sg:Histo');
        y.setCursor({line: 1, ch: 35}); y.autocomplete(); })()""")
    page.wait_for("document.querySelectorAll('.CodeMirror-hints li').length > 0", timeout=15)
    hints = page.evaluate("[...document.querySelectorAll('.CodeMirror-hints li')]"
                          ".map(li => li.innerText)")
    assert any("Histotype" in h for h in hints), hints
    shot(page, "editor-autocompletion")
    page.evaluate("""(() => { const s = document.getElementById('sg-examples');
        s.value = 'tumour-type-profile'; s.dispatchEvent(new Event('change')); })()""")
    page.wait_for("document.querySelector('.sg-param-form input[name=tumour]') !== null")
    page.evaluate("document.querySelector('.sg-param-form button').click()")
    page.wait_for("document.querySelectorAll('.yasr table tbody tr').length >= 1", timeout=30)
    page.evaluate("document.querySelector('.yasr').scrollIntoView()")
    shot(page, "editor-parameter-form")
    assert not outside_requests(page, site.url)


def _hints(page, text: str, line: int, ch: int) -> list[str]:
    page.evaluate(f"""(() => {{ const y = sgYasgui.getTab().getYasqe();
        y.setValue({json.dumps(text)}); y.setCursor({{line: {line}, ch: {ch}}}); y.autocomplete();
        }})()""")
    page.wait_for("document.querySelectorAll('.CodeMirror-hints li').length > 0", timeout=15)
    hints = page.evaluate("[...document.querySelectorAll('.CodeMirror-hints li')]"
                          ".map(li => li.innerText)")
    assert isinstance(hints, list)
    return hints


def test_editor_completes_prefixes_and_classes_from_the_service_description_graph(page, site):
    page.events.clear()
    page.navigate(site.url + "/")
    page.wait_for("window.sgYasgui !== undefined")
    # the page carries no prefix map of its own: every prefix offered comes from the graph
    assert page.evaluate("JSON.parse(document.getElementById('sg-config').textContent)"
                         ".prefixes") == {}
    prefixes = _hints(page, "PREFIX void-e", 0, 13)
    assert any("void-ext: <http://ldf.fi/void-ext#>" in h for h in prefixes), prefixes
    page.evaluate("document.querySelector('.CodeMirror-hints').scrollIntoView()")
    shot(page, "editor-prefix-from-service-graph")
    classes = _hints(page, "PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/>\n"
                           "SELECT * WHERE { ?x a sg:Targeted", 1, 33)
    assert any("TargetedTherapyStatement" in h for h in classes), classes
    shot(page, "editor-class-from-service-graph")
    sent = [e["params"]["request"]["url"] for e in page.events
            if e.get("method") == "Network.requestWillBeSent"]
    asked = [u for u in sent if u.startswith(site.url + "/sparql?ac=1&query=")]
    assert any("sh%3Aprefix" in u for u in asked), sent  # SIB's prefix query
    assert any("void%3ApropertyPartition" in u for u in asked), sent  # the VoID partitions
    assert not [u for u in sent if "/autocomplete?type=class" in u]  # no fallback needed


def test_docs_work_with_no_network(page, site):
    page.events.clear()
    page.navigate(site.url + "/docs")
    page.wait_for("document.querySelectorAll('.opblock').length > 3", timeout=30)
    assert "sarcoma-graph" in text(page, ".info")
    assert not outside_requests(page, site.url)
    shot(page, "docs")


def test_void_and_service_description_are_pages_for_a_browser(page, site):
    page.navigate(site.url + "/.well-known/void")
    assert text(page, "h1") == "VoID description of the dataset"
    assert "void:classPartition" in text(page)
    assert page.evaluate("document.querySelectorAll('#classes tr[id]').length") > 5
    shot(page, "void")
    page.navigate(site.url + "/sparql?query=" + "SELECT%20%3Fh%20WHERE%20%7B%20%3Fh%20a%20"
                  "%3Chttps%3A%2F%2Fw3id.org%2Fsarcoma-graph%2Fontology%2FHistotype%3E%20%7D")
    assert page.evaluate("document.querySelectorAll('table.results tr').length") > 3
    shot(page, "sparql-in-address-bar")


def _run_in_editor(page, site, sparql: str) -> None:
    page.navigate(site.url + "/")
    page.wait_for("window.sgYasgui !== undefined")
    page.evaluate(f"void sgYasgui.getTab().setQuery({json.dumps(sparql)})")
    page.evaluate("document.querySelector('.yasqe_queryButton').click()")
    page.wait_for("sgYasgui.getTab().getYasr().results !== undefined && "
                  "!!sgYasgui.getTab().getYasr().results", timeout=30)


def test_editor_chart_view_draws_bars_and_a_pie(page, site):
    _run_in_editor(page, site, "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } "
                               "GROUP BY ?type ORDER BY DESC(?n) LIMIT 8")
    page.evaluate("void sgYasgui.getTab().getYasr().selectPlugin('chart')")
    page.wait_for("document.querySelectorAll('.sg-bar rect.bar').length === 8")
    labels = page.evaluate("[...document.querySelectorAll('.sg-bar text')].map(t => t.textContent)")
    assert "CurationRecord" in labels, labels
    page.evaluate("document.querySelector('.yasr').scrollIntoView()")
    shot(page, "editor-chart-bar")
    page.evaluate("""(() => { const s = document.querySelector('.sg-chart-controls select');
        s.value = 'pie'; s.dispatchEvent(new Event('change')); })()""")
    page.wait_for("document.querySelectorAll('.sg-pie path.slice').length === 8")
    page.evaluate("document.querySelector('.yasr').scrollIntoView()")
    shot(page, "editor-chart-pie")


def test_editor_graph_view_of_a_construct(page, site):
    _run_in_editor(page, site, "PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/>\n"
                               "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                               "CONSTRUCT { ?a sg:hasTarget ?g . ?a rdfs:label ?l . ?g rdfs:label ?m }"
                               " WHERE { ?a sg:hasTarget ?g ; rdfs:label ?l . ?g rdfs:label ?m "
                               "FILTER(lang(?l) = 'en') } LIMIT 40")
    page.evaluate("void sgYasgui.getTab().getYasr().selectPlugin('graph')")
    page.wait_for("document.querySelectorAll('.sg-graph circle.node').length > 5")
    names = page.evaluate("[...document.querySelectorAll('.sg-graph text')].map(t => t.textContent)")
    genes = {"ALK", "KIT", "PDGFRA", "CD274", "PDCD1", "MDM2", "CDK4", "NTRK1", "CSF1R", "VEGFR"}
    assert "hasTarget" in names and genes & set(names), sorted(set(names))[:40]  # labels shown
    page.evaluate("document.querySelector('.yasr').scrollIntoView()")
    shot(page, "editor-graph-view")


@contextlib.contextmanager
def on_a_phone(page, path: str) -> Iterator[None]:
    """The page at ``path`` in a 390 x 844 phone screen (the emulation undone after)."""
    page.send("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1,
              mobile=True)
    try:
        page.navigate(path)
        page.wait_for("document.readyState === 'complete'")
        yield
    finally:
        page.send("Emulation.clearDeviceMetricsOverride")


@pytest.mark.parametrize("path", ["/id/histotype/giant-cell-tumour-of-bone", "/id/agent/denosumab",
                                  "/queries", "/", "/.well-known/void", "/ontology/Agent",
                                  "/ontology"])
def test_pages_fit_a_phone_screen(page, site, path):
    """At 390 CSS pixels (a phone) no page is wider than the screen: the mechanism picture
    scales down, badges wrap, wide tables scroll inside themselves."""
    with on_a_phone(page, site.url + path):
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_a_phone_each_fact_shows_its_provenance_on_screen(page, site):
    """Review r13 F7: at 390 px the provenance column was off-screen in a table that scrolled
    sideways with no sign of it; the facts now stack, each cell named."""
    with on_a_phone(page, site.url + "/id/agent/imatinib"):
        right = page.evaluate("Math.max(...[...document.querySelectorAll('#facts td[data-label="
                              "\"Provenance\"]')].map(td => td.getBoundingClientRect().right))")
        assert 0 < right <= 390
        label = page.evaluate("getComputedStyle(document.querySelector('#facts td[data-label="
                              "\"Provenance\"]'), '::before').content")
        assert "Provenance" in label


def test_a_printed_entity_page_shows_its_quotes_and_not_the_site_header(page, site):
    """Review r13 F5: printing dropped every quote (closed <details>) and printed the header
    and the search box."""
    page.navigate(site.url + "/id/agent/imatinib")
    page.wait_for("document.readyState === 'complete'")
    closed = page.evaluate("document.querySelectorAll('#facts details:not([open])').length")
    assert closed > 0
    page.evaluate("void window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("document.querySelectorAll('#facts details:not([open])').length") == 0
    page.send("Emulation.setEmulatedMedia", media="print")
    try:
        assert page.evaluate("getComputedStyle(document.querySelector('header.sg')).display") == "none"
    finally:
        page.send("Emulation.setEmulatedMedia", media="")
    page.evaluate("void window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate("document.querySelectorAll('#facts details:not([open])').length") == closed


def test_on_a_phone_the_mechanism_picture_keeps_readable_text_and_scrolls(page, site):
    """Review r12 F13 (again in r13): at 390 px the mechanism picture scaled its text down to
    about 5 px. On a phone it keeps its size and scrolls sideways inside its figure."""
    with on_a_phone(page, site.url + "/id/histotype/gastrointestinal-stromal-tumour"):
        size = page.evaluate("document.querySelector('figure.chains .chain-label')"
                             ".getBoundingClientRect().height")
        assert size >= 10, size  # 12 px text, not scaled to a third
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        figure = page.evaluate("(() => { const f = document.querySelector('figure.chains');"
                               " return [f.scrollWidth, f.clientWidth]; })()")
        assert figure[0] > figure[1]  # the picture scrolls inside its figure


def _luminance(rgb: str) -> float:
    """The relative luminance (WCAG 2.2) of a computed ``rgb(r, g, b)`` colour."""
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


_CANVAS = ("(() => { const d = document.createElement('div'); d.style.background = 'Canvas';"
           " document.body.append(d); const c = getComputedStyle(d).backgroundColor; d.remove();"
           " return c; })()")


def _fills(page, selector: str) -> list[str]:
    return page.evaluate(f"[...document.querySelectorAll({json.dumps(selector)})]"
                         ".map(e => getComputedStyle(e).fill)")


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_in_forced_colours_the_pictures_and_the_editors_buttons_keep_their_contrast(page, site, scheme):
    """Review r16 browser F3: in forced colours with a dark theme (Windows "High contrast
    black") the forest plot's labels and panel titles kept their black fill on the black canvas,
    the mechanism legend was dark grey on black, and the editor's ▶ and Share were #505050 on
    black. Text takes the system colours (4.5:1 at least), the editor's icons ButtonText (3:1)."""
    page.send("Emulation.setEmulatedMedia", features=[
        {"name": "forced-colors", "value": "active"},
        {"name": "prefers-color-scheme", "value": scheme}])
    try:
        page.navigate(site.url + "/id/study/impresarc")
        page.wait_for("document.querySelectorAll('.forest svg text').length > 5")
        canvas = page.evaluate(_CANVAS)
        fills = _fills(page, ".forest svg text")
        assert all(contrast(f, canvas) >= 4.5 for f in fills), (canvas, fills)
        points = _fills(page, ".forest svg rect.point")
        assert points and all(contrast(f, canvas) >= 3 for f in points), (canvas, points)
        page.navigate(site.url + "/id/histotype/desmoid-tumour")
        page.wait_for("document.querySelector('.chains svg .chain-legend') !== null")
        assert contrast(_fills(page, ".chains svg .chain-legend")[0], canvas) >= 4.5
        boxes = page.evaluate("[...document.querySelectorAll('.chains svg text.chain-label')]"
                              ".map(t => [getComputedStyle(t).fill, getComputedStyle("
                              "t.parentNode.querySelector('rect')).fill])")
        assert boxes and all(contrast(text, box) >= 4.5 for text, box in boxes), boxes
        page.navigate(site.url + "/")
        page.wait_for("document.querySelector('.yasqe_queryButton svg') !== null")
        icons = _fills(page, ".yasqe_buttons svg")
        assert len(icons) >= 2 and all(contrast(f, canvas) >= 3 for f in icons), (canvas, icons)
        shot(page, f"forced-colours-{scheme}")
    finally:
        page.send("Emulation.setEmulatedMedia", features=[])
