"""A path with trailing slashes that a route answers without them (``/shapes/``) is a 308 to
that path, as a relative reference with the query string kept.

It replaces Starlette's ``redirect_slashes``, whose 307 ``Location`` was an absolute URL built
from the client's ``Host`` header (interop review r16 A6): behind a shared cache that does not
key on ``Host``, one client chose where the others were sent; and a 307 says "temporary" of
what is the canonical form.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import RedirectResponse
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

#: what a path keeps unescaped in the Location (RFC 3986 pchar and "/")
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _route_path(path: str, scope: Scope) -> str:
    """``path`` below the application's mount point (``root_path``)."""
    root: str = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def canonical_path(router: Router, scope: Scope) -> str | None:
    """The path without its trailing slashes, when a route answers it and the path is not
    ``/``; ``None`` otherwise (and for ``//host/``, which a browser reads as another site)."""
    path: str = scope["path"]
    if scope["type"] != "http" or not _route_path(path, scope).endswith("/"):
        return None
    bare = dict(scope, path=path.rstrip("/"))
    if not _route_path(bare["path"], scope) or bare["path"].startswith("//"):
        return None
    if not any(route.matches(bare)[0] is not Match.NONE for route in router.routes):
        return None
    return str(bare["path"])


class SlashRedirect:
    """The router's handler for a request no route matched: the redirect, else ``fallback``."""

    def __init__(self, router: Router, fallback: ASGIApp) -> None:
        self.router, self.fallback = router, fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = canonical_path(self.router, scope)
        if path is None:
            await self.fallback(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        target = quote(path, safe=_PATH_SAFE) + ("?" + query if query else "")
        await RedirectResponse(target, 308)(scope, receive, send)


def install(router: Router) -> None:
    """Redirect the slash forms of ``router``'s routes relatively, not as Starlette does."""
    router.redirect_slashes = False
    router.default = SlashRedirect(router, router.default)
