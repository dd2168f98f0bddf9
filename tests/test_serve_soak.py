"""A bounded soak (issue 8): distinct large queries, then a minute of mixed load — cheap and
slow queries, SSRF attempts, quadratic and huge texts — from several clients at once. The
server's memory and worker count must come back, no answer may be a 500, the recording
listener must stay silent, and a loop-only route keeps answering (its slowest answer, the
worst event-loop stall seen, is printed).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.recording import recording_listener
from tests.serve_fixtures import make_project, serving
from tests.test_serve_hardening import CROSS_JOIN, QUADRATIC, client_from, ssrf_forms

pytest_plugins = ["tests.serve_fixtures"]

SOAK_SECONDS = 60
LARGE_QUERIES = 60
LARGE = 8 * 1024 * 1024


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def listener():
    with recording_listener() as recorder:
        yield recorder


@pytest.fixture(scope="module")
def soaked(tmp_path_factory, listener):
    project = make_project(tmp_path_factory.mktemp("soaked"))
    with serving(project, "--timeout", "3", "--workers", "2") as server:
        yield server


def _load(server, address: str, texts: list[str], stop: threading.Event,
          statuses: dict[int, int]) -> None:
    with client_from(server, address, timeout=60) as http:
        index = 0
        while not stop.is_set():
            text = texts[index % len(texts)]
            index += 1
            response = http.post("/sparql", content=text.encode(),
                                 headers={"content-type": "application/sparql-query"})
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1


@pytest.mark.slow
def test_soak_memory_workers_and_loop_stay_bounded(soaked, listener):
    with client_from(soaked, "127.0.0.20") as http:
        for _ in range(5):
            assert http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        rss_before, workers_before = rss_mib(soaked.pid), len(soaked.children())
        for index in range(LARGE_QUERIES):  # defect 4: 60 distinct 8 MiB queries
            text = f"ASK {{}} # {index} " + "x" * LARGE
            response = http.post("/sparql", content=text.encode(),
                                 headers={"content-type": "application/sparql-query"})
            assert response.status_code == 200, response.text[:200]
        rss_large = rss_mib(soaked.pid)

    cheap = ["ASK { ?s ?p ?o }", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"]
    hostile = [CROSS_JOIN, QUADRATIC, *ssrf_forms(listener.url),
               "SELECT * { SERVICE <http://127.0.0.1:9/x> {} VALUES ?x { "
               + " ".join(f'"value{i:06d}"' for i in range(100_000)) + " } }",
               "ASK " + "{" * 5000 + "}" * 5000]
    stop, statuses, stall = threading.Event(), {}, [0.0]
    threads = [threading.Thread(target=_load, args=(soaked, f"127.0.0.{30 + i}", texts, stop,
                                                    statuses))
               for i, texts in enumerate([cheap, cheap, hostile, hostile, [CROSS_JOIN]])]
    for thread in threads:
        thread.start()
    with httpx.Client(base_url=soaked.url, timeout=60) as probe:
        end = time.monotonic() + SOAK_SECONDS
        while time.monotonic() < end:
            started = time.monotonic()
            assert probe.get("/openapi.json").status_code == 200
            stall[0] = max(stall[0], time.monotonic() - started)
            time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    time.sleep(2)
    rss_after, workers_after = rss_mib(soaked.pid), len(soaked.children())
    print(f"soak: RSS {rss_before:.0f} MiB before, {rss_large:.0f} MiB after {LARGE_QUERIES} "
          f"distinct 8 MiB queries, {rss_after:.0f} MiB after {SOAK_SECONDS} s of mixed load; "
          f"workers {workers_before} -> {workers_after}; slowest loop-only answer "
          f"{stall[0]:.3f} s; statuses {sorted(statuses.items())}")
    assert 500 not in statuses
    assert workers_after == workers_before
    assert rss_large - rss_before < 150, (rss_before, rss_large)
    assert rss_after - rss_before < 200, (rss_before, rss_after)
    assert stall[0] < 2.0
    assert listener.requests == []
