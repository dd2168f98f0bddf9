"""Review r15 browser F1: no page said which release the site serves, under which licence,
or how to cite it. Every page of the site (the editor, entity pages, the VoID, the named
queries, search, results, shapes, errors) ends with a footer: the version, the data licence
(linked), a "cite as" line built from the project's ``CITATION.cff`` when the server can read
it, and links to the VoID description and the ontology, none of them broken."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from urllib.parse import quote

import httpx
import pytest

from sarcoma_graph import __version__
from sarcoma_graph.dataset import save_dataset
from sarcoma_graph.project import Project
from sarcoma_graph.serve.pages.footer import cite_as
from sarcoma_graph.serve.settings import LICENSE
from tests.conftest import ROOT
from tests.serve_fixtures import serving

pytest_plugins = ["tests.serve_fixtures"]

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGES = ["/", "/queries", "/id/histotype/chordoma", "/.well-known/void", "/search?q=kit",
         "/sparql?format=html&query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 2"),
         "/sparql", "/shapes", "/id/histotype/no-such-thing"]


class Footer(HTMLParser):
    """The text and the links of the page's ``<footer>``."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.count, self.text, self.hrefs = 0, 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag == "footer":
            self.depth += 1
            self.count += 1
        if self.depth and tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag == "footer":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def footer_of(page: str) -> Footer:
    found = Footer()
    found.feed(page)
    return found


@pytest.fixture(scope="module")
def cited(tmp_path_factory):
    """A server over a project with the repository's ``CITATION.cff``."""
    from tests.serve_fixtures import make_project

    project = make_project(tmp_path_factory.mktemp("cited-project"))
    shutil.copy(ROOT / "CITATION.cff", project / "CITATION.cff")
    with serving(project) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.mark.parametrize("path", PAGES)
def test_every_page_says_its_release_licence_and_how_to_cite_it(cited, path):
    answer = cited.get(path, headers={"accept": BROWSER})
    assert answer.headers["content-type"].startswith("text/html"), path
    footer = footer_of(answer.text)
    assert footer.count == 1, path
    text = " ".join("".join(footer.text).split())
    assert f"sarcoma-graph {__version__}" in text
    assert "CC BY 4.0" in text and LICENSE in footer.hrefs
    assert {"/.well-known/void", "/ontology"} <= set(footer.hrefs)
    assert "Cite as: sarcoma-graph contributors (2026). sarcoma-graph: an open knowledge graph" in text
    assert f"Version {__version__}" in text  # CITATION.cff follows the release (a test says so)


def test_without_a_citation_file_the_footer_has_no_cite_as_line(client):
    footer = footer_of(client.get("/queries", headers={"accept": BROWSER}).text)
    text = "".join(footer.text)
    assert footer.count == 1 and f"sarcoma-graph {__version__}" in text
    assert "Cite as" not in text


def test_cite_as_is_built_from_the_citation_file(tmp_path):
    assert cite_as(tmp_path / "CITATION.cff") is None  # no file
    (tmp_path / "CITATION.cff").write_text("title: [unclosed\n")
    assert cite_as(tmp_path / "CITATION.cff") is None  # not YAML
    (tmp_path / "CITATION.cff").write_text(
        'title: "T"\nversion: 1.2\ndate-released: 2024-05-06\nurl: "https://example.org/t"\n'
        "authors:\n  - family-names: Doe\n    given-names: Jane\n  - name: The Lab\n"
        "identifiers:\n  - type: doi\n    value: 10.1234/x\n")
    assert cite_as(tmp_path / "CITATION.cff") == \
        "Jane Doe, The Lab (2024). T. Version 1.2. https://doi.org/10.1234/x"
    real = cite_as(ROOT / "CITATION.cff")
    assert real is not None and real.endswith(f"Version {__version__}. https://w3id.org/sarcoma-graph")


@pytest.fixture(scope="module")
def site(curated_store, tmp_path_factory):
    """``sarcoma-graph serve`` over the built and reasoned curated graph."""
    build = tmp_path_factory.mktemp("footer-build")
    save_dataset(curated_store, Project(ROOT, build), "reason")
    with serving(ROOT, build_dir=build) as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.mark.slow
def test_the_footer_links_of_the_real_site_all_answer(site):
    """The footer's own links (VoID, ontology) and the editor page's answer, for the real
    graph; the licence is a Creative Commons page (not fetched: no network in the tests)."""
    seen: set[str] = set()
    for path in ("/", "/id/histotype/desmoid-tumour", "/ontology", "/queries"):
        page = site.get(path, headers={"accept": BROWSER})
        assert page.status_code == 200, path
        footer = footer_of(page.text)
        assert footer.count == 1, path
        seen.update(h for h in footer.hrefs if h.startswith("/"))
    assert seen
    for href in sorted(seen):
        answer = site.get(href, headers={"accept": BROWSER}, follow_redirects=True)
        assert answer.status_code == 200, href
        assert re.search(r"<footer", answer.text), href
