"""The loop a query worker runs after the fork: receive a job, run it, send back the reply.

A job is ``(function, args)``; the reply, pickled, is ``("ok", value)``, ``("query_error",
(message, line, column))`` or ``("error", exception)``, framed by an 8-byte length.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import stat
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sarcoma_graph.serve.sandbox import deny_network
from sarcoma_graph.store import QueryError, Store

log = logging.getLogger("sarcoma_graph.serve")


def _detach(keep: set[int]) -> None:
    """In a new worker: default signals, die with the server, drop inherited sockets."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    for entry in Path("/proc/self/fd").iterdir():
        fd = int(entry.name)
        with contextlib.suppress(OSError):
            if fd > 2 and fd not in keep and stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)  # the listening socket and client connections stay the server's


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def serve(store: Store, jobs: Connection, replies: int, network: bool = True) -> None:
    _detach({jobs.fileno(), replies})
    if not network and not deny_network():
        log.warning("query worker %d runs without the network sandbox", os.getpid())
    os.set_blocking(replies, True)
    while True:
        try:
            function, args = jobs.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", function(store, *args))
        except QueryError as error:  # its pickle would lose line and column
            reply = ("query_error", (error.message, error.line, error.column))
        except BaseException as error:
            reply = ("error", error)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            data = pickle.dumps(("error", RuntimeError(f"unpicklable answer: {error}")))
        _write_all(replies, len(data).to_bytes(8, "little") + data)


