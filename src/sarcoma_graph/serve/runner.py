"""Running the application on an HTTP server: Granian (Rust, the default) or uvicorn.

Measured with wrk on the curated graph, uvicorn's Python HTTP protocol (parsing, the two
writes per answer, the ASGI glue) was a third of the server process's time on a short
query; Granian does that part in Rust (hyper and tokio) and calls the same ASGI app, with
its lifespan, in one process. uvicorn stays available (``serve --http-server uvicorn``).
Both bind only after :func:`sarcoma_graph.cli.serve.listen` has checked the address.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

SERVERS = ("granian", "uvicorn")


def run(app: Any, server: str, listening: socket.socket, quiet: bool) -> None:
    """Serve ``app`` until interrupted (SIGINT/SIGTERM: the lifespan's shutdown runs)."""
    if server == "uvicorn":
        _uvicorn(app, listening, quiet)
    else:
        host, port = listening.getsockname()[:2]
        listening.close()  # Granian binds its own socket (SO_REUSEPORT) to the same address
        _granian(app, host, port, quiet)


def _uvicorn(app: Any, listening: socket.socket, quiet: bool) -> None:
    import uvicorn

    host, port = listening.getsockname()[:2]
    config = uvicorn.Config(app, host=host, port=port, log_level="warning" if quiet else "info",
                            access_log=not quiet)
    uvicorn.Server(config).run(sockets=[listening])


def _granian(app: Any, host: str, port: int, quiet: bool) -> None:
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server.embed import Server

    server = Server(app, address=host, port=port, interface=Interfaces.ASGI,
                    backlog=2048, log_enabled=not quiet,
                    log_level=LogLevels.warning if quiet else LogLevels.info,
                    log_access=not quiet)
    # Granian calls its embedded mode experimental; what we rely on of it is covered by the
    # endpoint's tests, which run on it: the warning would only alarm a user
    logging.getLogger("_granian").addFilter(lambda record: "experimental" not in record.msg)
    asyncio.run(server.serve())
