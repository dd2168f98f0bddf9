"""Pipeline stages at scale: build, reason, validate, qc, export and serve-ready on synthetic
graphs of 100k, 1M (and 10M) quads, with wall time, CPU time and peak RSS of each stage.

Each size gets its own build directory: the curated graph (and the CIViC import, when the
release is in ../shared) is built, ``bench/synthetic.py`` writes an import that brings the
dataset to the size, and every stage then runs as its own ``sarcoma-graph`` process, measured
with ``wait4`` (peak RSS is the stage process's own; the server's query workers are not
counted). At 100k the pyshacl reference runs beside the fast SHACL path.

    .venv/bin/python bench/scale.py              # 100k and 1M
    .venv/bin/python bench/scale.py 100k         # one size; 10M works too (see bench/README.md)
    .venv/bin/python bench/scale.py 10m --work /tmp/s10m --stages reason validate
                                                 # reuse a kept build directory, some stages

At 10M the dataset lives on disk (``SARCOMA_GRAPH_STORE_DIR`` = ``<build dir>/store`` unless
set); ``--disk`` does the same at every size. A stage whose resident memory passes
``--rss-cap`` (MB, default 8000) is killed, so that a regression cannot take the shared
machine down with it.

Times from one run on one machine; the machine is shared, so CPU time says more than wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SG = str(Path(sys.executable).with_name("sarcoma-graph"))
CIVIC = ROOT.parent / "shared" / "data" / "civic-2024-08-01"
SERVICE_GRAPH = "https://w3id.org/sarcoma-graph/graph/service-description"
SIZES = {"100k": 100_000, "1m": 1_000_000, "2m": 2_000_000, "4m": 4_000_000,  # 2m, 4m: growth
         "10m": 10_000_000}
sys.path.insert(0, str(ROOT / "bench"))


RSS_CAP_MB = 8000.0


@dataclass
class Stage:
    name: str
    wall: float
    cpu: float
    rss_mb: float
    status: int


def _rss_mb(pid: int) -> float:
    """Current resident memory of ``pid`` in MB (0 once it is gone)."""
    try:
        with Path(f"/proc/{pid}/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(name: str, args: list[str], timeout: float = 7200) -> Stage:
    """One stage as a child process; wall, user+system CPU and peak RSS from ``wait4``
    (killed past ``timeout`` seconds or :data:`RSS_CAP_MB`)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline or _rss_mb(proc.pid) > RSS_CAP_MB:
            print(f"  {name}: stopped (time or memory cap)", file=sys.stderr)
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    code = proc.returncode
    if code not in (0, 1):  # 1: the data failed a check, still a finished stage
        err = proc.stderr.read().decode(errors="replace")[-600:] if proc.stderr else ""
        print(f"  {name}: exit {code}\n{err}", file=sys.stderr)
    return Stage(name, time.perf_counter() - started, usage.ru_utime + usage.ru_stime,
                 usage.ru_maxrss / 1024, code)


def _described(port: int) -> bool:
    """Whether the server's self-description graph is in (written once it answers)."""
    ask = urllib.parse.quote(f"ASK {{ GRAPH <{SERVICE_GRAPH}> {{ ?s ?p ?o }} }}")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/sparql?query={ask}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return b"true" in answer.read()


def _cpu_so_far(pid: int) -> float:
    """User + system CPU seconds of a running process and its workers, with their children
    that have ended (Linux ``/proc``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids += [int(p) for p in (task / "children").read_text().split()]
    total = 0.0
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, and those of its children waited for (the census child, retired workers)
        total += sum(int(f) for f in fields[11:15]) / ticks
    return total


def _timed(request: urllib.request.Request, timeout: float) -> tuple[float, int]:
    """Seconds and HTTP status of one request, its answer read whole."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    return time.perf_counter() - started, status


def _named(port: int, name: str, timeout: float = 120) -> tuple[float, int]:
    """Seconds and HTTP status of one named query (GET /queries/NAME, its defaults)."""
    return _timed(urllib.request.Request(f"http://127.0.0.1:{port}/queries/{name}", headers={
        "Accept": "application/sparql-results+json"}), timeout)


def _unbound(port: int, path: Path, timeout: float = 600) -> tuple[float, int]:
    """Seconds and HTTP status of a named query's own text sent to /sparql as it is, its
    parameters unbound: what a user runs from the editor's examples or
    /.well-known/sparql-examples (the server's timeout and result limit apply)."""
    return _timed(urllib.request.Request(
        f"http://127.0.0.1:{port}/sparql", data=path.read_text(encoding="utf-8").encode(),
        headers={"Content-Type": "application/sparql-query",
                 "Accept": "application/sparql-results+json"}), timeout)


def _named_queries(port: int) -> Iterator[Stage]:
    """Every named query once with its default parameters (``q NAME``), then once more with
    them unbound (``q NAME *``), the answer cache empty for each; server's default limit."""
    for path in sorted((ROOT / "queries").glob("*.rq")):
        wall, status = _named(port, path.stem)
        yield Stage(f"q {path.stem}", wall, float("nan"), float("nan"), 0 if status == 200 else status)
        if "#+ param:" in path.read_text(encoding="utf-8"):
            wall, status = _unbound(port, path)
            yield Stage(f"q {path.stem} *", wall, float("nan"), float("nan"),
                        0 if status == 200 else status)


def serve_ready(build_dir: Path, timeout: float = 1800,
                queries: bool = False) -> Iterator[Stage]:
    """Start ``serve``; time until /sparql answers a query, then until the self-description
    graph is in (``serve described``: the CPU column is the server's with its workers, up to
    then); with ``queries``, a named query while the description is counted and every named
    query once it is in; stop the server (by its PID)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    proc = subprocess.Popen([SG, "serve", "--build-dir", str(build_dir), "--port", str(port), "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
    ready, ready_cpu = None, float("nan")
    while time.perf_counter() - started < timeout and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    ready = time.perf_counter() - started
                    ready_cpu = _cpu_so_far(proc.pid)
                    break
        except OSError:
            time.sleep(0.2)
    during = None
    if ready is not None and queries:  # answered while the statistics are counted?
        wall, status = _named(port, "agents-by-target-gene")
        during = Stage("q during census", wall, float("nan"), float("nan"),
                       0 if status == 200 else status)
    described = None
    while ready is not None and time.perf_counter() - started < timeout and proc.poll() is None:
        try:
            if _described(port):
                described = time.perf_counter() - started
                break
        except OSError:
            pass
        time.sleep(0.2)
    described_cpu = _cpu_so_far(proc.pid) if described is not None else float("nan")
    named = list(_named_queries(port)) if queries and described is not None else []
    proc.terminate()
    try:
        _, _, usage = os.wait4(proc.pid, 0)
        cpu, rss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    except ChildProcessError:  # it ended by itself (reaped by poll): run it by hand to see why
        cpu, rss = float("nan"), float("nan")
    yield Stage("serve ready", ready if ready is not None else float("nan"), ready_cpu, rss,
                0 if ready is not None else 1)
    yield Stage("serve described", described if described is not None else float("nan"),
                described_cpu if queries else cpu, rss, 0 if described is not None else 1)
    if during is not None:
        yield during
    yield from named


def prepare(build_dir: Path, quads: int) -> int:
    """Base build (curated + CIViC), then the synthetic import that reaches ``quads``."""
    import synthetic

    imports = build_dir / "imports"
    made = imports / "synthetic.nq"
    counted = build_dir / "quads.txt"
    if made.is_file() and counted.is_file():  # a kept build directory (--work): reused as is
        return int(counted.read_text(encoding="ascii"))
    imports.mkdir(parents=True, exist_ok=True)
    made.unlink(missing_ok=True)  # a stale one would be counted in the base and nothing added
    cached = ROOT / "build" / "imports" / "civic.nq"
    if cached.is_file():
        shutil.copy(cached, imports / "civic.nq")
    elif CIVIC.is_dir():
        subprocess.run([SG, "import", "civic", str(CIVIC), "--build-dir", str(build_dir), "-q"],
                       check=True)
    subprocess.run([SG, "build", "--build-dir", str(build_dir), "-q"], check=True)
    base = sum(1 for _ in (build_dir / "dataset.nq").open("rb"))
    total = base + synthetic.write(build_dir / "dataset.nq", imports / "synthetic.nq", quads)
    counted.write_text(f"{total}\n", encoding="ascii")
    return total


STAGES = ("build", "reason", "validate", "qc", "export", "serve", "queries", "pyshacl")


def stages(build_dir: Path, chosen: set[str]) -> Iterator[Stage]:
    common = ["--build-dir", str(build_dir), "-q"]
    if "build" in chosen:
        yield run("build", [SG, "build", *common])
    if "reason" in chosen:
        yield run("reason", [SG, "reason", *common])
    if "validate" in chosen:
        yield run("validate (fast)", [SG, "validate", "--engine", "fast", *common])
    if "qc" in chosen:
        yield run("qc", [SG, "qc", *common])
    if "export" in chosen:
        target = build_dir / "export.ttl"
        yield run("export turtle", [SG, "export", "-f", "turtle", "-o", str(target), *common])
        target.unlink(missing_ok=True)
    if "serve" in chosen or "queries" in chosen:
        yield from serve_ready(build_dir, queries="queries" in chosen)
    if "pyshacl" in chosen:  # last: the slowest by far; stopped after an hour
        yield run("validate (pyshacl)", [SG, "validate", "--engine", "pyshacl", *common], 3600)


def main() -> None:
    global RSS_CAP_MB
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", default=["100k", "1m"], help="100k, 1m, 2m, 4m, 10m")
    parser.add_argument("--keep", action="store_true", help="keep the build directories")
    parser.add_argument("--work", type=Path, help="build directory to use (and keep) for the "
                        "one size given; its synthetic import is reused when present")
    parser.add_argument("--stages", nargs="+", choices=STAGES, help="stages to run "
                        "(default: all; pyshacl only at 100k)")
    parser.add_argument("--disk", action="store_true", help="on-disk store at every size")
    parser.add_argument("--rss-cap", type=float, default=RSS_CAP_MB, help="MB; a stage past it "
                        "is killed")
    args = parser.parse_args()
    RSS_CAP_MB = args.rss_cap
    sizes = [s.lower() for s in args.sizes]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise SystemExit(f"unknown size {unknown[0]!r}: expected {', '.join(SIZES)}")
    if args.work and len(sizes) != 1:
        raise SystemExit("--work takes one size")
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"| {'stage':<20} | {'size':>5} | {'quads':>10} | {'wall s':>8} | {'CPU s':>8} | "
          f"{'peak RSS MB':>11} | exit |")
    print(f"|{'-' * 22}|{'-' * 7}|{'-' * 12}|{'-' * 10}|{'-' * 10}|{'-' * 13}|------|")
    for size in sizes:
        build_dir = args.work or Path(tempfile.mkdtemp(prefix=f"sg-scale-{size}-"))
        disk = args.disk or size == "10m"
        if disk and not os.environ.get("SARCOMA_GRAPH_STORE_DIR"):
            os.environ["SARCOMA_GRAPH_STORE_DIR"] = str(build_dir / "store")
        chosen = set(args.stages or [s for s in STAGES if s not in ("pyshacl", "queries")
                                     or (s == "pyshacl" and size == "100k")])
        try:
            quads = prepare(build_dir, SIZES[size])
            for stage in stages(build_dir, chosen):
                print(f"| {stage.name:<20} | {size:>5} | {quads:>10} | {stage.wall:>8.1f} | "
                      f"{stage.cpu:>8.1f} | {stage.rss_mb:>11.0f} | {stage.status:>4} |", flush=True)
        finally:
            if not (args.keep or args.work):
                shutil.rmtree(build_dir, ignore_errors=True)
            if disk and os.environ.get("SARCOMA_GRAPH_STORE_DIR") == str(build_dir / "store"):
                del os.environ["SARCOMA_GRAPH_STORE_DIR"]
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
