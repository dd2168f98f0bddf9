"""A recording HTTP listener on 127.0.0.1: every request that reaches it is kept.

Adversarial tests point ``SERVICE``/``LOAD`` at it; it must see no request unless a test
says otherwise. It answers every request with one empty SPARQL solution, so that an
engine which calls it goes on evaluating (and a missed call would show in the results).
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_ANSWER = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'


class Recorder:
    def __init__(self, server: http.server.ThreadingHTTPServer) -> None:
        self.server, self.requests = server, []  # type: list[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"


@contextmanager
def recording_listener() -> Iterator[Recorder]:
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            requests.append(f"{self.command} {self.path}")
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(_ANSWER)))
            self.end_headers()
            self.wfile.write(_ANSWER)

        do_GET = do_POST = do_PUT = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recorder = Recorder(server)
    recorder.requests = requests
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
