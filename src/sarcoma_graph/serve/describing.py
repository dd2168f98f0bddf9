"""Writing the self-description graph once the endpoint answers.

Its statistics read every quad (seconds at a million quads, a minute at ten million), so
``serve`` no longer waits for them before answering: the workers are forked over the data,
the endpoint answers, and this task counts in a query worker, writes the graph into the
server's store (holding the write lock, so an update waits for it) and re-forks the workers,
as after an update. Until then the store holds the data without the description: every
answer is that of the data as loaded (answers and ETags are keyed by the store version,
which the description bumps, so none given before is served after), the editor page carries
the prefixes itself, and :attr:`EndpointState.described` is false. The log says when the
graph is in (``self-description graph ready``); a client that needs it can ask
``ASK { GRAPH <…/graph/service-description> { ?s ?p ?o } }``.
"""

from __future__ import annotations

import asyncio
import logging
import time

import anyio

from sarcoma_graph.serve.pool import Busy, WorkerDied
from sarcoma_graph.serve.state import EndpointState
from sarcoma_graph.serve.statistics import VoidStats, compute, saved_stats, with_description

log = logging.getLogger("sarcoma_graph.serve")

#: The longest the statistics may take in a worker (ten million quads take about a minute).
COUNT_TIMEOUT = 3600.0


async def _statistics(state: EndpointState) -> VoidStats:
    """The statistics, counted from the saved file the store was loaded from (in a child
    process of low priority), else in a query worker (waiting for one while clients hold them
    all); in this process if no worker can do it."""
    counted = await saved_stats(state)
    if counted is not None:
        return counted
    while True:
        try:
            return await state.pool.run(compute, timeout=COUNT_TIMEOUT)
        except Busy:
            await asyncio.sleep(0.5)
        except WorkerDied:
            log.warning("a query worker died counting the statistics; counting here")
            return await anyio.to_thread.run_sync(compute, state.store)


async def describe_when_ready(state: EndpointState) -> int | None:
    """Write the self-description graph (see the module); its triple count."""
    started = time.monotonic()
    async with state.write_lock:
        # through the summaries: the home page, VoID and the service description asking
        # meanwhile wait for these statistics rather than count again
        stats = await state.summary("void", lambda: _statistics(state))

        def install() -> int | None:
            with state.pool.store_lock:
                return state.describe_store(stats)

        try:
            count = await anyio.to_thread.run_sync(install)
            state.described = count is not None
            if count is not None:  # the data did not change: no second count of it
                state.remember("void", with_description(stats, count))
        finally:
            await state.changed()
    log.info("self-description graph ready: %s triples (%.1f s)", count,
             time.monotonic() - started)
    return count
