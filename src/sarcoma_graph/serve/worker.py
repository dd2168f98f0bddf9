"""The loop a query worker runs after the fork: receive a job, run it, send back the reply.

A job is ``(function, args)``; the reply, pickled, is ``("ok", value)``, ``("query_error",
(message, line, column))`` or ``("error", exception)``, framed by an 8-byte length. A status
ending in ``!`` asks to be retired: the job left the worker far larger than it started.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import resource
import signal
import stat
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sarcoma_graph.serve.sandbox import deny_network
from sarcoma_graph.store import QueryError, ResultTooLarge, Store

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


@dataclass(frozen=True)
class Limits:
    """What one job may use: ``memory`` bytes past the worker's size when it started (0: no
    limit), and ``answer`` bytes of reply."""

    memory: int = 0
    answer: int = 256 * 1024 * 1024
    #: a worker whose peak resident size grew by more than this since it started is retired
    #: after its job (the memory a large query touched is otherwise kept until it ends)
    regrow: int = 256 * 1024 * 1024

    @classmethod
    def of(cls, memory: int, answer: int) -> Limits:
        """The limits for a memory allowance: a worker is retired once it grew by a quarter
        of it."""
        return cls(memory, answer, memory // 4 if memory else cls.regrow)


def _limit_memory(extra: int) -> None:
    """Cap the worker's address space at its present size plus ``extra`` bytes: a query past
    it fails to allocate (a ``MemoryError``, or the engine aborts) instead of taking the
    machine's memory. The store the worker shares with the server is inside the present
    size, so only what the query itself allocates counts."""
    if extra <= 0:
        return
    size = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                size = int(line.split()[1]) * 1024
    if not size:
        log.warning("query worker %d: no memory limit (its size is unknown)", os.getpid())
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _peak() -> int:
    """The worker's peak resident size so far, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _too_large(size: int, limit: int, grown: bool) -> bytes:
    error = ResultTooLarge(f"the answer is {size} bytes, more than the {limit} bytes the server "
                           "sends (--max-answer-bytes); narrow the query or add LIMIT")
    return pickle.dumps(("error!" if grown else "error", error), protocol=pickle.HIGHEST_PROTOCOL)


def serve(store: Store, jobs: Connection, replies: int, network: bool = True,
          limits: Limits | None = None) -> None:
    limits = limits or Limits()
    _detach({jobs.fileno(), replies})
    if not network and not deny_network():
        log.warning("query worker %d runs without the network sandbox", os.getpid())
    _limit_memory(limits.memory)
    started = _peak()
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
        grown = _peak() - started > limits.regrow
        if grown:  # answer, then be replaced
            reply = (reply[0] + "!", reply[1])
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            data = pickle.dumps(("error", RuntimeError(f"unpicklable answer: {error}")))
        except MemoryError as error:
            data = pickle.dumps(("error!", error))
        if len(data) > limits.answer:
            data = _too_large(len(data), limits.answer, grown)
        _write_all(replies, len(data).to_bytes(8, "little") + data)


