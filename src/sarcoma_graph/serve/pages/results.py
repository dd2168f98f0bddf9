"""Query answers as a page, for a browser that opens ``/sparql?query=…`` or
``/queries/{name}`` in its address bar: a table (links to this server's pages), or the
Turtle of a CONSTRUCT, with a link to open the query in the editor."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import quote

from sarcoma_graph.serve.pages.layout import curie, document, href


def _cell(term: dict[str, str] | None, root: str) -> str:
    if not term:
        return ""
    value = term.get("value", "")
    if term.get("type") == "uri":
        target = href(value, root)
        text = escape(curie(value) or value)
        return f'<a href="{escape(target)}">{text}</a>' if target else text
    tag = term.get("xml:lang") or ""  # the page is English: only another language is said
    other = tag and not tag.lower().startswith("en")
    return escape(value) + (f' <span class="curie">@{escape(tag)}</span>' if other else "")


def results_page(title: str, sparql: str, kind: str, body: bytes, root: str,
                 intro: str = "") -> str:
    """The page of one answer (``kind`` is ``bindings``, ``boolean`` or ``graph``); ``intro``
    is HTML put under the title (a named query's description and parameter values)."""
    editor = f"{escape(root)}/#query={escape(quote(sparql))}"
    head = (f"<h1>{escape(title)}</h1><p><a href=\"{editor}\">Open in the SPARQL editor</a> · "
            "add <code>format=json|xml|csv|tsv|ttl</code> to the URL for a file</p>" + intro)
    if kind == "graph":
        content = f"<pre>{escape(body.decode('utf-8'))}</pre>"
    else:
        data = json.loads(body)
        if "boolean" in data:
            content = f'<p class="answer">Answer: <strong>{str(data["boolean"]).lower()}</strong></p>'
        else:
            names = data["head"]["vars"]
            rows = data["results"]["bindings"]
            header = "".join(f"<th>{escape(n)}</th>" for n in names)
            lines = "".join("<tr>" + "".join(f"<td>{_cell(r.get(n), root)}</td>" for n in names)
                            + "</tr>" for r in rows)
            content = (f"<p>{len(rows)} row(s)</p><div class=\"table-wrap\"><table "
                       f"class=\"results\"><tr>{header}</tr>{lines}</table></div>")
    query = f"<details><summary>Query</summary><pre>{escape(sparql)}</pre></details>"
    return document(title, head + content + query, root)
