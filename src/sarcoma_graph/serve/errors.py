"""Errors as plain-text answers that name the problem: never a traceback, never a 500 for a
client's mistake. SPARQL clients show the body of an error answer to their user as is.

Status codes: 400 bad request or query (syntax errors with line and column), 401/403
updates, 404 unknown graph/entity/query, 405 wrong method (with ``Allow``), 406 nothing
acceptable (lists what is), 413 request body too large, 415 wrong media type, 422 answer
larger than the result limit, 502 an allowed SERVICE endpoint (or the store behind
``serve --store``) failed, 503 query timeout or server busy.
"""

from __future__ import annotations

import logging
from html import escape
from http import HTTPStatus
from urllib.parse import quote, unquote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from sarcoma_graph.plumbing.results import NotInXml
from sarcoma_graph.store import QueryError

log = logging.getLogger("sarcoma_graph.serve")


class HttpError(Exception):
    """An answer other than success, with a message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def query_error(error: QueryError, what: str = "query") -> HttpError:
    """400 for a query or update (``what``) that does not parse or cannot run, with its
    position."""
    where = f" (line {error.line}, column {error.column})" if error.line is not None else ""
    return HttpError(400, f"{what} error{where}: {error.message}")


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = message if message.endswith("\n") else message + "\n"
    return PlainTextResponse(body, status_code=status, headers=headers)


def answer(request: Request, status: int, message: str,
           headers: dict[str, str] | None = None) -> Response:
    """The error as plain text, or as a page of the site to a browser navigating to the URL
    (the same message, with a way on: a label search for a 404, the editor's link), both
    wrapping anywhere (a long mistyped IRI stays inside a phone's screen)."""
    from sarcoma_graph.serve.negotiation import VARY  # which imports this module
    from sarcoma_graph.serve.routes.browser import wants_page  # routes import this module

    headers = {"Vary": VARY, **(headers or {})}
    if not wants_page(request):
        return text_response(status, message, headers)
    from sarcoma_graph.serve.pages.layout import document

    root = request.scope.get("root_path", "").rstrip("/")
    title = f"{status} {HTTPStatus(status).phrase}"
    body = f'<h1>{escape(title)}</h1>\n<p class="error">{escape(message)}</p>\n'
    # the last segment of the path, as the words a person would type: slugs join words by hyphens
    slug = unquote(request.url.path.rstrip("/").rsplit("/", 1)[-1])
    words = " ".join(slug.replace("-", " ").replace("_", " ").split())
    if status == 404 and words:
        body += (f'<p class="way-on"><a href="{escape(root)}/search?q={escape(quote(words))}">'
                 "Search the labels for "
                 f"“{escape(words)}”</a>, or browse the <a href=\"{escape(root)}/queries\">named "
                 "queries</a>.</p>\n")
    sent = request.query_params.get("query") if status == 400 else None
    if sent:
        body += (f'<p class="way-on"><a href="{escape(root)}/#query={escape(quote(sent, safe=""))}">'
                 "Open this query in the SPARQL editor</a> to mend it.</p>\n")
    body += f'<p><a href="{escape(root)}/">Back to the SPARQL editor</a></p>'
    from sarcoma_graph.serve.state import STATE_KEY

    state = getattr(request.app.state, STATE_KEY, None)  # none outside the endpoint's lifespan
    footer = state.footer(root) if state is not None else ""
    return HTMLResponse(document(title, body, root, footer=footer), status_code=status,
                        headers=headers)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HttpError)
    return answer(request, error.status, error.message, error.headers)


async def _starlette_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    detail = error.detail if isinstance(error.detail, str) else str(error.detail)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        allowed = allowed_methods(request)
        headers["Allow"] = allowed
        if request.method == "OPTIONS":  # RFC 9110 §9.3.7: the resource's options (probe r15 M3)
            return Response(status_code=204, headers=headers)
        detail = f"method {request.method} is not allowed on {request.url.path}; use {allowed}"
    elif error.status_code == 404 and detail == "Not Found":
        detail = f"nothing at {request.url.path} on this server"
    return answer(request, error.status_code, detail, headers)


def allowed_methods(request: Request) -> str:
    """Every method some route of the application takes at the request's path (a 405's
    ``Allow``: Starlette names only the first route's), with OPTIONS."""
    scope = dict(request.scope)
    methods = {"OPTIONS"}
    routes = list(request.app.router.routes)
    while routes:
        route = routes.pop()
        inner = getattr(route, "original_router", route)  # FastAPI's included router
        if isinstance(getattr(inner, "routes", None), list):
            routes.extend(inner.routes)
        elif route.matches(scope)[0] is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    order = ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"]
    return ", ".join(sorted(methods, key=lambda m: (order.index(m) if m in order else 99, m)))


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
                         for e in error.errors())
    return text_response(400, f"bad request: {problems}")


def unexpected_error() -> Response:
    """The 500 for a fault of ours: sent outside every middleware, and the server drops the
    connection after it: say so."""
    return text_response(500, "internal server error (logged on the server)",
                         {"Connection": "close", "X-Content-Type-Options": "nosniff"})


async def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return unexpected_error()


async def _client_gone(request: Request, error: Exception) -> Response:
    """The client closed the connection before its request's body came: nothing to answer
    and nothing to log as a fault (the connection layer logged a 408 if it timed out)."""
    log.debug("client left during the body of %s %s", request.method, request.url.path)
    return Response(status_code=400)


async def _not_in_xml(request: Request, error: Exception) -> Response:
    """406: RDF/XML asked for a graph XML cannot carry (serialised outside a worker: VoID…)."""
    return answer(request, 406, str(error))


async def _store_failed(request: Request, error: Exception) -> Response:
    """502: the external store behind ``serve --store`` failed or refused our credentials."""
    return text_response(502, f"the store behind this endpoint failed: {error}")


def install(app: FastAPI) -> None:
    """Register the handlers on an application."""
    from sarcoma_graph.store.http import StoreAuthFailed, StoreUnavailable

    app.add_exception_handler(StoreUnavailable, _store_failed)
    app.add_exception_handler(StoreAuthFailed, _store_failed)
    app.add_exception_handler(HttpError, _http_error)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(NotInXml, _not_in_xml)
    app.add_exception_handler(StarletteHTTPException, _starlette_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
