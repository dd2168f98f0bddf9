"""The endpoint's running state, built in the application's lifespan and given to routes by
``Depends(get_state)``. Any FastAPI application can host the endpoint: include
:func:`sarcoma_graph.serve.app.endpoint_router` and enter :func:`endpoint_state` in its
lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Request

from sarcoma_graph import __version__
from sarcoma_graph.catalogue import NamedQuery
from sarcoma_graph.namespaces import SERVICE_GRAPH
from sarcoma_graph.serve.cache import AnswerCache
from sarcoma_graph.serve.inherited import inherit
from sarcoma_graph.serve.pool import Admission, WorkerPool
from sarcoma_graph.serve.settings import Settings
from sarcoma_graph.serve.worker import Limits
from sarcoma_graph.store import Store

if TYPE_CHECKING:
    from sarcoma_graph.serve.statistics import VoidStats

T = TypeVar("T")


@dataclass(frozen=True)
class SavedDataset:
    """The saved N-Quads file the store was loaded from (``serve``), with the manifest's
    checksum of it: the statistics of that store version are counted from the file
    (:func:`sarcoma_graph.serve.census.saved_census`). ``version``: the store's version
    holding just that file (set when the endpoint starts)."""

    path: Path
    sha256: str
    version: int = -1

STATE_KEY = "sarcoma_graph_endpoint"


@dataclass
class EndpointState:
    """Settings, store, query workers, answer cache, named queries, per-version summaries."""

    settings: Settings
    store: Store
    pool: WorkerPool
    queries: dict[str, NamedQuery]
    cache: AnswerCache
    #: The prefixes RDF answers declare; handed to the worker jobs that serialise.
    prefixes: tuple[tuple[str, str], ...] = ()
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: Whether the self-description graph is in the store (written just after start-up).
    described: bool = False
    #: The file the store holds as loaded, while it holds just that (see :class:`SavedDataset`).
    saved: SavedDataset | None = None
    _summaries: dict[str, tuple[int, Any]] = field(default_factory=dict)
    _summary_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    #: Whether a write (update, Graph Store) changed the store since this server started.
    written: bool = False
    #: This server run, in the tags of answers given after a write.
    run_id: str = field(default_factory=lambda: secrets.token_hex(8))
    _served: str | None = None  # the saved dataset, program and queries served, digested

    @property
    def version(self) -> int:
        """The version answers are given from (and keyed, cached and tagged by): the store's
        as of the last change completed (:attr:`WorkerPool.published`)."""
        return self.pool.published

    @property
    def tag_version(self) -> tuple[str, int]:
        """What answers are keyed and tagged (``ETag``) by: the store version, which restarts
        at 0 with every start, with what the store holds named. Until a write that is the saved
        dataset's checksum with this program's version and named queries (a restart on the
        same build keeps its tags); after one, this run's own id. A rebuild with other data
        kept every tag, so a client revalidating its old copy was told 304 (probe r16 H6)."""
        if self.saved is None or self.written:
            return self.run_id, self.version
        if self._served is None:  # once: the saved file and the named queries stay
            queries = sorted((name, query.text) for name, query in self.queries.items())
            self._served = hashlib.blake2b(repr((self.saved.sha256, __version__, queries))
                                           .encode(), digest_size=12).hexdigest()
        return self._served, self.version

    async def summary(self, name: str, compute: Callable[[], Awaitable[T]]) -> T:
        """A value computed once per store version (VoID statistics…): ``await compute()``."""
        lock = self._summary_locks.setdefault(name, asyncio.Lock())
        async with lock:
            cached = self._summaries.get(name)
            if cached and cached[0] == self.version:
                known: T = cached[1]  # a name is always computed by the same function
                return known
            version = self.version
            value = await compute()
            self._summaries[name] = (version, value)
            return value

    def remember(self, name: str, value: Any) -> None:
        """A summary of the current store version known without computing it again."""
        self._summaries[name] = (self.version, value)

    @property
    def as_saved(self) -> SavedDataset | None:
        """The saved file when the store holds just it (this version), else ``None``."""
        saved = self.saved
        return saved if saved is not None and saved.version == self.version else None

    def endpoint_url(self, request: Request) -> str:
        """The public URL of ``/sparql`` (the configured one, else as this request reached it)."""
        return self.settings.endpoint(str(request.url_for("sparql")))

    def footer(self, root: str) -> str:
        """The footer of every page of this server (its release, licence, how to cite it)."""
        from sarcoma_graph.serve.pages.footer import site_footer

        return site_footer(root, self.settings.license, self.settings.citation)

    @property
    def self_described(self) -> bool:
        """Whether the store holds the self-description graph (see :func:`describe`)."""
        return self.settings.service_graph and not self.store.remote and self.described

    def describe_store(self, stats: VoidStats | None = None) -> int | None:
        """(Re)write the self-description graph when this endpoint keeps one (the caller holds
        the store lock); its triple count, else ``None``. ``stats``: already counted."""
        return describe(self.settings, self.store, self.queries.values(), self.prefixes, stats,
                        self.written)

    async def changed(self) -> None:
        """After a change of the store: drop cached answers and recycle the workers."""
        self.cache.clear()
        await self.pool.recycle()


def _prefixes() -> dict[str, str]:
    try:
        from sarcoma_graph.namespaces import converter, prefix_map

        converter()  # built once here, before the fork: pages write CURIEs in the workers
        return dict(prefix_map())
    except Exception:
        from sarcoma_graph.namespaces import PROJECT_PREFIXES, W3C_PREFIXES

        return {**W3C_PREFIXES, **PROJECT_PREFIXES}


def describe(settings: Settings, store: Store, queries: Iterable[NamedQuery],
             prefixes: Iterable[tuple[str, str]], stats: VoidStats | None = None,
             changed: bool = False) -> int | None:
    """Write the self-description graph into an embedded store (unless switched off); its
    triple count, else ``None``. A store of someone else's (``--store``) is never written."""
    if not settings.service_graph or store.remote:
        return None
    from sarcoma_graph.dataset import unmark_store
    from sarcoma_graph.serve.service_graph import install

    unmark_store(store)  # the pipeline's on-disk store no longer holds just the saved dataset
    return install(store, settings.stored_endpoint(), settings.license, queries, dict(prefixes),
                   stats, settings.history, changed)


@contextlib.asynccontextmanager
async def endpoint_state(app: FastAPI, settings: Settings, store: Store,
                         queries: Sequence[NamedQuery] = (),
                         saved: SavedDataset | None = None) -> AsyncIterator[EndpointState]:
    """Start the workers (forked now, with the store loaded), write the self-description graph
    once they answer (:mod:`sarcoma_graph.serve.describing`), stop them on the way out.
    ``saved``: the file the store was loaded from (the statistics are counted from it)."""
    # before the fork (the registry is slow); sent to the workers by reference
    prefixes = inherit(tuple(sorted(_prefixes().items())))
    describing = settings.service_graph and not store.remote
    if describing:  # a description saved with the data is never served for this data
        store.clear(SERVICE_GRAPH)
    admission = Admission(settings.per_client, settings.lanes, settings.lane_timeout,
                          settings.queue_wait)
    # no SERVICE endpoint allowed and a local store: the workers get no network at all (defence
    # in depth); in front of an external store they must reach it, and the scanner alone guards
    pool = WorkerPool(store, settings.workers, admission,
                      network=bool(settings.service_allow) or store.remote,
                      limits=Limits.of(settings.query_memory, settings.max_answer_bytes))
    await pool.start()
    state = EndpointState(settings, store, pool, {q.name: q for q in queries},
                          AnswerCache(settings.cache_entries, settings.cache_bytes), prefixes,
                          saved=replace(saved, version=store.version) if saved else None)
    setattr(app.state, STATE_KEY, state)
    task = asyncio.create_task(_describe(state)) if describing else None
    try:
        yield state
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await pool.close()


async def _describe(state: EndpointState) -> None:
    from sarcoma_graph.serve.describing import describe_when_ready

    await describe_when_ready(state)


async def get_state(request: Request) -> EndpointState:
    """The dependency every route takes (``async``: FastAPI would run a plain function in its
    thread pool, a thread hand-off on every request)."""
    state: EndpointState = getattr(request.app.state, STATE_KEY)  # set by the lifespan
    return state


#: The type of a route parameter that receives the endpoint state.
State = Annotated[EndpointState, Depends(get_state)]
