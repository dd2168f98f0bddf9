"""Query answers as a page, for a browser that opens ``/sparql?query=…`` or
``/queries/{name}`` in its address bar: a table (links to this server's pages), or the
Turtle of a CONSTRUCT, with a link to open the query in the editor."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import quote

from sarcoma_graph.serve.pages.layout import curie, document, href

#: The most characters a cell of a page shows
CELL_CHARS = 2000


def _cell(term: dict[str, str] | None, root: str) -> str:
    if not term:
        return ""
    value = term.get("value", "")
    if len(value) > CELL_CHARS:
        value = value[:CELL_CHARS] + f"… ({len(term['value']):,} characters in all)"
    if term.get("type") == "uri":
        target = href(value, root)
        text = escape(curie(value) or value)
        return f'<a href="{escape(target)}">{text}</a>' if target else text
    tag = term.get("xml:lang") or ""  # the page is English: only another language is said
    other = tag and not tag.lower().startswith("en")
    return escape(value) + (f' <span class="curie">@{escape(tag)}</span>' if other else "")


#: the most bytes of table rows a results page holds (1,000 rows of a dozen 2,000-character
#: cells made a 96 MB page, probe r13 L1)
PAGE_BYTES = 4 * 1024 * 1024


def results_page(title: str, sparql: str, kind: str, body: bytes, root: str,
                 intro: str = "", max_rows: int | None = None, footer: str = "") -> str:
    """The page of one answer (``kind`` is ``bindings``, ``boolean`` or ``graph``); ``intro``
    is HTML put under the title (a named query's description and parameter values). Past
    ``max_rows`` rows (or as many characters of a graph) the page says the rest is in the files."""
    more = ""
    editor = f"{escape(root)}/#query={escape(quote(sparql))}"
    head = (f"<h1>{escape(title)}</h1><p><a href=\"{editor}\">Open in the SPARQL editor</a> · "
            "add <code>format=json|xml|csv|tsv|ttl</code> to the URL for a file</p>" + intro)
    if kind == "graph":
        text = body.decode("utf-8")
        if max_rows is not None and len(text) > max_rows * 200:
            text, more = text[:max_rows * 200] + "\n…", "the first part of the graph"
        content = f"<pre>{escape(text)}</pre>"
    else:
        data = json.loads(body)
        if "boolean" in data:
            content = f'<p class="answer">Answer: <strong>{str(data["boolean"]).lower()}</strong></p>'
        else:
            names = data["head"]["vars"]
            rows = data["results"]["bindings"]
            if max_rows is not None and len(rows) > max_rows:
                rows, more = rows[:max_rows], f"the first {max_rows:,} rows"
            header = "".join(f"<th>{escape(n)}</th>" for n in names)
            lines: list[str] = []
            size = 0
            for index, row in enumerate(rows):
                line = "<tr>" + "".join(f"<td>{_cell(row.get(n), root)}</td>" for n in names) + \
                    "</tr>"
                size += len(line)
                if size > PAGE_BYTES and lines:  # wide rows: a byte budget besides the rows
                    more = f"the first {index:,} rows"
                    break
                lines.append(line)
            counted = f"{len(lines)} row(s)" if not more else f"{more} (more follow)"
            content = (f"<p>{counted}</p><div class=\"table-wrap\"><table "
                       f"class=\"results\"><tr>{header}</tr>{''.join(lines)}</table></div>")
    if more:
        content += (f'<p class="needs">This page shows {more}. The whole answer: add '
                    "<code>format=csv</code> (or json, tsv, xml, ttl) to the URL.</p>")
    query = f"<details><summary>Query</summary><pre>{escape(sparql)}</pre></details>"
    return document(title, head + content + query, root, footer=footer)
