"""The HTTP/1.1 connection: uvicorn's httptools protocol with the limits a public endpoint needs.

uvicorn gives a client all the time it wants to send a request: a connection that sends half a
header line, or announces a body and never sends it, is held open for ever (slowloris). Here:

- a request's head (request line and headers) must arrive within ``head_seconds`` of its first
  byte, or of the connection's opening when nothing came yet;
- a request's body may pause at most ``body_idle_seconds`` between two reads, and once that
  long has passed it must have come at :data:`BODY_BYTES_PER_SECOND` on average (a byte every
  ten seconds is never a pause long enough, but is no upload either);
- past either, the client gets ``408 Request Timeout`` naming the limit, and the connection is
  closed; an application still waiting for that body sees the client gone;
- a request target longer than httptools can parse gets ``414`` (send the query in a POST body)
  and a head over ``HEAD_BYTES`` gets ``431``, instead of uvicorn's bare 400;
- a method no HTTP parser knows gets ``501 Not Implemented``;
- an answer the client does not read is not kept for ever: while the transport holds more than
  its high-water mark, each ``send_seconds`` the client must have taken (from the transport's
  buffer and the kernel's send queue together), on average, at least
  :data:`SEND_BYTES_PER_SECOND` and enough to take what was held within
  :data:`ANSWER_HOLD_SECONDS`, or the connection is aborted and the answer's memory freed (a
  client that never read held 100 MB answers in the server, probe r13 H2; one reading 2 KB a
  second held them for hours, probe r15 H1).

A timer does not run against the client while the server itself stopped reading (a pipelined
request waiting, or a body waiting for the application to take it).

Who the client is, for every per-client limit (the connection cap here, the body budget and
the worker pool's limits through ``scope["client"]``): the connection's peer, unless the peer
is a proxy the operator trusts (``serve --forwarded-allow-ips``, the same list uvicorn's
``ProxyHeadersMiddleware`` is given), and then the address its ``X-Forwarded-For`` names, read
by uvicorn's own rule (the nearest address that is no trusted proxy); an IPv6 client as its
/64. A trusted proxy's connections are not capped as one client: each counts against the
forwarded client of the request it carries, from its headers to its answer (an idle keep-alive
connection of the proxy counts for nobody); past the cap that request is ``503``. Nobody is
trusted by default: a client's own ``X-Forwarded-For`` gave it a fresh budget per forged
address, and behind a same-host proxy one user's connections refused every user (probe r16 M1).
"""

from __future__ import annotations

import fcntl
import heapq
import http
import resource
import sys
import termios
from asyncio import TimerHandle, Transport
from collections.abc import Callable

import httptools
from uvicorn.middleware.proxy_headers import _TrustedHosts
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sarcoma_graph.serve.headers import Tally, client_key

URL_BYTES = 65_535
"""The longest request target httptools parses (``parse_url``)."""

HEAD_BYTES = 64 * 1024
"""The longest request head (request line and headers) this server reads."""

BODY_BYTES_PER_SECOND = 256
"""The slowest a request body may arrive, on average, after the first ``body_idle_seconds``."""

SEND_BYTES_PER_SECOND = 1024
"""The slowest a client may take an answer the server is holding for it, on average."""

CONNECTIONS_PER_CLIENT = 256
"""The most connections one client (an address; an IPv6 /64) may hold open: 22,000 idle ones
from one address took every file descriptor of the server (probe r15 H5)."""

#: connections open per client key
_OPEN = Tally()
#: every connection open (for the ceiling on all of them), and each client's, oldest first
_LIVE: dict[GuardedProtocol, None] = {}
_BY_CLIENT: dict[str, dict[GuardedProtocol, None]] = {}


def connection_ceiling(limit: int = 0) -> int:
    """The most connections the server keeps open: ``limit``, or three quarters of its file
    descriptor limit (the rest for the store, the workers' pipes and the logs)."""
    if limit > 0:
        return limit
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 50_000 if soft == resource.RLIM_INFINITY else max(64, soft * 3 // 4)

ANSWER_HOLD_SECONDS = 600
"""The longest the server holds an answer for a client taking it: past its high-water mark the
transport must drain at the size it held divided by this (a 140 MB answer: 233 KB a second)."""


class Refused(Exception):
    """Raised from a parser callback: the request is answered with ``status`` and closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with time limits on a request's head and body."""

    head_seconds: float = 20.0
    body_idle_seconds: float = 30.0
    send_seconds: float = 30.0
    proxies: _TrustedHosts | None = None  # whose X-Forwarded-For names the client

    max_connections: int = 50_000  # on all clients (see :func:`connection_ceiling`)
    _key: str | None = None  # the client this connection counts against now
    _proxied = False  # the peer is a trusted proxy: counted per request it carries

    _timer: TimerHandle | None = None
    _send_timer: TimerHandle | None = None
    _send_pending = 0  # bytes the transport held at the last check
    _send_rate: float = SEND_BYTES_PER_SECOND  # the least the client must take a second
    _head_bytes = 0
    _begun = False  # a byte of the current request came
    _body_started = 0.0
    _body_bytes = 0
    _deferred: tuple[int, str] | None = None  # a later pipelined request's refusal, kept

    def connection_made(self, transport: Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_bytes = 0
        peer = str(self.client[0]) if self.client else None
        self._proxied = self.proxies is not None and peer in self.proxies
        # past the cap, the connection is closed at once: its file descriptor is freed
        if peer is not None and not self._proxied and self._count(client_key(peer)):
            self.logger.info("%s - more than %d connections open: refused",
                             _peer(self.client), CONNECTIONS_PER_CLIENT)
            transport.abort()
            return
        _LIVE[self] = None
        if len(_LIVE) > self.max_connections and not self._make_room():
            self.logger.info("%s - the server holds %d connections, none idle: refused",
                             _peer(self.client), self.max_connections)
            transport.abort()
            return
        self._arm(self.head_seconds, self._head_late)

    def _make_room(self) -> bool:
        """Past the ceiling on all connections (probe r16 H5: 80 addresses under the per-client
        cap took every file descriptor): close the oldest idle connection of the client holding
        the most, unless that is this connection's own client; whether one was closed."""
        heaviest = heapq.nlargest(8, _OPEN, key=_OPEN.__getitem__)
        for key in (k for k in heaviest if k != self._key):
            for other in _BY_CLIENT.get(key, {}):  # at most CONNECTIONS_PER_CLIENT
                if other._idle() and not other.transport.is_closing():
                    self.logger.info("%s - the server holds %d connections: an idle one of %s "
                                     "closed", _peer(self.client), self.max_connections, key)
                    other.transport.close()
                    return True
        return False

    def _idle(self) -> bool:
        """No request on this connection: none begun, or the last one answered."""
        return not self._begun and (self.cycle is None or self.cycle.response_complete)

    def connection_lost(self, exc: Exception | None) -> None:
        _LIVE.pop(self, None)
        self._uncount()
        self._disarm()
        self._stop_send_timer()
        super().connection_lost(exc)

    # Flow control: the client must take what the server writes
    def _held(self) -> int:
        """The answer's bytes the client has not taken: the transport's buffer and the kernel's
        send queue (``SIOCOUTQ``: not yet acknowledged). The transport's buffer alone does not
        move while the kernel's, megabytes on a local network, absorbs a client's reading: a
        client reading 20 KB a second was cut as having taken nothing (probe r16 H4)."""
        pending = self.transport.get_write_buffer_size()
        sock = self.transport.get_extra_info("socket")
        if sock is None:
            return pending
        try:
            queued = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
        except (OSError, ValueError):  # not a socket the kernel counts so, or closed
            return pending
        return pending + int.from_bytes(queued, sys.byteorder, signed=True)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._send_timer is None:
            self._send_pending = self._held()
            self._send_rate = max(SEND_BYTES_PER_SECOND, self._send_pending / ANSWER_HOLD_SECONDS)
            self._send_timer = self.loop.call_later(self.send_seconds, self._send_check)

    def resume_writing(self) -> None:
        self._stop_send_timer()
        super().resume_writing()

    def _send_check(self) -> None:
        """The transport is still above its high-water mark: go on only if the client took at
        least the rate set when it paused (:meth:`pause_writing`) since the last check."""
        self._send_timer = None
        buffered = self.transport.get_write_buffer_size()
        pending = self._held()
        # a graceful close (uvicorn's keep-alive timer, 5 s after the answer was handed over)
        # keeps the buffered answer: closing is not gone (probe r15 H1: every later check
        # returned here, and an unread answer stayed for ever at the default --send-timeout)
        if self.transport.is_closing() and not buffered:
            return
        if self._send_pending - pending >= self._send_rate * self.send_seconds:
            self._send_pending = pending
            self._send_timer = self.loop.call_later(self.send_seconds, self._send_check)
            return
        self.logger.info("%s - the client took %d bytes of its answer in %g s (%d still held, "
                         "%d a second needed): connection aborted", _peer(self.client),
                         self._send_pending - pending, self.send_seconds, pending, self._send_rate)
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.abort()  # drops the buffered answer: close() would wait to send it

    def _stop_send_timer(self) -> None:
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as error:
            refused = error.__context__
            if isinstance(refused, Refused):
                self._refuse(refused.status, refused.message)
            else:
                self._refuse(400, "the request is not valid HTTP/1.1")
        except httptools.HttpParserInvalidMethodError:
            self._refuse(501, "this server does not implement that request method")
        except httptools.HttpParserUpgrade:  # as uvicorn does
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError as error:
            self._refuse(400, f"the request is not valid HTTP/1.1: {error}")

    # Parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._begun = True
        if self._timer is None:
            self._arm(self.head_seconds, self._head_late)

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > URL_BYTES:
            hint = ("; send a long query in a POST body instead (Content-Type: "
                    "application/sparql-query)" if b"/sparql" in self.url[:64] else "")
            raise Refused(414, f"the request target is longer than this server's {URL_BYTES:,} "
                               f"bytes{hint}")
        self._count_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._count_head(len(name) + len(value) + 4)

    def on_headers_complete(self) -> None:
        self._disarm()
        self._framing()
        if self._proxied and self._count(self._forwarded_client()):
            raise Refused(503, f"more than {CONNECTIONS_PER_CLIENT} connections carry requests "
                               "from your address; send the next when one is answered")
        super().on_headers_complete()
        self._body_started, self._body_bytes = self.loop.time(), 0
        self._arm(self.body_idle_seconds, self._body_late)

    def on_body(self, body: bytes) -> None:
        self._arm(self.body_idle_seconds, self._body_late)
        self._body_bytes += len(body)
        elapsed = self.loop.time() - self._body_started
        if elapsed > self.body_idle_seconds and \
                self._body_bytes < BODY_BYTES_PER_SECOND * elapsed:
            raise Refused(408, f"the request's body arrives slower than {BODY_BYTES_PER_SECOND} "
                               f"bytes a second ({self._body_bytes} in {elapsed:.0f} s); the "
                               "connection is closed")
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._disarm()
        self._begun = False
        super().on_message_complete()

    def on_response_complete(self) -> None:
        if self._proxied and not self.pipeline:
            self._uncount()  # the proxy's connection is idle: it counts for nobody
        super().on_response_complete()
        idle = not self.pipeline and (self.cycle is None or self.cycle.response_complete)
        if self._deferred is not None and idle:
            status, message = self._deferred
            self._deferred = None
            self._refuse(status, message)

    # Limits
    def _count(self, key: str) -> bool:
        """Count this connection against ``key`` (instead of whom it counted for); whether
        that takes ``key`` past :data:`CONNECTIONS_PER_CLIENT`."""
        self._uncount()
        self._key = key
        _BY_CLIENT.setdefault(key, {})[self] = None
        return _OPEN.add(key) > CONNECTIONS_PER_CLIENT

    def _uncount(self) -> None:
        if self._key is not None:
            _OPEN.take(self._key)
            mine = _BY_CLIENT.get(self._key, {})
            mine.pop(self, None)
            if not mine:
                _BY_CLIENT.pop(self._key, None)
            self._key = None

    def _forwarded_client(self) -> str:
        """The client of a request a trusted proxy relays, as uvicorn's middleware will put it
        in the request's scope (the proxy itself when it names nobody)."""
        assert self.proxies is not None and self.client is not None
        forwarded = [value for name, value in self.headers if name == b"x-forwarded-for"]
        host = ""
        if forwarded:
            host, _ = self.proxies.get_trusted_client_address(b", ".join(forwarded).decode("latin1"))
        return client_key(host or str(self.client[0]))

    def _framing(self) -> None:
        """What RFC 9112 asks a server to refuse: an HTTP version it does not speak (505), a
        1.1 request without one ``Host`` (400, §3.2), a transfer coding other than chunked
        (501, §6.1); uvicorn took them all."""
        version = self.parser.get_http_version()
        if version not in ("1.0", "1.1"):
            raise Refused(505, f"HTTP/{version} is not spoken here: send HTTP/1.1")
        hosts = sum(1 for name, _ in self.headers if name == b"host")
        if hosts > 1 or (hosts == 0 and version == "1.1"):
            raise Refused(400, "an HTTP/1.1 request has exactly one Host header; this one has "
                               f"{hosts}")
        codings = [c.strip().lower() for name, value in self.headers if name == b"transfer-encoding"
                   for c in value.split(b",") if c.strip()]
        if any(c != b"chunked" for c in codings):
            raise Refused(501, "the only transfer coding this server reads is chunked")
        if codings and version == "1.0":  # RFC 9112 §6.1: faulty framing (probe r16 L2)
            raise Refused(400, "an HTTP/1.0 request has no Transfer-Encoding: send its length "
                               "(Content-Length), or send HTTP/1.1")

    def _count_head(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > HEAD_BYTES:
            raise Refused(431, f"the request's headers are longer than this server's "
                               f"{HEAD_BYTES:,} bytes")

    def _head_late(self) -> None:
        if not self._begun:  # an idle connection: closed without a word, as keep-alive is
            self._timer = None
            self.transport.close()
            return
        self._late(self.head_seconds, "the request's headers did not arrive", self._head_late)

    def _body_late(self) -> None:
        self._late(self.body_idle_seconds, "the request's body stopped arriving", self._body_late)

    def _late(self, seconds: float, what: str, again: Callable[[], None]) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused:  # the server is not reading: not the client's delay
            self._arm(seconds, again)
            return
        cycle = self.cycle
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            self.transport.close()  # answered before its body came: only the close is left
            return
        self._refuse(408, f"{what} within {seconds:g} s; the connection is closed")

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with ``message`` and close; the application, if it has the
        request, sees its client gone."""
        self._disarm()
        if self.transport.is_closing():
            return
        cycle = self.cycle
        earlier = cycle is not None and not cycle.response_complete and not cycle.more_body
        if earlier or self.pipeline:  # the fault is a later request's: answer the earlier first
            self._deferred = self._deferred or (status, message)
            self.flow.pause_reading()
            return
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            self.transport.close()
            return
        self.logger.info("%s - %d: %s", _peer(self.client), status, message)
        body = (message + "\n").encode()
        head = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}",
                "content-type: text/plain; charset=utf-8", f"content-length: {len(body)}",
                "connection: close", "x-content-type-options: nosniff"]
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        self.transport.close()

    def _arm(self, seconds: float, then: Callable[[], None]) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, then)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _peer(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "a client"


def guarded_protocol(head_seconds: float, body_idle_seconds: float,
                     send_seconds: float = GuardedProtocol.send_seconds,
                     proxies: str | None = None, max_connections: int = 0) -> type[GuardedProtocol]:
    """The protocol class for uvicorn's ``http`` setting, with these limits; ``proxies`` (the
    ``forwarded_allow_ips`` uvicorn is given, ``None`` when it reads no proxy header) are the
    peers whose ``X-Forwarded-For`` names the client; ``max_connections`` (0: from the file
    descriptor limit, :func:`connection_ceiling`) the most open at once."""
    return type("GuardedProtocol", (GuardedProtocol,), {
        "head_seconds": head_seconds, "body_idle_seconds": body_idle_seconds,
        "send_seconds": send_seconds, "proxies": _TrustedHosts(proxies) if proxies else None,
        "max_connections": connection_ceiling(max_connections)})
