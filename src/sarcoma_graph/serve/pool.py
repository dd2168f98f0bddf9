"""Query worker processes: the only way to really stop a pyoxigraph query is to kill it.

Workers are forked from the server after the store is loaded (copy-on-write: no reload, no
copy), so each holds a snapshot of the store. A job is a module-level function and its
arguments; the worker runs ``function(store, *args)`` and sends the pickled answer back.
The server waits for the answer on the event loop (the reply pipe is watched with
``add_reader``), so a slow job never delays other clients. A job past its deadline gets its
worker killed with SIGKILL and a fresh one forked in its place. After a change of the store,
workers of an older version are retired and replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import stat
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import anyio

from sarcoma_graph.store import QueryError, Store

log = logging.getLogger("sarcoma_graph.serve")
_FORK = multiprocessing.get_context("fork")
_SMALL = 1 << 20  # replies up to this size are read on the event loop


class JobTimeout(Exception):
    """A job ran past its deadline; its worker was killed."""


class WorkerDied(Exception):
    """A worker ended while running a job (out of memory, crash)."""


@dataclass
class Worker:
    process: BaseProcess
    jobs: Connection
    replies: Connection
    version: int

    @property
    def pid(self) -> int:
        return self.process.pid or 0


def _detach(keep: set[int]) -> None:
    """In a new worker: default signals, die with the server, drop inherited sockets."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        with contextlib.suppress(OSError):
            if fd > 2 and fd not in keep and stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)  # the listening socket and client connections stay the server's


def _serve(store: Store, jobs: Connection, replies: Connection) -> None:
    _detach({jobs.fileno(), replies.fileno()})
    while True:
        try:
            function, args = jobs.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", function(store, *args))
        except QueryError as error:  # its pickle would lose line and column
            reply = ("query_error", (error.message, error.line, error.column))
        except BaseException as error:  # noqa: BLE001 - every failure goes back as a message
            reply = ("error", error)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            data = pickle.dumps(("error", RuntimeError(f"unpicklable answer: {error}")))
        replies.send_bytes(len(data).to_bytes(8, "little"))
        replies.send_bytes(data)


class WorkerPool:
    """A fixed number of forked workers over one store."""

    def __init__(self, store: Store, size: int) -> None:
        self.store, self.size = store, size
        self.store_lock = threading.Lock()  # held to fork and to change the store
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._all: dict[int, Worker] = {}
        # One long-lived thread forks and reaps: a worker's PR_SET_PDEATHSIG fires when the
        # *thread* that forked it ends, so that thread must live as long as the server.
        self._forker = ThreadPoolExecutor(1, thread_name_prefix="sarcoma-graph-forker")

    async def _in_forker(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._forker, function, *args)

    def _fork(self) -> Worker:
        job_out, job_in = _FORK.Pipe(duplex=False)
        reply_out, reply_in = _FORK.Pipe(duplex=False)
        with self.store_lock:
            process = _FORK.Process(target=_serve, args=(self.store, job_out, reply_in),
                                    daemon=True, name="sarcoma-graph-query")
            process.start()
            version = self.store.version
        job_out.close()
        reply_in.close()
        worker = Worker(process, job_in, reply_out, version)
        self._all[worker.pid] = worker
        return worker

    async def start(self) -> None:
        for _ in range(self.size):
            self._idle.put_nowait(await self._in_forker(self._fork))

    @property
    def pids(self) -> list[int]:
        return sorted(self._all)

    def _kill(self, worker: Worker) -> None:
        self._all.pop(worker.pid, None)
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        worker.process.join(5)
        worker.jobs.close()
        worker.replies.close()

    async def _replace(self, worker: Worker) -> None:
        await self._in_forker(self._kill, worker)
        try:
            self._idle.put_nowait(await self._in_forker(self._fork))
        except OSError:  # pragma: no cover - fork failed (memory); keep serving with fewer
            log.exception("could not fork a query worker")

    async def _release(self, worker: Worker) -> None:
        if worker.version != self.store.version:
            await self._replace(worker)
        else:
            self._idle.put_nowait(worker)

    async def recycle(self) -> None:
        """Replace the idle workers of an older store version (busy ones go when released)."""
        stale = []
        while not self._idle.empty():
            stale.append(self._idle.get_nowait())
        for worker in stale:
            await self._release(worker)

    async def run(self, function: Callable[..., Any], *args: Any, timeout: float,
                  retire: bool = False) -> Any:
        """Run ``function(store, *args)`` in a worker; raise its exception, or :class:`JobTimeout`.

        ``retire`` replaces the worker afterwards (its copy of the store was changed).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise JobTimeout(f"every query worker stayed busy for {timeout:g} s") from None
        try:
            worker.jobs.send((function, args))
            reply = await self._receive(worker, deadline - loop.time())
        except TimeoutError:
            await self._replace(worker)
            raise JobTimeout(f"stopped after {timeout:g} s") from None
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            await self._replace(worker)
            raise WorkerDied(f"the query worker ended unexpectedly ({error!r})") from None
        except BaseException:  # cancelled (client gone): the worker's state is unknown
            await asyncio.shield(self._replace(worker))
            raise
        await (self._replace(worker) if retire else self._release(worker))
        status, value = reply
        if status == "query_error":
            raise QueryError(*value)
        if status == "error":
            raise value
        return value

    async def _receive(self, worker: Worker, timeout: float) -> tuple[str, Any]:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = worker.replies.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, max(timeout, 0.001))
        finally:
            loop.remove_reader(fd)
        size = int.from_bytes(worker.replies.recv_bytes(), "little")
        if size <= _SMALL:
            data = worker.replies.recv_bytes()
        else:
            data = await anyio.to_thread.run_sync(worker.replies.recv_bytes)
        return pickle.loads(data)

    async def close(self) -> None:
        for worker in list(self._all.values()):
            await self._in_forker(self._kill, worker)
        self._forker.shutdown(wait=False)
