"""An ASGI middleware on every answer: ``X-Content-Type-Options: nosniff`` (error bodies
reflect the client's text as ``text/plain``; a browser must not sniff them into HTML),
``Access-Control-Allow-Origin: *`` with or without ``Origin``, and the client for the worker
pool's per-client limit and fast lane: its address, or for IPv6 its /64 network, which one
subscriber gets whole (probe r13: an address per query from one /64 got a fresh fast-lane turn
each)."""

from __future__ import annotations

import ipaddress
from collections.abc import MutableMapping
from typing import Any

from sarcoma_graph.serve.pool import CLIENT

NOSNIFF = (b"x-content-type-options", b"nosniff")
ANY_ORIGIN = (b"access-control-allow-origin", b"*")
"""On every answer, not only those to a request with ``Origin`` (the CORS middleware's): a
shared cache then holds one variant that serves a browser's cross-origin call too."""

Scope = dict[str, Any]
Message = MutableMapping[str, Any]


class Tally(dict[str, int]):
    """An amount per client (open connections, body bytes), a client at zero dropped, so
    that a stream of one-off clients leaves nothing behind. One event loop: no lock."""

    def add(self, client: str, amount: int = 1) -> int:
        """Add to the client's amount; its new amount."""
        self[client] = self.get(client, 0) + amount
        return self[client]

    def take(self, client: str, amount: int = 1) -> None:
        """Take back what :meth:`add` added."""
        left = self.get(client, 0) - amount
        if left > 0:
            self[client] = left
        else:
            self.pop(client, None)


def client_key(address: str) -> str:
    """Who a request is from, for the pool's limits: the IPv4 address (an IPv4-mapped IPv6 one
    as IPv4), the /64 network of an IPv6 address, anything else as it is (a Unix socket…).

    >>> client_key("2001:db8:1:2:aaaa::1"), client_key("::ffff:192.0.2.7"), client_key("192.0.2.7")
    ('2001:db8:1:2::/64', '192.0.2.7', '192.0.2.7')
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def with_nosniff(message: Message) -> Message:
    """An ASGI message, with ``X-Content-Type-Options: nosniff`` when it starts an answer."""
    if message["type"] != "http.response.start":
        return message
    headers = [h for h in message.get("headers", []) if h[0].lower() != NOSNIFF[0]]
    if not any(h[0].lower() == ANY_ORIGIN[0] for h in headers):
        headers.append(ANY_ORIGIN)
    return {**message, "headers": [*headers, NOSNIFF]}


class SafeHeaders:
    """Wraps an ASGI app (pure ASGI: the context variable reaches the route's task)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = CLIENT.set(client_key(str(client[0])) if client else None)

        async def send_safely(message: Message) -> None:
            await send(with_nosniff(message))

        try:
            await self.app(scope, receive, send_safely)
        finally:
            CLIENT.reset(token)
