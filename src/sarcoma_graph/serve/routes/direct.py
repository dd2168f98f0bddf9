"""``/sparql`` answered straight from the ASGI stack, before FastAPI's routing.

Profiled under wrk, FastAPI's router, dependency solving and its exception and exit-stack
layers took about half of the server's time on a short query. This pure ASGI layer sits
inside the application's middleware (so ``X-Content-Type-Options`` and CORS apply as to every
route) and runs the same handlers as the registered ``/sparql`` routes, which stay for the
OpenAPI description and for methods it leaves alone (``OPTIONS``, ``PUT``…). Errors go
through the application's own exception handlers; an unexpected one propagates to the
server-error layer exactly as from a route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sarcoma_graph.serve.routes.sparql import sparql_get, sparql_post
from sarcoma_graph.serve.state import STATE_KEY, EndpointState

Scope = dict[str, Any]
Handler = Callable[[Request, EndpointState], Awaitable[Response]]
_HANDLERS: dict[str, Handler] = {"GET": sparql_get, "HEAD": sparql_get, "POST": sparql_post}


class DirectSparql:
    """Wraps the application's inner ASGI app; takes GET, HEAD and POST on ``/sparql``."""

    def __init__(self, app: Any, path: str = "/sparql") -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        handler = _HANDLERS.get(scope.get("method", "")) if scope["type"] == "http" else None
        application = scope.get("app")
        state = getattr(getattr(application, "state", None), STATE_KEY, None)
        if handler is None or state is None or application is None or \
                _route_path(scope) != self.path:
            await self.app(scope, receive, send)
            return
        scope.setdefault("router", application.router)  # as the router would: url_for works
        request = Request(scope, receive)
        try:
            response = await handler(request, state)
        except Exception as error:
            response = await _handled(application, request, error)
        await response(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path below the application's mount point (``root_path``)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


async def _handled(application: Any, request: Request, error: Exception) -> Response:
    """The application's answer to an exception; re-raised when only the catch-all (the
    server-error layer's handler) would take it."""
    handlers = getattr(application, "exception_handlers", {})
    for kind in type(error).__mro__:
        if kind is Exception:
            break
        handler = handlers.get(kind)
        if handler is not None:
            response: Response = await handler(request, error)
            return response
    raise error
