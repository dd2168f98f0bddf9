"""A reverse proxy in front of a real store that misbehaves on request: for the tests of what
``publish`` does when a store rejects a batch or answers nonsense. Binds 127.0.0.1; runs in a
thread of the test process and stops with :meth:`FaultyProxy.stop`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

#: ``(method, path, body, index of this request) → (status, content type, body)`` or ``None``
#: to forward the request as it is.
Fault = Callable[[str, str, bytes, int], tuple[int, str, bytes] | None]
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


@dataclass
class FaultyProxy:
    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def start_proxy(upstream: str, fault: Fault) -> FaultyProxy:
    """Forward everything to ``upstream`` (``http://127.0.0.1:PORT``) unless ``fault`` answers."""
    counter = {"n": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            with lock:
                counter["n"] += 1
                index = counter["n"]
            forced = fault(self.command, self.path, body, index)
            if forced is None:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP | {"host"}}
                reply = httpx.request(self.command, upstream + self.path, content=body,
                                      headers=headers, timeout=60)
                status, media, data = reply.status_code, reply.headers.get("content-type", ""), \
                    reply.content
            else:
                status, media, data = forced
            self.send_response(status)
            if media:
                self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return FaultyProxy(server, thread)
