"""The VoID page for people: the dataset's counts as tables (named graphs, classes, properties,
and per class what its members use), not the description's thousands of triples one by one
(1.2 MB of HTML for the curated graph). RDF clients get every triple at the same URL.

Each row carries the ``id`` of its partition (:func:`~.layout.void_anchor`), so a link to a
partition IRI lands on it; a value class links to its own row. The page also says which
release is served and where each graph downloads (the RDF's ``void:dataDump``, in each syntax
the Graph Store writes: review r16 browser F4).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import pyoxigraph as ox

from sarcoma_graph import __version__
from sarcoma_graph.describe import Release
from sarcoma_graph.plumbing.formats import RDF_SYNTAXES
from sarcoma_graph.serve.pages.layout import curie, document, href, void_anchor
from sarcoma_graph.serve.statistics import VoidStats

#: ``mint(kind, iri)``: a partition's IRI, given by the route module that mints them for the
#: RDF, so that the page's ids and the RDF's IRIs cannot disagree
Minter = Callable[[str, str], ox.NamedNode]
#: ``dump(graph)``: the URL that gives a named graph as a file (the RDF's ``void:dataDump``)
Dumper = Callable[[str], str]

#: the syntaxes a dump is offered in, as people know them (Turtle first: the Graph Store's default)
SYNTAX_NAMES = {"turtle": "Turtle", "ntriples": "N-Triples", "rdfxml": "RDF/XML",
                "jsonld": "JSON-LD", "nquads": "N-Quads", "trig": "TriG"}


def _name(iri: str, root: str, label: str | None = None) -> str:
    """A term as its label and CURIE (or IRI), linked where it has a page."""
    short = escape(curie(iri) or iri)
    text = f'{escape(label)} <span class="curie">{short}</span>' if label else short
    target = href(iri, root)
    return f'<a href="{escape(target)}">{text}</a>' if target else text


def _id(partition: str) -> str:
    anchor = void_anchor(partition)
    return f' id="{escape(anchor)}"' if anchor else ""


def _count(n: int) -> str:
    return f'<td class="n">{n:,}</td>'


class VoidView:
    """The page's tables, from the statistics and the partition IRIs the RDF uses."""

    def __init__(self, stats: VoidStats, mint: Minter, root: str, labels: dict[str, str]) -> None:
        self.stats, self.root, self.mint, self.labels = stats, root, mint, labels

    def name(self, iri: str) -> str:
        return _name(iri, self.root, self.labels.get(iri))

    def partition(self, kind: str, iri: str) -> str:
        return self.mint(kind, iri).value

    def overview(self, endpoint: str, license_iri: str, vocabularies: list[str],
                 release: Release | None = None) -> str:
        s = self.stats
        version = escape(release.version if release else __version__) + (
            f", released {escape(release.issued)}" if release and release.issued else "")
        rows = [("Version", version), ("Triples", f"{s.triples:,}"),
                ("Entities (distinct subjects)", f"{s.entities:,}"),
                ("Classes", f"{len(s.classes):,}"), ("Properties", f"{len(s.properties):,}"),
                ("Named graphs", f"{len(s.data_graphs):,}"),
                ("SPARQL endpoint", f'<a href="{escape(endpoint)}">{escape(endpoint)}</a>'),
                ("Licence", _name(license_iri, self.root)),
                ("Vocabularies", ", ".join(_name(v, self.root) for v in vocabularies))]
        return ('<section id="void/dataset"><h2>The dataset</h2><table>'
                + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
                + "</table></section>")

    def graphs(self) -> str:
        rows = "".join(f"<tr{_id(self.partition('graph', g))}><td>{_name(g, self.root)}</td>"
                       f"{_count(n)}</tr>" for g, n in self.stats.data_graphs)
        return ('<section id="graphs"><h2>Named graphs (subsets)</h2><table><tr><th>Graph</th>'
                f'<th class="n">Triples</th></tr>{rows}</table></section>')

    def downloads(self, dump: Dumper) -> str:
        """Each data graph's dump, one link per syntax (``format=`` the syntax's extension)."""
        syntaxes = sorted(RDF_SYNTAXES, key=lambda x: list(SYNTAX_NAMES).index(x.name))
        items = "".join(
            f"<li>{_name(g, self.root)} ({n:,} triples): "
            + " · ".join(f'<a href="{escape(dump(g))}&amp;format={x.extension.lstrip(".")}" '
                         f'download>{SYNTAX_NAMES[x.name]}</a>' for x in syntaxes)
            + "</li>" for g, n in self.stats.data_graphs)
        return ('<section id="download"><h2>Download</h2><p>Each named graph as a file, from the '
                "Graph Store (SPARQL 1.1 Graph Store Protocol; these are the "
                "<code>void:dataDump</code> addresses of the RDF, with the syntax chosen by "
                "<code>format=</code>), named <code>sarcoma-graph-GRAPH-VERSION</code> with the "
                f"syntax's extension.</p><ul>{items}</ul></section>")

    def _values(self, cls: str, prop: str) -> str:
        """The classes and datatypes of a property's values on a class's members."""
        known = {c for c, _ in self.stats.classes}
        parts = []
        for c, p, value, n in self.stats.value_classes:
            if (c, p) == (cls, prop):
                name = escape(self.labels.get(value) or curie(value) or value)
                if value in known:
                    target = f"{self.root}/.well-known/void#{void_anchor(self.partition('class', value))}"
                    name = f'<a href="{escape(target)}">{name}</a>'
                parts.append(f"{name} ({n:,})")
        parts += [f"{escape(curie(value) or value)} ({n:,})"
                  for c, p, value, n in self.stats.value_datatypes if (c, p) == (cls, prop)]
        return ", ".join(parts)

    def classes(self) -> str:
        uses: dict[str, list[tuple[str, int]]] = {}
        for cls, prop, n in self.stats.class_properties:
            uses.setdefault(cls, []).append((prop, n))
        rows = []
        for cls, n in self.stats.classes:
            inner = "".join(
                f"<tr{_id(self.partition('class-property', f'{cls} {prop}'))}>"
                f"<td>{self.name(prop)}</td>{_count(m)}<td>{self._values(cls, prop)}</td></tr>"
                for prop, m in uses.get(cls, []))
            detail = (f"<details><summary>{len(uses[cls])} properties</summary><table><tr>"
                      '<th>Property</th><th class="n">Triples</th><th>Values (class or datatype)</th>'
                      f"</tr>{inner}</table></details>") if inner else ""
            rows.append(f"<tr{_id(self.partition('class', cls))}><td>{self.name(cls)}</td>"
                        f"{_count(n)}<td>{detail}</td></tr>")
        return ('<section id="classes"><h2>Classes</h2><p class="muted">Members of each class, and '
                "what they use: open a row for its properties, their counts and the classes or "
                'datatypes of their values.</p><div class="table-wrap"><table><tr><th>Class</th>'
                f'<th class="n">Entities</th><th>Its members use</th></tr>{"".join(rows)}'
                "</table></div></section>")

    def properties(self) -> str:
        rows = "".join(f"<tr{_id(self.partition('property', p))}><td>{self.name(p)}</td>"
                       f"{_count(n)}</tr>" for p, n in self.stats.properties)
        return ('<section id="properties"><h2>Properties</h2><table><tr><th>Property</th>'
                f'<th class="n">Triples</th></tr>{rows}</table></section>')


def void_page(stats: VoidStats, mint: Minter, endpoint: str, license_iri: str,
              vocabularies: list[str], note: str, root: str, labels: dict[str, str],
              footer: str = "", release: Release | None = None, dump: Dumper | None = None) -> str:
    """The whole page; ``note`` says what the counts leave out (the self-description graph);
    ``labels``: the English labels of the classes and properties; ``release``: the served
    release's changelog entry, if it has one; ``dump``: where a graph downloads."""
    view = VoidView(stats, mint, root, labels)
    intro = ("<p>This server's <a href=\"https://www.w3.org/TR/void/\">VoID</a> description: "
             "what the dataset holds, counted. RDF for clients at this address: ask with "
             "<code>Accept: text/turtle</code> (or JSON-LD, N-Triples, RDF/XML), or add "
             "<code>?format=ttl</code>; it has every partition below as "
             "<code>void:classPartition</code> and <code>void:propertyPartition</code>.</p>"
             + (f'<p class="muted">{escape(note)}</p>' if note else "")
             + ('<p><a href="#download">Download</a> · ' if dump else "<p>")
             + '<a href="#graphs">Named graphs</a> · <a href="#classes">Classes</a> · '
             '<a href="#properties">Properties</a></p>')
    body = ("<h1>VoID description of the dataset</h1>" + intro
            + view.overview(endpoint, license_iri, vocabularies, release)
            + (view.downloads(dump) if dump else "") + view.graphs()
            + view.classes() + view.properties())
    return document("VoID description", body, root, footer=footer)
