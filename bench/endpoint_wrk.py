"""Endpoint benchmark with wrk: ours vs `oxigraph serve` (memory), `serve-read-only`, rdflib-endpoint.

    .venv/bin/python bench/endpoint_wrk.py                 # curated graph + 1M quads
    .venv/bin/python bench/endpoint_wrk.py --skip-large --seconds 5

Every server gets the same N-Quads on 127.0.0.1 and all run at once. wrk (Debian ``wrk``)
drives each with 8 connections for ``--seconds`` per cell; its Lua script rotates 5,000
variants of each query (a distinct comment line), so no answer cache serves a request.
Queries: a one-subject lookup and the headline join
(queries/agents-targeting-causal-alterations.rq). The cells run in ``--rounds`` interleaved
rounds (server by server, then again), and the median round is printed: on a shared machine
one round's ratio can swing by a third either way. Prints req/s and p99 side by side and the
ratios against issue 11's targets. Our server runs as a user runs it (default answer cache,
result limit, SERVICE guard; ``--timeout 120``): the variants defeat the cache. On the large
graph, where one join takes seconds, cells last at least 3× wrk's timeout
(``--large-wait``, 60 s); a cell where no server answers within it is reported as such, not
as a ratio.
Needs wrk and the `bench` extra (oxigraph CLI, rdflib-endpoint).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from endpoint import (
    BIN,
    LOOKUP,
    ROOT,
    Running,
    _spawn,
    free_port,
    start_ours,
    start_oxigraph,
    start_rdflib_endpoint,
)

VARIANTS = 5000
ACCEPT = "application/sparql-results+json"
JOIN = ROOT / "queries" / "agents-targeting-causal-alterations.rq"
LUA = """
-- wrk runs this script once per thread, each in its own Lua state: setup() numbers the
-- threads so that no two threads (and, with the run's salt, no two runs) send the same text.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local variants = {}
local path = "%(path)s"
local n = 0
wrk.headers["Accept"] = "%(accept)s"
init = function(args)
  for i = 1, %(count)d do
    variants[i] = path .. "?query=" .. "%%23v%(salt)s-" .. id .. "-" .. i .. "%%0A" .. "%(query)s"
  end
end
request = function()
  n = n %% %(count)d + 1
  return wrk.format("GET", variants[n])
end
done = function(summary, latency, requests)
  io.write(string.format('JSON{"requests": %%d, "seconds": %%f, "non2xx": %%d, ' ..
    '"errors": %%d, "p99": %%f, "p50": %%f}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(99) / 1e3, latency:percentile(50) / 1e3))
end
"""


def _text(query: str) -> str:
    """The query without ``#+`` headers, for a GET parameter."""
    return "\n".join(line for line in query.splitlines() if not line.startswith("#"))


def start_oxigraph_memory(dataset: Path, work: Path) -> Running:
    import httpx

    port = free_port()
    running = _spawn("oxigraph (memory)", f"http://127.0.0.1:{port}/query",
                     [str(BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}",
                      "--union-default-graph"], work / "oxigraph-memory.log")
    with dataset.open("rb") as body:
        httpx.post(f"http://127.0.0.1:{port}/store", content=body, timeout=900,
                   headers={"Content-Type": "application/n-quads"}).raise_for_status()
    return running


def group_cpu(group: int) -> float:
    """CPU seconds used so far by the live processes of one process group (a server and the
    workers it forked: every server here starts its own session)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            if int(fields[2]) == group:
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wrk(running: Running, query: str, work: Path, seconds: float, wait: float = 10.0) -> dict:
    path = running.url.split("127.0.0.1:", 1)[1].split("/", 1)[1]
    script = work / f"{abs(hash((running.url, query)))}.lua"
    script.write_text(LUA % {"path": "/" + path, "count": VARIANTS, "accept": ACCEPT,
                             "salt": secrets.token_hex(4), "query": quote(_text(query), safe="")})
    host = running.url.split("/")[2]
    before = group_cpu(running.process.pid)
    done = subprocess.run(["wrk", "-t", "2", "-c", "8", "-d", f"{seconds:g}s", "--timeout", f"{wait:g}s",
                           "-s", str(script), f"http://{host}/"], capture_output=True, text=True)
    used = group_cpu(running.process.pid) - before
    line = next((x for x in done.stdout.splitlines() if x.startswith("JSON")), None)
    if line is None:
        return {"rps": 0.0, "p99": None, "ok": 0}
    cell = json.loads(line[4:])
    ok = cell["requests"] - cell["non2xx"]
    cell.update(ok=ok, rps=ok / cell["seconds"] if cell["seconds"] else 0.0,
                cpu_ms=1000 * used / ok if ok else None)
    return cell


def stage_dataset(dataset: Path, build_dir: Path) -> None:
    """Our server serves a saved dataset with its manifest: write both (the dataset linked)."""
    import hashlib

    (build_dir / "dataset.nq").symlink_to(dataset)
    digest = hashlib.sha256(dataset.read_bytes()).hexdigest()
    quads = sum(1 for _ in dataset.open("rb"))
    (build_dir / "manifest.json").write_text(json.dumps(
        {"stage": "reason", "sha256": digest, "quads": quads}, indent=2) + "\n")


def fmt(cell: dict | None) -> str:
    if not cell or not cell["ok"]:
        return f"{'none answered':>33}"
    return f"{cell['rps']:9.0f}/s p99 {cell['p99']:7.1f}ms {cell['cpu_ms']:7.2f}cpu"


def run_dataset(label: str, dataset: Path, work: Path, args: argparse.Namespace,
                wait: float = 10.0) -> list[str]:
    """Every server started at once (an idle one costs no CPU), then ``--rounds`` rounds that
    each run every (server, query) cell in turn: slow drift of a shared machine's speed hits
    every server alike, and each figure printed is the median of its rounds."""
    build_dir = work / f"build-{label}"
    build_dir.mkdir(exist_ok=True)
    if not (build_dir / "manifest.json").exists():
        stage_dataset(dataset, build_dir)
    starters = {"ours": lambda: start_ours(build_dir, work, True),
                "oxigraph serve (memory)": lambda: start_oxigraph_memory(dataset, work),
                "oxigraph serve-read-only": lambda: start_oxigraph(dataset, work)}
    if not args.skip_rdflib:
        starters["rdflib-endpoint"] = lambda: start_rdflib_endpoint(dataset, work)
    queries = {"lookup": LOOKUP, "join": JOIN.read_text()}
    seconds = args.seconds if label == "curated" else max(args.seconds, 3 * wait)
    rounds: dict[tuple[str, str], list[dict]] = {}
    running: dict[str, Running] = {}
    try:
        for name, start in starters.items():
            print(f"[{label}] starting {name}…", flush=True)
            running[name] = start()
        for number in range(1, args.rounds + 1):
            for name, server in running.items():
                for query, text in queries.items():
                    cell = wrk(server, text, work, seconds, wait)
                    rounds.setdefault((query, name), []).append(cell)
                    print(f"[{label}] round {number} {name:<26}{query:<8}{fmt(cell)}",
                          flush=True)
    finally:
        for server in running.values():
            server.stop()
    cells = {key: median_cell(values) for key, values in rounds.items()}
    print(f"\n== {label}: wrk, 8 connections, {seconds:g} s per cell, cache defeated, "
          f"median of {args.rounds} interleaved rounds ==")
    print("(req/s answered, p99 latency, server CPU ms per answer: the server's process "
          "group, workers included)")
    print(f"{'query':<8}" + "".join(f"{n:>36}" for n in starters))
    for query in queries:
        print(f"{query:<8}" + "".join(f"{fmt(cells.get((query, n))):>36}" for n in starters))
    return _checks(label, cells, wait)


def median_cell(cells: list[dict]) -> dict:
    """The round with the median throughput (its own p99 with it)."""
    ranked = sorted(cells, key=lambda cell: cell["rps"])
    return ranked[len(ranked) // 2]


def _ratio(cells: dict, query: str, peer: str) -> float:
    ours, other = cells.get((query, "ours")), cells.get((query, peer))
    if not ours or not ours["rps"]:
        return 0.0
    return ours["rps"] / other["rps"] if other and other["rps"] else float("inf")


def _checks(label: str, cells: dict, wait: float) -> list[str]:
    lines = []
    for query, peer, need in (("join", "oxigraph serve (memory)", 1.0),
                              ("lookup", "oxigraph serve (memory)", 0.2),
                              ("lookup", "rdflib-endpoint", 10.0)):
        if (query, peer) not in cells:
            continue
        if not (cells[query, peer] or {}).get("ok") and not (cells.get((query, "ours")) or {}).get("ok"):
            lines.append(f"n/a   {label} {query}: neither ours nor {peer} answered within "
                         f"{wait:g} s")
            continue
        ratio = _ratio(cells, query, peer)
        lines.append(f"{'PASS' if ratio >= need else 'FAIL'}  {label} {query}: "
                     f"{ratio:.2f}× {peer} (target ≥ {need}×)")
    if label == "curated":
        for query in ("lookup", "join"):
            p99 = (cells.get((query, "ours")) or {}).get("p99")
            ok = p99 is not None and p99 < 50
            lines.append(f"{'PASS' if ok else 'FAIL'}  curated {query}: p99 "
                         f"{'-' if p99 is None else f'{p99:.1f}'} ms (target < 50 ms)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description="SPARQL endpoint benchmark with wrk")
    parser.add_argument("--seconds", type=float, default=10.0, help="per cell")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds per cell; the median is reported")
    parser.add_argument("--large-wait", type=float, default=60.0,
                        help="wrk's timeout on the large graph, where one join takes seconds")
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-curated", action="store_true")
    parser.add_argument("--skip-rdflib", action="store_true")
    parser.add_argument("--rdflib-large", action="store_true",
                        help="also run rdflib-endpoint on the large graph (issue 11 saw it take "
                             "17 GB and answer nothing within 10 s)")
    parser.add_argument("--work", type=Path, help="keep data here (default: a temp folder)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    work = args.work or Path(tempfile.mkdtemp(prefix="sg-wrk-"))
    work.mkdir(parents=True, exist_ok=True)
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
    checks = [] if args.skip_curated else run_dataset("curated", curated, work, args)
    if not args.skip_large:
        large = work / "scaled.nq"
        if not large.exists():
            print(f"generating {args.triples} quads…", flush=True)
            scale(curated, large, args.triples)
        large_args = argparse.Namespace(**{**vars(args),
                                           "skip_rdflib": args.skip_rdflib or not args.rdflib_large})
        checks += run_dataset("1M", large, work, large_args, args.large_wait)
    print("\n== targets (issue 11; one run on a loaded shared machine) ==")
    print("\n".join(checks))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
