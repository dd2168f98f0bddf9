"""A page for a small set of triples (the service description): grouped by subject,
properties as CURIEs, the dataset's own IRIs linked to this server's pages."""

from __future__ import annotations

from html import escape

import pyoxigraph as ox

from sarcoma_graph.serve.pages.layout import curie, document, href, void_anchor


def _term(term: object, root: str) -> str:
    if isinstance(term, ox.NamedNode):
        target = href(term.value, root)
        text = escape(curie(term.value) or term.value)
        return f'<a href="{escape(target)}">{text}</a>' if target else text
    if isinstance(term, ox.Literal):
        return escape(term.value)
    return f"<code>{escape(str(term))}</code>"


def triples_page(title: str, triples: list[ox.Triple], root: str, footer: str = "") -> str:
    """The triples grouped by subject; ask with an RDF ``Accept`` (or ``?format=ttl``) for RDF."""
    subjects: dict[str, list[ox.Triple]] = {}
    for triple in triples:
        subjects.setdefault(str(triple.subject), []).append(triple)
    sections = []
    for subject, items in subjects.items():
        rows = "".join(f"<tr><td>{_term(t.predicate, root)}</td><td>{_term(t.object, root)}"
                       "</td></tr>" for t in sorted(items, key=lambda t: (str(t.predicate),
                                                                           str(t.object))))
        anchor = void_anchor(subject.strip("<>"))  # where the partitions' links land
        ident = f' id="{escape(anchor)}"' if anchor else ""
        sections.append(f"<h2 class=\"iri\"{ident}>{escape(subject.strip('<>'))}</h2>"
                        f"<table><tr><th>Property</th><th>Value</th></tr>{rows}</table>")
    body = (f"<h1>{escape(title)}</h1><p>RDF for clients: ask with <code>Accept: text/turtle"
            "</code> (or JSON-LD, N-Triples, RDF/XML), or add <code>?format=ttl</code>.</p>"
            + "".join(sections))
    return document(title, body, root, footer=footer)
