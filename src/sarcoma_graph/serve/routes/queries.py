"""The named queries of ``queries/*.rq``: a REST route each (``GET /queries/{name}?param=``,
described in the OpenAPI document), a JSON list at ``/queries``, and their RDF description
as SPARQL examples at ``/.well-known/sparql-examples``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sarcoma_graph.catalogue import NamedQuery, absent_iris, paged
from sarcoma_graph.plumbing.formats import RDF_SYNTAXES, RESULTS_SYNTAXES
from sarcoma_graph.serve.answer import answer_query, cached, in_worker
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.jobs import QueryJob
from sarcoma_graph.serve.negotiation import RDF_OFFERS, RESULTS_OFFERS, accept_of, pick, prefers_html
from sarcoma_graph.serve.pages.queries import queries_page, query_intro
from sarcoma_graph.serve.protocol import url_pairs
from sarcoma_graph.serve.rdf import rdf_response
from sarcoma_graph.serve.routes.browser import page_answer, wants_page
from sarcoma_graph.serve.service_graph import examples_triples
from sarcoma_graph.serve.state import State
from sarcoma_graph.serve.statistics import missing_graphs
from sarcoma_graph.sparql_examples import example_triples

_KINDS = {"iri": "string", "literal": "string", "integer": "integer"}


def _values(request: Request) -> tuple[dict[str, str], dict[str, int]]:
    """The query's parameter values, and the page asked for (``limit``, ``offset``)."""
    values: dict[str, str] = {}
    page: dict[str, int] = {}
    for name, value in url_pairs(request.scope):
        if name in ("format", "output"):  # the answer's syntax (see negotiation.accept_of)
            continue
        if name in values or name in page:
            raise HttpError(400, f"parameter {name!r} is given more than once")
        if name in ("limit", "offset"):
            page[name] = _count(name, value)
        else:
            values[name] = value
    return values, page


def _count(name: str, value: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise HttpError(400, f"parameter {name!r} needs a whole number from 0 to 999999999, "
                             f"got {value!r}")
    return int(value)


async def run_named(request: Request, name: str,
                    state: State) -> Response:
    query = state.queries.get(name)
    if query is None:
        known = ", ".join(sorted(state.queries)) or "none"
        raise HttpError(404, f"no query named {name!r} (known: {known})")
    values, page = _values(request)
    try:
        text = paged(query.bind(values), **page)
    except ValueError as error:
        raise HttpError(400, str(error)) from None
    job = QueryJob(text)
    if query.kind in ("select", "ask") and asks_for_rdf_only(request):
        return await query_description(request, state, query)
    if wants_page(request):
        root = request.scope.get("root_path", "").rstrip("/")
        missing = (await missing_graphs(state)).get(name, ())
        absent = await in_worker(state, absent_iris, query, values) if values else []
        return await page_answer(request, state, job, query.title,
                                 query_intro(query, values, root, missing, absent))
    response = await answer_query(request, state, job)
    extension = _EXTENSIONS.get(response.headers.get("content-type", "").split(";")[0])
    if response.status_code == 200 and extension:  # saved under a name a spreadsheet opens
        response.headers["Content-Disposition"] = f'inline; filename="{name}.{extension}"'
    if response.status_code == 200 and values:
        absent = await in_worker(state, absent_iris, query, values)
        named = absent_parameters(query, values, absent)
        if named:
            response.headers[ABSENT_HEADER] = ", ".join(named)
    return response


#: the parameters whose IRI names nothing in the graph, on a named query's answer: the editor
#: page's form says so, as the query's HTML page does (review r16 browser F13: a misspelt
#: ``sggene:KITT`` gave a silent "0 results" there)
ABSENT_HEADER = "X-Absent-Values"


def absent_parameters(query: NamedQuery, values: dict[str, str], absent: list[str]) -> list[str]:
    """The names of the parameters whose given IRI is one of ``absent``."""
    terms = query.terms(values)
    return [name for name in sorted(values) if name in terms and terms[name].value in absent]


#: the file extension of a named query's answer saved from a browser (review r15 browser F11:
#: a TSV download had none): the project's own, per media type
_EXTENSIONS = {**{s.media_type: s.extension.lstrip(".") for s in RESULTS_SYNTAXES},
               **{s.media_type: s.extension.lstrip(".") for s in RDF_SYNTAXES}}


def asks_for_rdf_only(request: Request) -> bool:
    """Whether the client takes RDF and no results syntax: for a SELECT or an ASK, the URL is
    then the IRI of the query's description (its ``sh:SPARQLExecutable``), not its answer."""
    accept = accept_of(request)
    return pick(accept, RESULTS_OFFERS) is None and pick(accept, RDF_OFFERS) is not None


async def query_description(request: Request, state: State, query: NamedQuery) -> Response:
    """The query's own description, as in ``/.well-known/sparql-examples`` (review r13 I8:
    ``Accept: text/turtle`` got the answer's rows in JSON)."""
    endpoint = state.endpoint_url(request)

    async def build() -> list[ox.Triple]:
        return example_triples(query, endpoint)

    return await rdf_response(request, state, ("query-description", query.name, endpoint), build)


def _handler(name: str) -> Callable[..., Awaitable[Response]]:
    async def handler(request: Request, state: State) -> Response:
        return await run_named(request, name, state)

    return handler


def _openapi(query: NamedQuery) -> dict[str, object]:
    parameters = [{"name": p.name, "in": "query", "required": False,
                   "description": p.description + (f" (default: {p.default})" if p.default else ""),
                   "schema": {"type": _KINDS[p.kind], **({"format": "iri"} if p.kind == "iri"
                                                          else {})}}
                  for p in query.parameters]
    parameters += [{"name": "limit", "in": "query", "required": False,
                    "description": "At most this many rows (a page; the query's ORDER BY keeps "
                                   "pages in order)", "schema": {"type": "integer", "minimum": 0}},
                   {"name": "offset", "in": "query", "required": False,
                    "description": "Skip this many rows first (with limit: the next page)",
                    "schema": {"type": "integer", "minimum": 0}}]
    return {"parameters": parameters}


def describe(query: NamedQuery, url: str, missing: Sequence[str] = ()) -> dict[str, object]:
    """One entry of the ``/queries`` list (``missingGraphs``: what it needs and the server
    lacks)."""
    return {"name": query.name, "title": query.title, "description": query.description,
            "keywords": list(query.keywords), "kind": query.kind, "url": url,
            "needs": list(query.needs), "missingGraphs": list(missing),
            "parameters": [{"name": p.name, "kind": p.kind, "description": p.description,
                            "default": p.default} for p in query.parameters],
            "sparql": query.text}


async def list_queries(request: Request, state: State) -> Response:
    base = str(request.url_for("queries")).rstrip("/")
    if prefers_html(request, {"application/json": "json"}):
        root = request.scope.get("root_path", "").rstrip("/")
        page = queries_page([q for _, q in sorted(state.queries.items())], root,
                            await missing_graphs(state), state.footer(root))
        return HTMLResponse(page, headers={"Vary": "Accept"})

    async def produce() -> bytes:
        missing = await missing_graphs(state)
        items = [describe(q, f"{base}/{q.name}", missing.get(q.name, ()))
                 for _, q in sorted(state.queries.items())]
        return json.dumps(items, ensure_ascii=False, indent=1).encode()

    response = await cached(request, state, ("queries", base), "application/json", produce)
    response.headers["Vary"] = "Accept"
    return response


async def sparql_examples(request: Request, state: State) -> Response:
    endpoint = state.endpoint_url(request)

    async def build() -> list[ox.Triple]:
        return examples_triples(state.queries.values(), endpoint, dict(state.prefixes))

    return await rdf_response(request, state, ("examples", endpoint), build)


def add_routes(router: APIRouter, queries: Sequence[NamedQuery]) -> None:
    router.add_api_route("/queries", list_queries, methods=["GET", "HEAD"], name="queries",
                         summary="The named queries (JSON)", tags=["named queries"])
    for query in queries:
        router.add_api_route(
            f"/queries/{query.name}", _handler(query.name), methods=["GET", "HEAD"],
            name=f"query_{query.name}", summary=query.title, description=query.description,
            tags=["named queries"], openapi_extra=_openapi(query), response_class=Response)
    router.add_api_route("/queries/{name}", run_named, methods=["GET", "HEAD"],
                         include_in_schema=False)
    router.add_api_route("/.well-known/sparql-examples", sparql_examples, methods=["GET", "HEAD"],
                         summary="The named queries as SPARQL examples (RDF)",
                         tags=["self-description"], response_class=Response)
