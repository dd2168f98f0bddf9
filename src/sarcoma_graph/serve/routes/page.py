"""The web page at ``/``: a SPARQL editor (YASGUI, bundled) with the named queries as examples,
in one tab (YASGUI's tab bar, its "+" and its menu are hidden: the page's draft and example
handlers hold for that one editor), and the bundled assets under ``/static/`` (held in memory,
with ``ETag``s).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from html import escape
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from sarcoma_graph.namespaces import BASE, SG
from sarcoma_graph.serve.cache import etag_matches
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.pages.layout import STYLE, search_box
from sarcoma_graph.serve.state import State
from sarcoma_graph.serve.statistics import VoidStats, missing_graphs, stats

ASSETS = {"yasgui/yasgui.min.js": "text/javascript", "yasgui/yasgui.min.css": "text/css",
          "yasgui/LICENSE.txt": "text/plain", "yasgui/yasgui.min.js.LICENSE.txt": "text/plain",
          "yasgui/README.md": "text/markdown", "app.js": "text/javascript",
          "search.js": "text/javascript", "views.js": "text/javascript",
          "favicon.ico": "image/x-icon",
          "swagger-ui/swagger-ui-bundle.js": "text/javascript",
          "swagger-ui/swagger-ui.css": "text/css", "swagger-ui/LICENSE": "text/plain",
          "swagger-ui/NOTICE": "text/plain", "swagger-ui/README.md": "text/markdown"}


@cache
def asset(name: str) -> tuple[bytes, str]:
    """The bytes and ``ETag`` of a bundled file."""
    data = resources.files("sarcoma_graph.serve").joinpath("static", name).read_bytes()
    return data, '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'


def _script_json(value: object) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>``, no HTML specials)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


#: the example the editor opens on (a question about the data, answered without parameters)
FIRST_EXAMPLE = "agents-targeting-causal-alterations"


def editor_page(endpoint: str, queries: list[dict[str, object]], root: str,
                about: str = "", prefixes: dict[str, str] | None = None,
                timeout: float | None = None, footer: str = "") -> str:
    config = _script_json({"endpoint": endpoint, "queries": queries, "root": root,
                           "prefixes": prefixes or {}, "first": FIRST_EXAMPLE, "base": BASE,
                           "timeout": timeout})
    static = escape(root) + "/static"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>sarcoma-graph SPARQL endpoint</title><meta name="viewport" content="width=device-width">
<link rel="icon" href="{escape(root)}/favicon.ico">
<link rel="stylesheet" href="{static}/yasgui/yasgui.min.css"><style>{STYLE}
#sg-params,#sg-about,#sg-keys{{padding:0 1rem;margin:.3rem 0}}#sg-keys{{font-size:.85rem}}
#sg-params input{{font-family:monospace}}
.skip{{position:absolute;left:-9999px}}.skip:focus{{left:1rem;top:.4rem;z-index:2000;
background:#fff;padding:.3rem .6rem;border:2px solid #0b5394}}
.sg-param-problem{{color:#8a1c1c;background:#fdecec;padding:.3rem .6rem;border-left:4px solid #c65454}}
#sg-dataset{{padding:.2rem 1rem;font-size:.92rem;color:#333}}#sg-dataset p{{margin:.2rem 0}}
ul.sg-counts{{display:flex;flex-wrap:wrap;gap:.2rem 1.1rem;list-style:none;padding:0;margin:.2rem 0}}
.sg-chart-controls{{margin:.4rem 0}}.sg-chart-controls label{{margin-right:1rem}}
.yasr .expandable:not(.expanded) a{{pointer-events:auto}}
#sg-hint{{margin:.4rem 1rem;padding:.3rem .6rem;background:#fdecec;border-left:4px solid #c65454}}
#sg-running{{margin:.4rem 1rem;padding:.3rem .6rem;background:#fff4d6;border-left:4px solid #d9a400}}
#yasgui .tabsList{{display:none}}
.yasr.sg-stale .yasr_results,.yasr.sg-stale .yasr_response_chip{{display:none}}
#yasgui .CodeMirror-focused{{outline:2px solid #0b5394;outline-offset:1px}}
/* the column-resize grips sit outside the table's scrolling box and widened a phone's page
   to 917 px (review r15 browser F9); they cannot be dragged on a touch screen anyway. Only the
   grips go: YASR puts the class grip-resizable on the table itself (review r16 browser F2) */
@media (max-width:40rem),(pointer:coarse){{.yasr .grip-container,
.yasr .grip-handle{{display:none}}}}
/* forced colours leave YASGUI's icon fills (#505050) on the black canvas of a dark high-contrast
   theme (review r16 browser F3): the icons take the buttons' system colour */
@media (forced-colors:active){{.yasqe .yasqe_buttons svg,.yasr .yasr_btn,
.yasr .yasr_results .yasr_btn.overlay_btn svg{{fill:ButtonText}}
.yasr .yasr_btn.selected{{fill:Highlight}}}}
</style>
<style>body{{font-family:system-ui,sans-serif;margin:0}}header{{padding:.6rem 1rem;
background:#f4f4f4;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}}
header h1{{font-size:1.1rem;margin:0}}#sg-about{{color:#555;font-size:.9rem}}
@media (max-width:40rem){{header.sg label{{display:block;width:100%}}
#sg-examples{{width:100%}}}}</style></head>
<body><span id="sg-top" tabindex="-1"></span><a class="skip" href="#yasgui">Skip to the query
editor</a><header class="sg"><h1>sarcoma-graph</h1>
<label>Example query: <select id="sg-examples"><option value="">— choose —</option></select></label>
<nav><a href="{escape(root)}/queries">Named queries</a><a href="{escape(root)}/ontology">Ontology</a>
<a href="{escape(root)}/shapes">Shapes</a><a href="{escape(root)}/.well-known/void">VoID</a>
<a href="{escape(root)}/docs">API</a></nav>
{search_box(root)}</header>
<main id="sg-main">
<div id="sg-params"></div><p id="sg-about"></p>
<p class="muted" id="sg-keys">In the editor, Tab indents; press Esc, then Tab, to move on.
Ctrl+Enter runs the query.</p>
{about}
<p id="sg-running" role="status" hidden></p><p id="sg-hint" role="status" hidden></p>
<div id="yasgui"></div>
{_plain_form(endpoint, queries)}
</main>{footer}
<script type="application/json" id="sg-config">{config}</script>
<script src="{static}/yasgui/yasgui.min.js"></script>
<script src="{static}/views.js"></script><script src="{static}/app.js"></script>
<script src="{static}/search.js"></script></body></html>
"""


def _plain_form(endpoint: str, queries: list[dict[str, object]]) -> str:
    """The editor without JavaScript: a text box that sends the query to ``/sparql`` and gets
    the answer as a page (``format=html``)."""
    first = next((str(q["sparql"]) for q in queries if q["name"] == FIRST_EXAMPLE),
                 "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    text = "\n".join(line for line in first.splitlines() if not line.startswith("#+"))
    # without JavaScript the example picker and the editor's key hints do nothing: hidden
    return ('<noscript><style>header.sg label,#sg-keys{display:none}</style>'
            f'<form method="get" action="{escape(endpoint)}" id="sg-plain">'
            "<p>The editor needs JavaScript. Without it, write a SPARQL query here and run it; "
            "the answer comes back as a page.</p>"
            f'<p><textarea name="query" rows="16" aria-label="SPARQL query" '
            f'style="width:100%;box-sizing:border-box;font-family:monospace">{escape(text.strip())}</textarea></p>'
            '<input type="hidden" name="format" value="html"><p><button type="submit">Run the '
            "query</button></p></form></noscript>")


def dataset_about(counts: VoidStats, root: str) -> str:
    """A short description of the dataset with its counts (for the home page)."""
    per_class = dict(counts.classes)
    picked = [(name, per_class.get(SG + name, 0)) for name in _COUNTED]
    items = "".join(f'<li><a href="{escape(root)}/ontology/{n}">{escape(n)}</a>: {c}</li>'
                    for n, c in picked if c)
    return (f'<section id="sg-dataset"><p>The '
            "systemic treatment of soft-tissue sarcomas, curated fact by fact from a French review "
            "(2025) and the IMPRESARC cohort, each fact with the passage it rests on "
            f'(<a href="{escape(root)}/ontology/Document">the source documents</a>). '
            f"{counts.triples} triples, {counts.entities} entities, {len(counts.classes)} classes, "
            f"{len(counts.data_graphs)} named graphs of data"
            + (" (and one that describes them: VoID, examples, prefixes). "
               if len(counts.data_graphs) < len(counts.graphs) else ". ") +
            f'<a href="{escape(root)}/id/study/impresarc#picture">IMPRESARC outcomes (forest plot)'
            f'</a>.</p><ul class="sg-counts">{items}</ul></section>')


_COUNTED = ("Histotype", "GeneticAlteration", "Gene", "Drug", "DrugClass", "EvidenceStatement",
            "OutcomeMeasurement", "CurationRecord", "CivicEvidenceItem")


async def index(request: Request, state: State) -> Response:
    missing = await missing_graphs(state)
    queries: list[dict[str, object]] = [{"name": q.name, "title": q.title, "description": q.description,
                "missingGraphs": list(missing.get(q.name, ())),
                "sparql": q.text, "parameters": [{"name": p.name, "kind": p.kind,
                                                   "description": p.description,
                                                   "default": p.default}
                                                  for p in q.parameters]}
               for _, q in sorted(state.queries.items())]
    root = request.scope.get("root_path", "").rstrip("/")
    about = dataset_about(await stats(state), root)
    # the editor reads the prefixes from the self-description graph when the store has it;
    # the page carries them only for an endpoint without it
    prefixes = {} if state.self_described else dict(state.prefixes)
    endpoint = str(request.url_for("sparql"))
    # the editor connects to this endpoint only (review r16 browser F14: a link's endpoint=
    # showed another server's answers under this site's name)
    origin = "/".join(endpoint.split("/", 3)[:3])
    return HTMLResponse(editor_page(endpoint, queries, root, about, prefixes,
                                    state.settings.timeout, state.footer(root)),
                        headers={"Content-Security-Policy": f"connect-src 'self' {origin}"})


async def favicon(request: Request) -> Response:
    return await static(request, "favicon.ico")


async def docs(request: Request) -> Response:
    """Swagger UI from the bundled assets (works offline)."""
    root = request.scope.get("root_path", "").rstrip("/")
    return get_swagger_ui_html(openapi_url=root + "/openapi.json",
                               title="sarcoma-graph API",
                               swagger_js_url=root + "/static/swagger-ui/swagger-ui-bundle.js",
                               swagger_css_url=root + "/static/swagger-ui/swagger-ui.css",
                               swagger_favicon_url=root + "/favicon.ico")


async def static(request: Request, name: str) -> Response:
    if name not in ASSETS:
        raise HttpError(404, f"no static file {name!r}")
    data, etag = asset(name)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600"}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    media_type = ASSETS[name] + ("; charset=utf-8" if ASSETS[name].startswith("text/") else "")
    return Response(data, headers=headers, media_type=media_type)


def add_routes(router: APIRouter) -> None:
    router.add_api_route("/", index, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_api_route("/favicon.ico", favicon, methods=["GET", "HEAD"],
                         include_in_schema=False)
    router.add_api_route("/docs", docs, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_api_route("/static/{name:path}", static, methods=["GET", "HEAD"],
                         include_in_schema=False)
