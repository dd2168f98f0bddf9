"""Query worker processes: the only way to really stop a pyoxigraph query is to kill it.

Workers are forked from the server after the store is loaded (copy-on-write: no reload, no
copy), so each holds a snapshot of the store. A job is a module-level function and its
arguments; the worker runs ``function(store, *args)`` and sends the pickled answer back.
The server waits for the answer on the event loop (the reply pipe is watched with
``add_reader``). A job past its deadline gets its worker killed with SIGKILL and a fresh one
forked in its place. After a change of the store, workers of an older version are retired
and replaced.

Admission: a client (by address) holds at most ``per_client`` workers at once (the pool's
size by default); its further jobs wait for its own. Besides the ``size`` general workers,
``lanes`` fast-lane workers take a job only when every general worker is busy, only for a
client with nothing else running, and stop it after ``lane_timeout`` seconds: slow jobs
cannot take them for long, so other clients' cheap queries keep being answered while slow
ones run; a client whose job overran the lane may not have it again for ``lane_strike``
seconds (else a few clients sending slow queries take turns in it). A job that finds no
worker within ``queue_wait`` seconds gets :class:`Busy` (a 503
with ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import logging
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar, TypeVarTuple, Unpack

from sarcoma_graph.serve.worker import Limits, serve
from sarcoma_graph.store import QueryError, Store

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

log = logging.getLogger("sarcoma_graph.serve")
_FORK = multiprocessing.get_context("fork")
_CHUNK = 1 << 20
#: exit codes of a worker that an allocation past its memory limit ended (a failed allocation
#: in the engine aborts; the kernel may kill it)
_OUT_OF_MEMORY = (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL, -signal.SIGBUS)


class JobTimeout(Exception):
    """A job ran past its deadline; its worker was killed."""


class WorkerDied(Exception):
    """A worker ended while running a job (out of memory, crash)."""


class ClientGone(Exception):
    """The client went away while its job ran; the worker was stopped."""


#: ``await gone()``: whether the client of a job has gone (checked while the job runs)
Gone = Callable[[], Awaitable[bool]]
#: how often a running job's client is checked
GONE_EVERY = 1.0


class OutOfMemory(Exception):
    """A job needed more memory than a query may use; its worker was replaced."""


class Busy(Exception):
    """No room for the job now; ``retry_after`` seconds is a fair wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


#: The client a job is run for (its address), set per request by the server's middleware.
CLIENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("client", default=None)

STACK = 256 << 20
"""The stack of the thread the workers are forked from (theirs), and of the one that changes
the server's store: pyoxigraph's parser and planner recurse deeply."""


def _large_stack_thread(name: str) -> ThreadPoolExecutor:
    """An executor of one long-lived thread with a :data:`STACK` stack."""
    previous = threading.stack_size(STACK)
    try:
        executor = ThreadPoolExecutor(1, thread_name_prefix=name)
        executor.submit(lambda: None).result()  # start the thread with that stack
    finally:
        threading.stack_size(previous)
    return executor


@dataclass(frozen=True)
class Admission:
    """How the pool shares its workers between clients."""

    per_client: int | None = None  # None: the pool's size
    lanes: int = 1
    lane_timeout: float = 3.0
    queue_wait: float = 5.0
    #: seconds a client whose job overran the fast lane may not have the lane again: else a
    #: few clients sending slow queries take turns in it and every cheap query waits behind
    lane_strike: float = 60.0


@dataclass
class _Waiter:
    """A job waiting for a worker: the client it runs for and the future that gets one."""

    client: str | None
    future: asyncio.Future[Worker]


@dataclass
class Worker:
    process: BaseProcess
    jobs: Connection
    replies: int  # read end of the reply pipe: 8-byte length, then the pickled reply
    version: int
    lane: bool = False

    @property
    def pid(self) -> int:
        return self.process.pid or 0


class WorkerPool:
    """A fixed number of forked workers over one store, and the fast-lane workers."""

    def __init__(self, store: Store, size: int, admission: Admission | None = None,
                 network: bool = True, limits: Limits | None = None) -> None:
        """``network=False``: workers cannot open IP sockets (:mod:`.sandbox`); ``limits``:
        the memory a job may use and the bytes of its answer."""
        self.store, self.size, self.network = store, size, network
        self.limits = limits or Limits()
        self.admission = admission or Admission()
        self.store_lock = threading.Lock()  # held to fork and to change the store
        #: The store version queries are answered from: a change in progress (under the lock)
        #: bumps ``store.version`` but not this, until :meth:`recycle` after it; meanwhile the
        #: workers forked before it keep answering from the data before it (probe r13 L2: a
        #: write replaced every worker as soon as it was released, and their forks waited for
        #: the change to end, so each write stalled every query).
        self.published = store.version
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._lane: asyncio.Queue[Worker] = asyncio.Queue()
        self._waiting: collections.deque[_Waiter] = collections.deque()
        self._running: dict[str, int] = {}
        self._struck: dict[str, float] = {}  # client → until when the fast lane is not theirs
        self._all: dict[int, Worker] = {}
        self._reforking: set[asyncio.Task[None]] = set()
        self._closed = False
        # One long-lived thread forks and reaps: a worker's PR_SET_PDEATHSIG fires when the
        # *thread* that forked it ends, so that thread must live as long as the server. Its
        # stack (copied into every worker) is large: pyoxigraph's parser recurses deeply.
        self._forker = _large_stack_thread("sarcoma-graph-forker")
        # and the store's changes run on a stack as large: an update is applied in this process
        # after its trial in a worker, and on the default 8 MB thread stack a DELETE WHERE of
        # 3,000 objects (20 KB) that the worker had run overflowed it, killing the server
        # (found measuring for probe r16 M3)
        self._applier = _large_stack_thread("sarcoma-graph-apply")

    async def _in_forker(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._forker, function, *args)

    async def on_large_stack(self, function: Callable[[], T]) -> T:
        """``function()`` on a thread with the workers' stack (:data:`STACK`), one at a time."""
        return await asyncio.get_running_loop().run_in_executor(self._applier, function)

    def _fork(self, lane: bool = False) -> Worker:
        job_out, job_in = _FORK.Pipe(duplex=False)
        reply_out, reply_in = os.pipe()
        with self.store_lock:
            process = _FORK.Process(target=serve,
                                    args=(self.store, job_out, reply_in, self.network,
                                          self.limits),
                                    daemon=True, name="sarcoma-graph-query")
            process.start()
            version = self.store.version
        job_out.close()
        os.close(reply_in)
        worker = Worker(process, job_in, reply_out, version, lane)
        self._all[worker.pid] = worker
        return worker

    async def start(self) -> None:
        for _ in range(self.size):
            self._idle.put_nowait(await self._in_forker(self._fork))
        for _ in range(self.admission.lanes):
            self._lane.put_nowait(await self._in_forker(self._fork, True))

    def _put(self, worker: Worker) -> None:
        (self._lane if worker.lane else self._idle).put_nowait(worker)
        self._dispatch()

    @property
    def pids(self) -> list[int]:
        return sorted(self._all)

    def _kill(self, worker: Worker) -> None:
        self._all.pop(worker.pid, None)
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        worker.process.join(5)
        worker.jobs.close()
        with contextlib.suppress(OSError):
            os.close(worker.replies)

    async def _replace(self, worker: Worker) -> None:
        await self._in_forker(self._kill, worker)
        try:
            self._put(await self._in_forker(self._fork, worker.lane))
        except OSError:  # no memory or no file descriptor left: try again, in the background
            log.warning("could not fork a query worker; trying again", exc_info=True)
            task = asyncio.create_task(self._refork(worker.lane))
            self._reforking.add(task)
            task.add_done_callback(self._reforking.discard)

    async def _refork(self, lane: bool) -> None:
        """Fork a worker again until it works, waiting longer each time (up to 30 s): a flood
        of connections that took every file descriptor lost the worker for good, and the pool
        stayed one short until a restart (probe r15 H5)."""
        delay = 0.25
        while not self._closed:
            await asyncio.sleep(delay)
            try:
                self._put(await self._in_forker(self._fork, lane))
                log.warning("query worker forked again")
                return
            except OSError:
                delay = min(delay * 2, 30.0)

    async def _release(self, worker: Worker) -> None:
        if worker.version != self.published:
            await self._replace(worker)
        else:
            self._put(worker)

    async def recycle(self) -> None:
        """After a change of the store: publish its version and replace the idle workers of an
        older one (busy ones go when released)."""
        self.published = self.store.version
        stale = []
        for queue in (self._idle, self._lane):
            while not queue.empty():
                stale.append(queue.get_nowait())
        for worker in stale:
            await self._release(worker)

    async def run(self, function: Callable[[Store, Unpack[Ts]], T], *args: *Ts,
                  timeout: float, retire: bool = False, gone: Gone | None = None) -> T:
        """Run ``function(store, *args)`` in a worker; raise its exception, :class:`JobTimeout`
        or :class:`Busy`. ``retire`` replaces the worker afterwards (its copy of the store was
        changed); ``gone`` is asked every :data:`GONE_EVERY` seconds while the job runs, and
        when the client has gone the worker is stopped (:class:`ClientGone`)."""
        client = CLIENT.get()
        wait = min(timeout, self.admission.queue_wait)
        worker = await self._acquire(client, wait)
        try:
            limit = min(timeout, self.admission.lane_timeout) if worker.lane else timeout
            result: T = await self._run_on(worker, function, args, limit, retire, gone, client)
            return result
        finally:
            self._unhold(client)
            self._dispatch()  # a job of this client waiting for its own may go now

    def _take(self, client: str | None) -> Worker | None:
        """A worker for the client now, if the rules allow one: a general worker below its
        limit, a fast-lane worker only with nothing else running."""
        held = self._running.get(client, 0) if client is not None else 0
        if held >= (self.admission.per_client or self.size):
            return None
        lane = held == 0 and not self._is_struck(client)
        for queue in (self._idle, self._lane) if lane else (self._idle,):
            if not queue.empty():
                if client is not None:
                    self._running[client] = held + 1
                return queue.get_nowait()
        return None

    def _is_struck(self, client: str | None) -> bool:
        """Whether the client's job overran the fast lane a short while ago."""
        if client is None or client not in self._struck:
            return False
        if self._struck[client] > asyncio.get_running_loop().time():
            return True
        del self._struck[client]
        return False

    def _dispatch(self) -> None:
        """Hand free workers to waiting jobs, first come first served (a job whose client is
        at its limit lets the next ones pass); wakes only the jobs it serves."""
        for waiter in list(self._waiting):
            if self._idle.empty() and self._lane.empty():
                return
            if waiter.future.done():
                self._waiting.remove(waiter)
                continue
            worker = self._take(waiter.client)
            if worker is not None:
                self._waiting.remove(waiter)
                waiter.future.set_result(worker)

    async def _acquire(self, client: str | None, wait: float) -> Worker:
        """A worker as :meth:`_take` allows, now or in turn; :class:`Busy` after ``wait``
        seconds."""
        if not self._waiting:
            worker = self._take(client)
            if worker is not None:
                return worker
        waiter = _Waiter(client, asyncio.get_running_loop().create_future())
        self._waiting.append(waiter)
        self._dispatch()
        try:
            await asyncio.wait({waiter.future}, timeout=wait)
        except BaseException:  # cancelled (client gone): a worker handed over goes back
            if waiter.future.done() and not waiter.future.cancelled():
                self._give_back(client, waiter.future.result())
            self._leave(waiter)
            raise
        if not waiter.future.done():
            self._leave(waiter)
            held = self._running.get(client, 0) if client is not None else 0
            if held >= (self.admission.per_client or self.size):
                raise Busy(f"you already have {held} requests running on this endpoint "
                           f"and the next waited {wait:g} s for them", 2)
            raise Busy(f"every query worker stayed busy for {wait:g} s", 2)
        return waiter.future.result()

    def _leave(self, waiter: _Waiter) -> None:
        waiter.future.cancel()
        with contextlib.suppress(ValueError):
            self._waiting.remove(waiter)

    def _give_back(self, client: str | None, worker: Worker) -> None:
        """Undo a hand-over the job could not take (it was cancelled meanwhile)."""
        self._unhold(client)
        self._put(worker)

    def _unhold(self, client: str | None) -> None:
        """One worker fewer held by the client."""
        if client is not None:
            self._running[client] -= 1
            if not self._running[client]:
                del self._running[client]

    async def _run_on(self, worker: Worker, function: Callable[..., Any], args: tuple[Any, ...],
                      timeout: float, retire: bool, gone: Gone | None = None,
                      client: str | None = None) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker.jobs.send((function, args))
            reply = await self._receive(worker, deadline - loop.time(), gone)
        except TimeoutError:
            await self._replace(worker)
            if worker.lane:
                if client is not None:  # the lane is for cheap queries: not this client's for now
                    self._struck[client] = loop.time() + self.admission.lane_strike
                raise Busy(f"the server is busy: the query was stopped after the {timeout:g} s "
                           "allowed while every other worker runs slow queries", 5) from None
            raise JobTimeout(f"stopped after {timeout:g} s") from None
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            await self._replace(worker)
            if self.limits.memory and worker.process.exitcode in _OUT_OF_MEMORY:
                raise OutOfMemory(self._memory_message()) from None
            raise WorkerDied(f"the query worker ended unexpectedly ({error!r})") from None
        except BaseException:  # cancelled (client gone): the worker's state is unknown
            await asyncio.shield(self._replace(worker))
            raise
        status, value = reply
        if status.endswith("!"):  # the worker grew large on this job: replace it after
            status, retire = status[:-1], True
        if status == "error" and isinstance(value, MemoryError):
            await self._replace(worker)  # a worker that ran out of memory is not reused
            raise OutOfMemory(self._memory_message())
        await (self._replace(worker) if retire else self._release(worker))
        if status == "query_error":
            raise QueryError(*value)
        if status == "error":
            raise value
        return value

    def _memory_message(self) -> str:
        if not self.limits.memory:
            return "the query was stopped: the server ran out of memory for it; narrow it"
        return (f"the query was stopped: it needed more than the {self.limits.memory >> 20} MB "
                "of memory a query may use (--query-memory); narrow its patterns, or add LIMIT to a "
                "query that does not sort, group or count")

    async def _receive(self, worker: Worker, timeout: float,
                       gone: Gone | None = None) -> tuple[str, Any]:
        """Read one reply without blocking the loop (the fd may be non-blocking under uvloop)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bytes] = loop.create_future()
        buffer = bytearray()
        fd = worker.replies

        def readable() -> None:
            try:
                chunk = os.read(fd, _CHUNK)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                if not done.done():
                    done.set_exception(error)
                return
            if not chunk:
                if not done.done():
                    done.set_exception(EOFError("the worker closed its pipe"))
                return
            buffer.extend(chunk)
            complete = len(buffer) >= 8 and len(buffer) >= 8 + int.from_bytes(buffer[:8], "little")
            if complete and not done.done():
                done.set_result(bytes(buffer[8:]))

        loop.add_reader(fd, readable)
        try:
            if gone is None:
                data = await asyncio.wait_for(done, max(timeout, 0.001))
            else:  # in slices (asyncio.wait leaves the reply pending), asking between them
                deadline = loop.time() + timeout  # whether the client is still there
                while True:
                    left = deadline - loop.time()
                    finished, _ = await asyncio.wait((done,), timeout=max(min(left, GONE_EVERY),
                                                                           0.001))
                    if finished:
                        data = done.result()
                        break
                    if left <= GONE_EVERY:
                        raise TimeoutError
                    if await gone():
                        raise ClientGone("the client closed the connection")
        finally:
            loop.remove_reader(fd)
        reply: tuple[str, Any] = pickle.loads(data)  # (status, the function's value or error)
        return reply

    async def close(self) -> None:
        self._closed = True
        for task in list(self._reforking):
            task.cancel()
        for worker in list(self._all.values()):
            await self._in_forker(self._kill, worker)
        self._forker.shutdown(wait=False)
        self._applier.shutdown(wait=False)
