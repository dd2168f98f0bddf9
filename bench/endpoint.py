"""Endpoint benchmark: sarcoma-graph serve vs `oxigraph serve-read-only` vs rdflib-endpoint.

    .venv/bin/python bench/endpoint.py                # curated graph + 1M-triple graph
    .venv/bin/python bench/endpoint.py --skip-large   # curated graph only

Every server gets the same N-Quads (the project's build, and a graph of the same shape
scaled to --triples by bench/endpoint_data.py) and the same queries by GET: the named query
`evidence-summary-by-source` (join + aggregate) and a one-entity lookup. A SECOND process
(this file with --client) drives each at 1, 8 and 32 concurrent clients over loopback, with
a bounded request count and time, and reports requests/s and p50/p99 latency. Our endpoint
runs twice: with its answer cache (the default) and with --cache-entries 0.
Needs the `bench` extra: `pip install -e .[bench]` (oxigraph CLI, rdflib-endpoint).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LOOKUP = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p ?o ?label WHERE { VALUES ?entity { <https://w3id.org/sarcoma-graph/id/agent/imatinib> }
  ?entity ?p ?o OPTIONAL { ?o rdfs:label ?label } }"""
CONCURRENCY = (1, 8, 32)
ACCEPT = "application/sparql-results+json"


# ---------------------------------------------------------------- client (second process)

async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    request: bytes) -> tuple[int, bool]:
    """One HTTP/1.1 request on a kept-alive connection: ``(status, keep_alive)``."""
    writer.write(request)
    status = int((await reader.readline()).split()[1])
    length, chunked, keep = 0, False, True
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and value == "close":
            keep = False
    if chunked:
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    elif length:
        await reader.readexactly(length)
    return status, keep


async def _drive(url: str, query: str, clients: int, requests: int, seconds: float,
                 timeout: float) -> dict:
    """A lean HTTP/1.1 keep-alive load generator (a Python client library would be the
    bottleneck): ``clients`` connections, each sending GETs back to back."""
    parts = urlsplit(url)
    target = f"{parts.path}?{urlencode({'query': query})}"
    request = (f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: {ACCEPT}\r\n"
               "User-Agent: sg-bench\r\n\r\n").encode()
    latencies: list[float] = []
    errors = 0
    issued = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors, issued
        connection = None
        while issued < requests and time.perf_counter() < deadline:
            issued += 1
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = await asyncio.open_connection(parts.hostname, parts.port)
                status, keep = await asyncio.wait_for(_exchange(*connection, request), timeout)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
                status, keep = 0, False
            if status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
            if not keep and connection is not None:
                connection[1].close()
                connection = None
        if connection is not None:
            connection[1].close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(p: float) -> float | None:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else None

    return {"ok": len(latencies), "errors": errors, "seconds": elapsed,
            "rps": len(latencies) / elapsed if elapsed else 0.0,
            "p50": percentile(0.50), "p99": percentile(0.99)}


def client_main(args: argparse.Namespace) -> None:
    query = Path(args.query_file).read_text()
    result = asyncio.run(_drive(args.url, query, args.clients, args.requests, args.seconds,
                                args.timeout))
    print(json.dumps(result))


# ---------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Running:
    name: str
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def _wait(running: Running, limit: float = 900) -> Running:
    import httpx

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise RuntimeError(f"{running.name} exited with {running.process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(running.url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return running
        time.sleep(0.5)
    running.stop()
    raise RuntimeError(f"{running.name} did not start")


def _spawn(name: str, url: str, command: list[str], log: Path) -> Running:
    with log.open("wb") as handle:
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    return _wait(Running(name, url, process))


def start_ours(build_dir: Path, work: Path, cache: bool, extra: tuple[str, ...] = ()) -> Running:
    """Our server as a user runs it (result limit and SERVICE guard on), with a longer time
    limit for the 1M-quad joins."""
    port = free_port()
    command = [str(BIN / "sarcoma-graph"), "serve", "--root", str(ROOT), "--build-dir",
               str(build_dir), "--port", str(port), "--quiet", "--timeout", "120",
               *extra] + ([] if cache else ["--cache-entries", "0"])
    name = "sarcoma-graph" if cache else "sarcoma-graph (no cache)"
    return _spawn(name, f"http://127.0.0.1:{port}/sparql", command,
                  work / f"ours-{port}.log")


def start_oxigraph(dataset: Path, work: Path) -> Running:
    location = work / f"oxigraph-{dataset.stem}"
    if not location.exists():
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location), "--file",
                        str(dataset)], check=True, capture_output=True)
    port = free_port()
    command = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location), "--bind",
               f"127.0.0.1:{port}", "--union-default-graph"]
    return _spawn("oxigraph", f"http://127.0.0.1:{port}/query", command, work / "oxigraph.log")


def start_rdflib_endpoint(dataset: Path, work: Path) -> Running:
    port = free_port()
    command = [str(BIN / "rdflib-endpoint"), "serve", str(dataset), "--host", "127.0.0.1",
               "--port", str(port)]
    return _spawn("rdflib-endpoint", f"http://127.0.0.1:{port}/", command,
                  work / "rdflib-endpoint.log")


# ---------------------------------------------------------------- driver

def measure(running: Running, query_file: Path, clients: int, args: argparse.Namespace,
            slow: bool) -> dict:
    seconds = args.seconds * (2 if slow else 1)
    command = [sys.executable, __file__, "--client", "--url", running.url, "--query-file",
               str(query_file), "--clients", str(clients), "--requests", str(args.requests),
               "--seconds", str(seconds), "--timeout", str(args.request_timeout)]
    warm = [*command[:-8], "--clients", "1", "--requests", "2", "--seconds", "1",
            "--timeout", str(args.request_timeout)]
    subprocess.run(warm, capture_output=True, text=True)
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def fmt(cell: dict | None) -> str:
    if not cell or not cell["ok"]:
        return f"{'no answer':>24}"
    return f"{cell['rps']:8.1f}/s {cell['p50'] * 1000:6.1f} {cell['p99'] * 1000:7.1f}ms"


def report(dataset: str, results: dict, names: list[str]) -> list[tuple[str, bool]]:
    checks = []
    print(f"\n== {dataset}: requests/s, p50 and p99 latency ==")
    print(f"{'query':<10}{'clients':>8}  " + "".join(f"{n:>26}" for n in names)
          + "   ours/oxigraph  ours/rdflib")
    for (query, clients), row in results.items():
        ours, oxi, rdf = row.get("sarcoma-graph"), row.get("oxigraph"), row.get("rdflib-endpoint")

        def ratio(a: dict | None, b: dict | None) -> float | None:
            if not a or not a["rps"]:
                return None
            return a["rps"] / b["rps"] if b and b["rps"] else float("inf")

        r_oxi, r_rdf = ratio(ours, oxi), ratio(ours, rdf)
        line = f"{query:<10}{clients:>8}  " + "".join(f"{fmt(row.get(n)):>26}" for n in names)
        line += f"   {r_oxi or 0:13.2f}x {r_rdf or 0:11.1f}x"
        print(line)
        need_oxi, need_rdf = (1.0, 20.0) if query == "aggregate" else (0.3, 3.0)
        checks.append((f"{dataset} {query} @{clients}: ≥{need_oxi}× oxigraph",
                       (r_oxi or 0) >= need_oxi))
        checks.append((f"{dataset} {query} @{clients}: ≥{need_rdf}× rdflib-endpoint",
                       (r_rdf or 0) >= need_rdf))
        if dataset == "curated" and clients == 8 and ours and ours["p99"] is not None:
            checks.append((f"curated {query} @8: p99 {ours['p99'] * 1000:.1f} ms < 50 ms",
                           ours["p99"] < 0.050))
    return checks


def run_dataset(label: str, dataset: Path, work: Path, args: argparse.Namespace,
                queries: dict[str, Path]) -> list[tuple[str, bool]]:
    build_dir = work / f"build-{label}"
    build_dir.mkdir(exist_ok=True)
    if not (build_dir / "manifest.json").exists():  # serve needs the manifest of a reasoned dataset
        from endpoint_wrk import stage_dataset

        stage_dataset(dataset, build_dir)
    starters = [("sarcoma-graph", lambda: start_ours(build_dir, work, True)),
                ("sarcoma-graph (no cache)", lambda: start_ours(build_dir, work, False)),
                ("oxigraph", lambda: start_oxigraph(dataset, work))]
    if not args.skip_rdflib:
        starters.append(("rdflib-endpoint", lambda: start_rdflib_endpoint(dataset, work)))
    results: dict[tuple[str, int], dict[str, dict]] = {}
    for name, start in starters:
        print(f"[{label}] starting {name}…", flush=True)
        running = start()
        try:
            for query, path in queries.items():
                for clients in CONCURRENCY:
                    cell = measure(running, path, clients, args, name == "rdflib-endpoint")
                    results.setdefault((query, clients), {})[name] = cell
                    print(f"[{label}] {name:<26}{query:<10}{clients:>3}: {fmt(cell)}"
                          f" ({cell['errors']} errors)", flush=True)
        finally:
            running.stop()
    return report(label, results, [n for n, _ in starters])


def main() -> None:
    parser = argparse.ArgumentParser(description="SPARQL endpoint benchmark")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url")
    parser.add_argument("--query-file")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--requests", type=int, default=3000, help="per cell, at most")
    parser.add_argument("--seconds", type=float, default=8.0, help="per cell, at most")
    parser.add_argument("--request-timeout", "--timeout", dest="timeout", type=float, default=60)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-curated", action="store_true")
    parser.add_argument("--skip-rdflib", action="store_true")
    parser.add_argument("--work", type=Path, help="keep data here (default: a temp folder)")
    args = parser.parse_args()
    if args.client:
        client_main(args)
        return
    args.request_timeout = args.timeout
    work = args.work or Path(tempfile.mkdtemp(prefix="sg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "bench"))
    from endpoint_data import scale
    from sarcoma_graph.build import build
    from sarcoma_graph.dataset import save_dataset
    from sarcoma_graph.project import Project
    from sarcoma_graph.reason import materialise

    curated = work / "build-curated-source" / "dataset.nq"
    if not curated.exists():
        project = Project(ROOT, curated.parent)
        store, _ = build(project)
        materialise(store)
        save_dataset(store, project, "reason")
    queries = {"aggregate": work / "aggregate.rq", "lookup": work / "lookup.rq"}
    queries["aggregate"].write_text((ROOT / "queries" / "evidence-summary-by-source.rq")
                                    .read_text())
    queries["lookup"].write_text(LOOKUP)
    checks = [] if args.skip_curated else run_dataset("curated", curated, work, args, queries)
    if not args.skip_large:
        large = work / "scaled.nq"
        if not large.exists():
            print(f"generating {args.triples} triples…", flush=True)
            scale(curated, large, args.triples)
        checks += run_dataset("1M", large, work, args, queries)
    print("\n== targets ==")
    for text, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
