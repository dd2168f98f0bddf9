"""The worker pool's admission control (issue 8, defect 5), without a server: per-client
limits, the fast lane, and ``Busy`` (503 with ``Retry-After``) when nothing frees in time."""

from __future__ import annotations

import asyncio
import time

import pytest

from sarcoma_graph.serve.pool import CLIENT, Admission, Busy, WorkerPool
from sarcoma_graph.store import open_store


def nap(store, seconds: float) -> float:
    time.sleep(seconds)
    return seconds


async def _as(client: str, pool: WorkerPool, seconds: float, timeout: float = 10) -> float:
    CLIENT.set(client)
    return await pool.run(nap, seconds, timeout=timeout)


def run_pool(admission: Admission, scenario) -> object:
    async def main() -> object:
        pool = WorkerPool(open_store(), 2, admission)
        await pool.start()
        try:
            return await scenario(pool)
        finally:
            await pool.close()

    return asyncio.run(main())


def test_defect_5_fast_lane_answers_others_while_two_clients_hold_every_worker():
    async def scenario(pool):
        slow = [asyncio.create_task(_as(c, pool, 1.5)) for c in ("a", "b")]
        await asyncio.sleep(0.3)
        started = time.monotonic()
        await _as("c", pool, 0.01)
        waited = time.monotonic() - started
        await asyncio.gather(*slow)
        return waited

    assert run_pool(Admission(lanes=1, lane_timeout=1.0), scenario) < 0.5


def test_one_client_cannot_take_the_fast_lane_too():
    async def scenario(pool):
        own = [asyncio.create_task(_as("a", pool, 1.0)) for _ in range(3)]
        await asyncio.sleep(0.3)
        started = time.monotonic()
        await _as("b", pool, 0.01)  # the lane is still free for another client
        waited = time.monotonic() - started
        await asyncio.gather(*own)
        return waited

    assert run_pool(Admission(lanes=1), scenario) < 0.5


def test_busy_with_retry_after_when_nothing_frees_in_time():
    async def scenario(pool):
        held = [asyncio.create_task(_as("a", pool, 1.5)) for _ in range(2)]
        await asyncio.sleep(0.2)
        with pytest.raises(Busy, match="already have 2") as caught:
            await _as("a", pool, 0.01)
        await asyncio.gather(*held)
        return caught.value.retry_after

    assert run_pool(Admission(lanes=1, queue_wait=0.5), scenario) > 0


def test_a_slow_job_in_the_fast_lane_is_stopped_early():
    async def scenario(pool):
        held = [asyncio.create_task(_as(c, pool, 1.5)) for c in ("a", "b")]
        await asyncio.sleep(0.2)
        with pytest.raises(Busy, match="server is busy"):
            await _as("c", pool, 5)
        await asyncio.gather(*held)

    run_pool(Admission(lanes=1, lane_timeout=0.5), scenario)


def call_out(store, url: str) -> str:
    """Run a SERVICE call with no guard in front (what a scanner bug would let through)."""
    import pyoxigraph as ox

    try:
        list(ox.Store().query(f"SELECT * {{ SERVICE <{url}> {{ }} }}"))
    except Exception as error:
        return str(error)
    return "called"


def test_workers_without_allowed_services_have_no_network():
    from tests.recording import recording_listener

    async def scenario(pool):
        return await pool.run(call_out, listener.url + "x", timeout=10)

    async def main(network: bool) -> str:
        pool = WorkerPool(open_store(), 1, Admission(lanes=0), network=network)
        await pool.start()
        try:
            return await scenario(pool)
        finally:
            await pool.close()

    with recording_listener() as listener:
        assert asyncio.run(main(network=False)) != "called"
        assert listener.requests == []
        assert asyncio.run(main(network=True)) == "called"  # the test can tell
        assert len(listener.requests) == 1


def test_the_direct_sparql_path_keys_an_ipv6_client_by_its_64(monkeypatch):
    """Probe r15 M9: /sparql requests without Origin take the direct path, which keyed the
    per-client limit and fast lane on the raw address: three addresses of one /64 were three
    clients there, one client on every other route."""
    import asyncio

    from sarcoma_graph.serve.pool import CLIENT
    from sarcoma_graph.serve.routes import direct

    seen = []

    async def answer(app, handler, state, scope, receive, send):
        seen.append(CLIENT.get())

    monkeypatch.setattr(direct, "_answer", answer)
    app = direct.EndpointApp()
    app.state.__setattr__(direct.STATE_KEY, object())
    for address in ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9"):
        scope = {"type": "http", "method": "GET", "path": "/sparql", "root_path": "",
                 "headers": [], "client": (address, 5000)}
        asyncio.run(app(scope, None, None))
    assert seen == ["2001:db8:1:2::/64", "2001:db8:1:2::/64"]
