"""Who a client is, for every per-client limit (probe r16 M1), and a chunked body counted as it
arrives (probe r16 H1), on a running server: the connection cap, the body budget and the
worker pool's limits key the same client, the forwarded one only from a proxy the operator
trusts (``--forwarded-allow-ips``)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.serve_fixtures import Server, serving

pytest_plugins = ["tests.serve_fixtures"]

MAX_BODY = 200_000  # a client's bodies may hold four times this in the server
LIMITS = ("--max-body", str(MAX_BODY), "--body-timeout", "20", "--workers", "1",
          "--no-service-graph")


@pytest.fixture(scope="module")
def direct(serve_project) -> Iterator[Server]:
    with serving(serve_project, *LIMITS) as server:
        yield server


@pytest.fixture(scope="module")
def proxied(serve_project) -> Iterator[Server]:
    with serving(serve_project, *LIMITS, "--forwarded-allow-ips", "127.0.0.1") as server:
        yield server


def connect(server: Server) -> socket.socket:
    where = urlsplit(server.url)
    return socket.create_connection((where.hostname, where.port), timeout=20)


def post_head(length: int | None, forwarded: str | None = None) -> bytes:
    """The head of a query POST, with ``Content-Length`` (or chunked when ``None``)."""
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    xff = f"X-Forwarded-For: {forwarded}\r\n" if forwarded else ""
    return (f"POST /sparql HTTP/1.1\r\nHost: x\r\n{xff}Content-Type: application/sparql-query"
            f"\r\n{framing}\r\n\r\n").encode()


def status_within(raw: socket.socket, seconds: float) -> int | None:
    """The status the server answers within ``seconds``; ``None`` when it is still reading."""
    raw.settimeout(seconds)
    try:
        answer = raw.recv(200)
    except TimeoutError:
        return None
    return int(answer.split(b" ", 2)[1]) if answer else 0


def holding(server: Server, heads: list[bytes], body: bytes = b"ASK {") -> list[socket.socket]:
    """Connections each sending a head and the start of its body, then waiting."""
    held = []
    for head in heads:
        raw = connect(server)
        raw.sendall(head + body)
        held.append(raw)
        time.sleep(0.05)
    return held


def test_chunked_bodies_count_against_the_client_s_budget_as_they_arrive(direct):
    """Probe r16 H1: 40 chunked 10 MB bodies were all read and held (each counted as 64 KB).
    Four chunked bodies of 190,000 bytes fill most of the 800,000-byte budget as they arrive:
    the fifth body is 503 at once, not read (and held) until the body timeout."""
    chunk = b"%x\r\n%s\r\n" % (190_000, b"#" * 190_000)
    held = holding(direct, [post_head(None)] * 4, chunk)
    try:
        time.sleep(0.5)
        assert all(status_within(raw, 0.2) is None for raw in held)  # still being read
        with connect(direct) as fifth:
            fifth.sendall(post_head(None) + chunk)
            assert status_within(fifth, 5) == 503
    finally:
        for raw in held:
            raw.close()


def test_a_forged_forwarded_address_is_no_other_client_by_default(direct):
    """Probe r16 M1: from loopback, uvicorn believed ``X-Forwarded-For``, so each forged
    address had a fresh body budget (40 bodies of 10 MB held). Without --forwarded-allow-ips
    the connecting address is the client, whatever the request claims."""
    heads = [post_head(MAX_BODY, f"10.0.0.{n}") for n in range(1, 5)]
    held = holding(direct, heads)
    try:
        time.sleep(0.3)
        with connect(direct) as fifth:
            fifth.sendall(post_head(MAX_BODY, "10.0.0.5") + b"ASK {")
            assert status_within(fifth, 5) == 503
    finally:
        for raw in held:
            raw.close()


def test_a_trusted_proxy_s_connections_are_counted_per_forwarded_client(proxied):
    """Probe r16 M1: behind a same-host proxy every user had the proxy's address, so one user's
    256 connections refused every user. From a trusted proxy, a connection counts against the
    client of the request it carries: the proxy's idle connections count for nobody, one
    client past the cap gets 503 naming it, and another client is still answered."""
    from sarcoma_graph.serve.connection import CONNECTIONS_PER_CLIENT

    idle = [connect(proxied) for _ in range(CONNECTIONS_PER_CLIENT + 8)]
    busy = holding(proxied, [post_head(100, "198.51.100.7")] * CONNECTIONS_PER_CLIENT)
    try:
        time.sleep(0.5)
        with connect(proxied) as one_more:
            one_more.sendall(post_head(100, "198.51.100.7") + b"ASK {")
            one_more.settimeout(5)
            answer = one_more.recv(400)
        assert answer.startswith(b"HTTP/1.1 503") and b"connections carry requests" in answer
        with connect(proxied) as other:
            other.sendall(post_head(6, "198.51.100.8") + b"ASK {}")
            assert status_within(other, 10) == 200
    finally:
        for raw in idle + busy:
            raw.close()
