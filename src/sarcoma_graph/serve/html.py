"""HTML for people: entity pages. Every text and attribute goes through ``html.escape``, and
only ``http(s)`` IRIs become links (a ``javascript:`` IRI in the data stays text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

import pyoxigraph as ox

from sarcoma_graph.namespaces import BASE

MAPPINGS = {
    "http://www.w3.org/2004/02/skos/core#exactMatch", "http://www.w3.org/2004/02/skos/core#closeMatch",
    "http://www.w3.org/2004/02/skos/core#broadMatch", "http://www.w3.org/2004/02/skos/core#narrowMatch",
    "http://www.w3.org/2004/02/skos/core#relatedMatch", "http://www.w3.org/2002/07/owl#sameAs",
    "http://www.w3.org/2002/07/owl#equivalentClass", "http://www.w3.org/2000/01/rdf-schema#seeAlso",
}
STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;
color:#222}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;
padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f4f4f4}code{color:#555}
.iri{font-size:.85em;color:#666}a{color:#0b5394}nav a{margin-right:1rem}"""


@dataclass(frozen=True)
class Link:
    """One row of an entity page: a property and a value, with labels when the data has them."""

    property: ox.NamedNode
    value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
    property_label: str | None = None
    value_label: str | None = None


def href(iri: str, root: str) -> str | None:
    """Where a link to an IRI goes: our entity pages for project IRIs, the IRI itself otherwise."""
    if iri.startswith((BASE + "id/", BASE + "ontology")):
        return root + "/" + iri[len(BASE):]
    return iri if iri.startswith(("http://", "https://")) else None


def term_html(term: object, label: str | None, link: Callable[[str], str | None]) -> str:
    """One term as HTML: a link with its label for IRIs, the text (and tag) for literals."""
    if isinstance(term, ox.NamedNode):
        target = link(term.value)
        text = escape(label or term.value)
        inner = f'<a href="{escape(target)}">{text}</a>' if target else text
        return inner + (f' <span class="iri">{escape(term.value)}</span>' if label else "")
    if isinstance(term, ox.Literal):
        tag = f"@{term.language}" if term.language else ""
        if not tag and not term.datatype.value.endswith("#string"):
            tag = "^^" + term.datatype.value.rsplit("#", 1)[-1]
        return escape(term.value) + (f" <code>{escape(tag)}</code>" if tag else "")
    return f"<code>{escape(str(term))}</code>"


def _rows(links: Sequence[Link], link: Callable[[str], str | None], incoming: bool) -> str:
    rows = []
    for item in links:
        prop = term_html(item.property, item.property_label, link)
        value = term_html(item.value, item.value_label, link)
        rows.append(f"<tr><td>{value}</td><td>{prop}</td></tr>" if incoming
                    else f"<tr><td>{prop}</td><td>{value}</td></tr>")
    return "\n".join(rows)


def entity_page(iri: str, label: str | None, types: Sequence[Link], outgoing: Sequence[Link],
                incoming: Sequence[Link], root: str) -> str:
    """The page of one entity: label, types, properties, external mappings, incoming links."""
    def link(target: str) -> str | None:
        return href(target, root)

    title = escape(label or iri)
    kinds = ", ".join(term_html(t.value, t.value_label, link) for t in types) or "—"
    mappings = [m for m in outgoing if m.property.value in MAPPINGS]
    mapping_list = "".join(f"<li>{term_html(m.value, m.value_label, link)}</li>" for m in mappings)
    sections = [
        f"<h1>{title}</h1>", f'<p class="iri">{escape(iri)}</p>', f"<p>Type: {kinds}</p>",
        "<h2>Properties</h2><table><tr><th>Property</th><th>Value</th></tr>",
        _rows(outgoing, link, incoming=False), "</table>"]
    if mappings:
        sections.append(f"<h2>Mappings</h2><ul>{mapping_list}</ul>")
    if incoming:
        sections += ["<h2>Referenced by</h2><table><tr><th>Subject</th><th>Property</th></tr>",
                     _rows(incoming, link, incoming=True), "</table>"]
    return document(label or iri, "\n".join(sections), root)


def document(title: str, body: str, root: str) -> str:
    """A complete HTML page around ``body`` (already escaped)."""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
            f" — sarcoma-graph</title><meta name=\"viewport\" content=\"width=device-width\">"
            f"<style>{STYLE}</style></head><body><nav><a href=\"{escape(root)}/\">SPARQL editor"
            f'</a><a href="{escape(root)}/queries">Named queries</a><a href="{escape(root)}'
            f'/docs">API</a></nav>\n{body}\n</body></html>\n')
