"""``/sparql`` answered before the application's middleware and router.

Profiled under wrk, FastAPI's router, dependency solving and its middleware layers (server
errors, telemetry, body limit, CORS, ours) took more than half of the server's time on a
short query. :class:`EndpointApp` answers a SPARQL client's ``GET``, ``HEAD`` and ``POST`` on
``/sparql`` with the same handlers as the registered routes, doing itself what those layers
do for such a request: ``X-Content-Type-Options: nosniff``, the client's address for the
worker pool, the application's exception handlers, and a logged 500 for anything else.
A request with an ``Origin`` header (a browser's cross-origin call) takes the full stack,
so CORS answers stay Starlette's; so does every other route and method.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from sarcoma_graph.serve.errors import unexpected_error
from sarcoma_graph.serve.headers import client_key, with_nosniff
from sarcoma_graph.serve.pool import CLIENT
from sarcoma_graph.serve.routes.sparql import sparql_get, sparql_post
from sarcoma_graph.serve.state import STATE_KEY, EndpointState

Handler = Callable[[Request, EndpointState], Awaitable[Response]]
_HANDLERS: dict[str, Handler] = {"GET": sparql_get, "HEAD": sparql_get, "POST": sparql_post}
PATH = "/sparql"

log = logging.getLogger("sarcoma_graph.serve")


class EndpointApp(FastAPI):
    """The endpoint's application: FastAPI, with the direct path for SPARQL clients."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = getattr(self.state, STATE_KEY, None)
        handler = _direct_handler(scope)
        if handler is None or state is None:
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        scope.setdefault("router", self.router)  # as the router would: url_for works
        client = scope.get("client")
        # keyed as SafeHeaders keys the other routes: an IPv6 client as its /64 (probe r15 M9)
        token = CLIENT.set(client_key(client[0]) if client else None)
        try:
            await _answer(self, handler, state, scope, receive, send)
        finally:
            CLIENT.reset(token)


def _direct_handler(scope: Scope) -> Handler | None:
    """The handler for a SPARQL client's request to ``/sparql``; ``None`` for the rest."""
    if scope["type"] != "http" or _route_path(scope) != PATH:
        return None
    if any(key == b"origin" for key, _ in scope.get("headers", ())):
        return None
    return _HANDLERS.get(scope.get("method", ""))


def _route_path(scope: Scope) -> str:
    """The path below the application's mount point (``root_path``)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


async def _answer(app: FastAPI, handler: Handler, state: EndpointState, scope: Scope,
                  receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    started = False

    async def send_safely(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(with_nosniff(message))

    try:
        try:
            response = await handler(request, state)
        except Exception as error:
            response = await _handled(app, request, error)
        await response(scope, receive, send_safely)
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if started:
            raise  # the answer was begun: the server can only drop the connection
        await unexpected_error()(scope, receive, send)


async def _handled(app: FastAPI, request: Request, error: Exception) -> Response:
    """The application's answer to an exception; re-raised when only the catch-all would
    take it (logged by the caller, as the server-error layer would)."""
    for kind in type(error).__mro__:
        if kind is Exception:
            break
        handler = app.exception_handlers.get(kind)
        if handler is not None:
            response = handler(request, error)
            return await response if inspect.isawaitable(response) else response
    raise error
