"""Label search (``/search?q=``: a page, or JSON suggestions for the search box) and the
editor's autocompletion source (``/autocomplete?type=class|property|entity&q=``)."""

from __future__ import annotations

import json

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sarcoma_graph.serve.answer import in_worker
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.negotiation import prefers_html
from sarcoma_graph.serve.pages.search import close_spellings, hit_json, results_page, search
from sarcoma_graph.serve.protocol import url_pairs
from sarcoma_graph.serve.state import State
from sarcoma_graph.store import Store

_TERMS = {
    "class": "SELECT DISTINCT ?x WHERE { ?s a ?x FILTER(isIRI(?x)) } ORDER BY ?x",
    "property": "SELECT DISTINCT ?x WHERE { ?s ?x ?o } ORDER BY ?x",
}
_JSON = "application/json"


def _text(request: Request) -> str:
    """The ``q`` parameter (its first 200 characters); 400 when it is given twice or is not
    UTF-8, as ``/sparql`` answers (the search would otherwise run on one of them silently)."""
    values = [v for k, v in url_pairs(request.scope) if k == "q"]
    if len(values) > 1:
        raise HttpError(400, f"'q' is given {len(values)} times; give the text to search once")
    return (values[0] if values else "")[:200]


async def search_route(request: Request, state: State) -> Response:
    text = _text(request)
    page = prefers_html(request, {_JSON: "json"})
    hits = await in_worker(state, search, text, 50 if page else 15)
    close = [] if hits else await in_worker(state, close_spellings, text, 15)
    root = request.scope.get("root_path", "").rstrip("/")
    if page:
        # the answer depends on Accept in both variants (RFC 9110 §12.5.5; probe r15 L4)
        return HTMLResponse(results_page(text, hits, root, close, state.footer(root)),
                            headers={"Vary": "Accept"})
    # the search box's suggestions: a misspelling still offers the entity (marked as close)
    body = json.dumps([hit_json(h, root) for h in hits]
                      + [{**hit_json(h, root), "close": True} for h in close], ensure_ascii=False)
    return Response(body, media_type=_JSON, headers={"Vary": "Accept"})


def vocabulary(store: Store, kind: str) -> list[str]:
    """Run in a worker: every class or property IRI used in the data."""
    return [x.value for row in store.query(_TERMS[kind]).bindings()
            if isinstance(x := row["x"], ox.NamedNode | ox.BlankNode | ox.Literal)]


async def autocomplete(request: Request, state: State) -> Response:
    kind = request.query_params.get("type", "entity")
    if kind in _TERMS:
        terms = await state.summary(f"terms-{kind}",
                                    lambda: in_worker(state, vocabulary, kind))
        text = _text(request).lower()
        found = [t for t in terms if text in t.lower()][:200]
        return Response(json.dumps(found), media_type=_JSON)
    hits = await in_worker(state, search, _text(request), 30)
    return Response(json.dumps([h.iri for h in hits]), media_type=_JSON)


def add_routes(router: APIRouter) -> None:
    router.add_api_route("/search", search_route, methods=["GET", "HEAD"], tags=["for people"],
                         summary="Search labels and synonyms (page, or JSON suggestions)",
                         response_class=Response)
    router.add_api_route("/autocomplete", autocomplete, methods=["GET", "HEAD"],
                         include_in_schema=False)  # HEAD for every GET (RFC 9110 §9.3.2)
