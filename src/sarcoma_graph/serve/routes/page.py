"""The web page at ``/``: a SPARQL editor (YASGUI, bundled) with the named queries as examples,
and the bundled assets under ``/static/`` (held in memory, with ``ETag``s).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from html import escape
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sarcoma_graph.serve.cache import etag_matches
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.state import State

ASSETS = {"yasgui/yasgui.min.js": "text/javascript", "yasgui/yasgui.min.css": "text/css",
          "yasgui/LICENSE.txt": "text/plain", "yasgui/yasgui.min.js.LICENSE.txt": "text/plain",
          "yasgui/README.md": "text/markdown", "app.js": "text/javascript"}


@cache
def asset(name: str) -> tuple[bytes, str]:
    """The bytes and ``ETag`` of a bundled file."""
    data = resources.files("sarcoma_graph.serve").joinpath("static", name).read_bytes()
    return data, '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'


def _script_json(value: object) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>``, no HTML specials)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def editor_page(endpoint: str, queries: list[dict[str, str]], root: str) -> str:
    config = _script_json({"endpoint": endpoint, "queries": queries})
    static = escape(root) + "/static"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>sarcoma-graph SPARQL endpoint</title><meta name="viewport" content="width=device-width">
<link rel="stylesheet" href="{static}/yasgui/yasgui.min.css">
<style>body{{font-family:system-ui,sans-serif;margin:0}}header{{padding:.6rem 1rem;
background:#f4f4f4;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}}
header h1{{font-size:1.1rem;margin:0}}#sg-about{{color:#555;font-size:.9rem}}</style></head>
<body><header><h1>sarcoma-graph</h1>
<label>Example query: <select id="sg-examples"><option value="">— choose —</option></select></label>
<span id="sg-about"></span><a href="{escape(root)}/queries">named queries (JSON)</a>
<a href="{escape(root)}/.well-known/void">VoID</a><a href="{escape(root)}/docs">API</a></header>
<div id="yasgui"></div>
<script type="application/json" id="sg-config">{config}</script>
<script src="{static}/yasgui/yasgui.min.js"></script>
<script src="{static}/app.js"></script></body></html>
"""


async def index(request: Request, state: State) -> Response:
    queries = [{"name": q.name, "title": q.title, "description": q.description,
                "sparql": q.text} for _, q in sorted(state.queries.items())]
    root = request.scope.get("root_path", "").rstrip("/")
    return HTMLResponse(editor_page(str(request.url_for("sparql")), queries, root))


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
    router.add_api_route("/static/{name:path}", static, methods=["GET", "HEAD"],
                         include_in_schema=False)
