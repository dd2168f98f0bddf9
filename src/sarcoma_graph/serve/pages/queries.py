"""The named queries as a page: what each asks, a form for its parameters (sent to the REST
route ``/queries/{name}``, as a page or as a file), and a link to open it in the editor
(``/?example=NAME``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from urllib.parse import quote

from sarcoma_graph.catalogue import NamedQuery
from sarcoma_graph.serve.pages.layout import curie, document, href

#: what a form may ask for: a SELECT's or an ASK's rows, a CONSTRUCT's or DESCRIBE's graph
#: (review r15 browser F11: Turtle was offered for every query and gave the query's description)
FORMATS = {"rows": (("html", "page"), ("json", "JSON"), ("csv", "CSV"), ("tsv", "TSV"),
                    ("xml", "XML")),
           "graph": (("html", "page"), ("ttl", "Turtle"), ("jsonld", "JSON-LD"),
                     ("nt", "N-Triples"), ("rdf", "RDF/XML"))}


def query_form(query: NamedQuery, root: str, values: Mapping[str, str] | None = None) -> str:
    """A GET form to ``/queries/{name}`` with one input per parameter (the given values, else
    the defaults, filled in)."""
    inputs = []
    for p in query.parameters:
        value = (values or {}).get(p.name, p.default)
        # an IRI may be typed as a prefixed name (sgh:desmoid-tumour): a text box, not "url"
        kind = "number" if p.kind == "integer" else "text"
        hint = " (an IRI, or a prefixed name such as sggene:KIT)" if p.kind == "iri" else ""
        inputs.append(f'<label>{escape(p.name)} <input type="{kind}" name="{escape(p.name)}" '
                      f'value="{escape(value or "")}" size="60" '
                      f'title="{escape(p.description + hint)}"></label> '
                      f'<small class="muted">{escape(p.description + hint)}</small><br>')
    kind = "graph" if query.kind in ("construct", "describe") else "rows"
    options = "".join(f'<option value="{v}">{escape(t)}</option>' for v, t in FORMATS[kind])
    return (f'<form class="query-form" method="get" action="{escape(root)}/queries/'
            f'{escape(query.name)}">{"".join(inputs)}<label>as <select name="format">{options}'
            '</select></label> <button type="submit">Run</button></form>')


def _value_html(value: str, kind: str, root: str) -> str:
    if kind == "iri":
        target = href(value, root)
        text = f"<code>{escape(curie(value) or value)}</code>"
        return f'<a href="{escape(target)}">{text}</a>' if target else text
    return f"<code>{escape(value)}</code>"


def query_intro(query: NamedQuery, values: Mapping[str, str], root: str,
                missing: Sequence[str] = (), absent: Sequence[str] = ()) -> str:
    """Above a named query's answer: what it asks, and the value each parameter had (given, the
    default, or none: then the query is not restricted by it), with a form to change them."""
    terms = query.terms(values)  # prefixed names expanded; the route has checked the values
    rows = []
    for p in query.parameters:
        term = terms.get(p.name)
        source = "given" if values.get(p.name) else "default" if term else "not set: no restriction"
        shown = _value_html(term.value, p.kind, root) if term else "—"
        rows.append(f"<tr><th><code>{escape(p.name)}</code></th><td>{shown} "
                    f'<small class="muted">({source})</small></td>'
                    f"<td>{escape(p.description)}</td></tr>")
    params = (f'<table class="parameters"><caption>Parameters</caption>{"".join(rows)}</table>'
              f"<details><summary>Change the values</summary>{query_form(query, root, values)}"
              "</details>" if rows else "")
    return (f'<p class="description">{escape(query.description)}</p>{needs_note(missing)}'
            f"{absent_note(absent, root)}{params}")


def absent_note(absent: Sequence[str], root: str) -> str:
    """The parameter IRIs that name nothing in the graph (review r15 browser F8: a misspelt
    ``sggene:KITT`` gave 0 rows and no word)."""
    if not absent:
        return ""
    items = "".join(
        f'<li><code>{escape(iri)}</code>: search the labels for '
        f'<a href="{escape(root)}/search?q={quote(_local_name(iri))}">'
        f"{escape(_local_name(iri))}</a></li>" for iri in absent)
    return (f'<div class="needs" id="absent-values"><strong>Nothing in this graph is called</strong>'
            f"<ul>{items}</ul>so the answer below says nothing about it: check the spelling.</div>")


def _local_name(iri: str) -> str:
    return re.split(r"[/#:]", iri.rstrip("/#"))[-1].replace("-", " ")


def needs_note(missing: Sequence[str]) -> str:
    """What a query needs that this server lacks (``#+ needs:`` graphs it does not hold)."""
    if not missing:
        return ""
    names = ", ".join(f"<code>{escape(g)}</code>" for g in missing)
    how = (" Load it with <code>sarcoma-graph import civic</code>, then build again."
           if "civic" in missing else "")
    return (f'<p class="needs"><strong>Needs the named graph {names}, which this server does not '
            "hold:</strong> its answer here is empty, or says nothing is found where the data is "
            f"only missing.{how}</p>")


def queries_page(queries: Sequence[NamedQuery], root: str,
                 missing: Mapping[str, Sequence[str]] | None = None, footer: str = "") -> str:
    items = []
    for q in queries:
        # the editor page picks the example by name, with its description and parameter form
        # (review r16 browser F5: the bare #query= text came without them)
        editor = f"{escape(root)}/?example={escape(quote(q.name, safe=''))}"
        keywords = " ".join(f'<span class="badge">{escape(k)}</span>' for k in q.keywords)
        items.append(f'<section class="query" id="{escape(q.name)}">'
                     f'<h2><a href="#{escape(q.name)}">{escape(q.title)}</a></h2>'
                     f'<p><code>{escape(q.name)}</code> · {escape(q.kind)} {keywords}</p>'
                     f"<p>{escape(q.description)}</p>{needs_note((missing or {}).get(q.name, ()))}"
                     f"{query_form(q, root)}"
                     f'<p><a href="{editor}">Open in the SPARQL editor</a></p>'
                     f"<details><summary>SPARQL</summary><pre>{escape(q.text)}</pre></details>"
                     "</section>")
    body = (f"<h1>Named queries</h1><p>{len(queries)} queries, each a REST route "
            f"<code>/queries/{{name}}?param=value</code> (JSON for clients: "
            f'<a href="{escape(root)}/queries?format=json">/queries?format=json</a>).</p>'
            + "".join(items))
    return document("Named queries", body, root, footer=footer)
