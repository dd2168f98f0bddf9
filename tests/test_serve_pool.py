"""The worker pool's admission, in process: first come first served, per-client limits,
nothing lost when a waiting job is cancelled (a client that went away)."""

from __future__ import annotations

import asyncio
import time

import pytest

from sarcoma_graph.serve.pool import CLIENT, Admission, Busy, WorkerPool
from sarcoma_graph.store import open_store


def pause(store, seconds: float, tag: str) -> str:
    time.sleep(seconds)
    return tag


async def _job(pool: WorkerPool, client: str, seconds: float, tag: str, done: list[str]) -> None:
    CLIENT.set(client)
    done.append(await pool.run(pause, seconds, tag, timeout=10))


def _pool(size: int, **admission: float) -> WorkerPool:
    return WorkerPool(open_store("oxigraph"), size, Admission(lanes=0, **admission))


def test_waiting_jobs_are_served_in_arrival_order():
    async def main() -> list[str]:
        pool = _pool(1)
        await pool.start()
        done: list[str] = []
        try:
            tasks = []
            for index in range(5):
                tasks.append(asyncio.create_task(_job(pool, f"c{index}", 0.05, f"j{index}", done)))
                await asyncio.sleep(0.01)  # arrivals in this order
            await asyncio.gather(*tasks)
        finally:
            await pool.close()
        return done

    assert asyncio.run(main()) == ["j0", "j1", "j2", "j3", "j4"]


def test_a_client_at_its_limit_lets_the_next_clients_pass():
    async def main() -> list[str]:
        pool = _pool(2, per_client=1)
        await pool.start()
        done: list[str] = []
        try:
            first = asyncio.create_task(_job(pool, "a", 0.3, "a1", done))
            await asyncio.sleep(0.02)
            second = asyncio.create_task(_job(pool, "a", 0.01, "a2", done))  # waits for a1
            await asyncio.sleep(0.02)
            other = asyncio.create_task(_job(pool, "b", 0.01, "b1", done))  # free worker: goes
            await asyncio.gather(first, second, other)
        finally:
            await pool.close()
        return done

    assert asyncio.run(main()) == ["b1", "a1", "a2"]


def test_a_cancelled_waiting_job_loses_no_worker_and_busy_comes_after_the_wait():
    async def main() -> tuple[list[str], str]:
        pool = _pool(1, queue_wait=0.2)
        await pool.start()
        done: list[str] = []
        try:
            running = asyncio.create_task(_job(pool, "a", 0.3, "long", done))
            await asyncio.sleep(0.02)
            for index in range(3):  # clients that go away while waiting
                waiting = asyncio.create_task(_job(pool, f"gone{index}", 0.01, "x", done))
                await asyncio.sleep(0.01)
                waiting.cancel()
            with pytest.raises(Busy) as busy:
                await _job(pool, "late", 0.01, "late", done)  # waits 0.2 s: still busy
            await running
            await _job(pool, "after", 0.01, "after", done)  # the only worker came back
        finally:
            await pool.close()
        return done, str(busy.value)

    done, message = asyncio.run(main())
    assert done == ["long", "after"]
    assert "stayed busy for 0.2 s" in message


def count_quads(store) -> int:
    return sum(1 for _ in store.quads())


def test_queries_are_answered_from_the_data_before_a_change_while_it_runs():
    """Probe r13 L2: while a change held the store (an update, then the self-description's
    rewrite: seconds on a large store), each worker released was replaced at once and its fork
    waited for the change, so every query stalled until the change ended. The workers forked
    before a change now answer, from the data before it, until the change is published."""
    async def main() -> tuple[list[int], int]:
        pool = _pool(1)
        await pool.start()
        try:
            pool.store_lock.acquire()  # a change in progress: the store is written
            try:
                pool.store.update("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }")
                during = [await asyncio.wait_for(pool.run(count_quads, timeout=10), 5)
                          for _ in range(3)]
            finally:
                pool.store_lock.release()
            await pool.recycle()  # the change is done: published
            after = await pool.run(count_quads, timeout=10)
        finally:
            await pool.close()
        return during, after

    during, after = asyncio.run(main())
    assert during == [0, 0, 0]
    assert after == 1


def test_a_worker_that_cannot_be_forked_is_forked_again_later():
    """Probe r15 H5: a flood of idle connections took every file descriptor while a worker was
    being replaced; the fork failed once and the pool stayed a worker short for good."""
    import asyncio

    async def scenario() -> tuple[int, int]:
        pool = _pool(2)
        await pool.start()
        fork, failures = pool._fork, [OSError(24, "Too many open files")] * 2

        def failing(lane: bool = False):
            if failures:
                raise failures.pop()
            return fork(lane)

        pool._fork = failing  # type: ignore[method-assign]
        worker = await pool._idle.get()
        await pool._replace(worker)  # both forks fail: the pool is one short for a while
        short = pool._idle.qsize()
        for _ in range(100):
            if pool._idle.qsize() == 2:
                break
            await asyncio.sleep(0.1)
        whole = pool._idle.qsize()
        await pool.close()
        return short, whole

    short, whole = asyncio.run(scenario())
    assert (short, whole) == (1, 2)
