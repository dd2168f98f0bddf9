"""The ``/sparql`` endpoint: SPARQL 1.1 Protocol queries and updates, service description."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sarcoma_graph.serve.answer import answer_query
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.jobs import QueryJob
from sarcoma_graph.serve.protocol import (
    GRAPH_PARAMETERS,
    Operation,
    body_slot,
    media_type,
    operation,
    read_post,
    url_pairs,
)
from sarcoma_graph.serve.routes.browser import page_answer, wants_page
from sarcoma_graph.serve.routes.description import service_description
from sarcoma_graph.serve.state import EndpointState, State
from sarcoma_graph.serve.update import authorize, run_update

ALLOW = "GET, HEAD, POST, OPTIONS"
_DOC = ("SPARQL 1.1 Protocol. `query` (or a POST body), `default-graph-uri`, `named-graph-uri`;"
        " answers negotiated by `Accept`. Without a query, the service description.")


async def _query(request: Request, state: EndpointState, op: Operation) -> Response:
    job = QueryJob(op.query or "", op.default_graphs, op.named_graphs)
    if request.method in ("GET", "HEAD") and wants_page(request):
        return await page_answer(request, state, job, "Query results")
    return await answer_query(request, state, job)


async def sparql_get(request: Request, state: State) -> Response:
    pairs = url_pairs(request.scope)
    op = operation(pairs)
    if op.update is not None:
        raise HttpError(400, "an update must be sent by POST (form 'update=' or "
                             "application/sparql-update)")
    if op.query is None:
        if any(name in GRAPH_PARAMETERS for name, _ in pairs):
            raise HttpError(400, "the request has graph parameters but no 'query'")
        return await service_description(request, state)
    return await _query(request, state, op)


async def sparql_post(request: Request, state: State) -> Response:
    if media_type(request.headers.get("content-type"))[0] == "application/sparql-update":
        authorize(request, state)  # before the body is read (probe r15 M2)
    with body_slot(request, 4 * state.settings.max_body) as count:
        op = await read_post(request, state.settings.max_body, count)
        if op.update is not None:
            return await run_update(request, state, op)
        if op.query is None:
            raise HttpError(400, "the request has neither a 'query' nor an 'update'")
        return await _query(request, state, op)


async def sparql_options() -> Response:
    return Response(status_code=204, headers={"Allow": ALLOW})


def _iris(name: str, what: str) -> dict[str, object]:
    return {"name": name, "in": "query", "required": False, "description": what, "explode": True,
            "schema": {"type": "array", "items": {"type": "string", "format": "iri"}}}


_ANSWERS = {"200": {"description": "the answer, in the syntax negotiated by `Accept`",
                    "content": {t: {} for t in (
                        "application/sparql-results+json", "application/sparql-results+xml",
                        "text/csv", "text/tab-separated-values", "text/turtle",
                        "application/n-triples", "application/ld+json", "application/rdf+xml")}},
            "400": {"description": "a malformed request or query (the body says where)"},
            "503": {"description": "timed out, or the server is busy (see `Retry-After`)"}}
_GET_PARAMETERS: list[dict[str, object]] = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "a SPARQL 1.1 query; without it, the service description"},
    _iris("default-graph-uri", "graphs whose union is the query's default graph"),
    _iris("named-graph-uri", "graphs the query's GRAPH can see")]
_GET = {"parameters": _GET_PARAMETERS, "responses": _ANSWERS}
_FORM = {"type": "object", "properties": {
    "query": {"type": "string"}, "update": {"type": "string"},
    **{n: {"type": "array", "items": {"type": "string"}} for n in (
        "default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")}}}
_POST = {"requestBody": {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": _FORM},
    "application/sparql-query": {"schema": {"type": "string"}},
    "application/sparql-update": {"schema": {"type": "string"}}}},
    "parameters": _GET_PARAMETERS[1:], "responses": {
        **_ANSWERS, "204": {"description": "the update was applied"},
        "401": {"description": "an update without the right bearer token"},
        "403": {"description": "updates are disabled"}}}


def add_routes(router: APIRouter) -> None:
    router.add_api_route("/sparql", sparql_get, methods=["GET", "HEAD"], name="sparql",
                         summary="SPARQL query (GET) or service description", description=_DOC,
                         response_class=Response, openapi_extra=_GET)
    router.add_api_route("/sparql", sparql_post, methods=["POST"], name="sparql_post",
                         summary="SPARQL query or update (POST)", response_class=Response,
                         description=_DOC, openapi_extra=_POST)
    router.add_api_route("/sparql", sparql_options, methods=["OPTIONS"], include_in_schema=False)
