"""Load time and peak memory of ``sarcoma-graph publish`` into an Oxigraph server and Virtuoso.

Data: the project's build scaled by ``endpoint_data.py`` (the curated graph repeated with
renamed IRIs and blank nodes) to each ``--sizes`` quads. Each publish runs as its own process;
its peak RSS comes from ``wait4`` (that process only, not the server). Servers are started
on 127.0.0.1 by the test suite's fixtures code (``tests/engines``) and stopped by PID.

    .venv/bin/python bench/publish.py                        # 100k and 1M quads
    .venv/bin/python bench/publish.py --sizes 100000 --work /tmp/pb
"""

from __future__ import annotations

import argparse
import http.server
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.engines import oxigraph, virtuoso  # noqa: E402

from endpoint_data import scale  # noqa: E402

CLI = Path(sys.executable).with_name("sarcoma-graph")


def publish(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run ``sarcoma-graph publish …``: seconds, peak RSS (KiB) of that process, its output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([str(CLI), "publish", "--quiet", *args], stdout=log,
                                   stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        log.seek(0)
        output = log.read().decode(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"publish failed ({process.returncode}): {output}")
    return seconds, usage.ru_maxrss, output


class NullSink(http.server.BaseHTTPRequestHandler):
    """Takes every write and answers every query with ``COUNT`` 1: the publishing process's own
    time and memory, without a store's (for memory at sizes a loaded machine cannot wait for)."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}}]}}'
        media = "application/sparql-results+json" if self.path.startswith("/query") else "text/plain"
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def null_sink() -> tuple[str, http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NullSink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def dataset(work: Path) -> Path:
    """The project's reasoned build (made here when missing)."""
    build = work / "build"
    if not (build / "dataset.nq").is_file():
        for stage in ("build", "reason"):
            subprocess.run([str(CLI), stage, "--quiet", "--build-dir", str(build)], check=True)
    return build / "dataset.nq"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--targets", nargs="+", default=["oxigraph", "oxigraph-gsp", "virtuoso"],
                        help="oxigraph, oxigraph-gsp, virtuoso, sink (a null store: publish alone)")
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="sarcoma-publish-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    source = dataset(work)
    files = {}
    for size in options.sizes:
        files[size] = work / f"scaled-{size}.nq"
        if not files[size].is_file():
            print(f"generating {size} quads …", flush=True)
            scale(source, files[size], size)
    ox_server = virt = sink = None
    targets = {}
    if {"oxigraph", "oxigraph-gsp"} & set(options.targets):
        ox_server = oxigraph.serve(work / "oxigraph-db", work / "oxigraph.log", read_only=False,
                                   union_default_graph=False)
        base = [ox_server.query_url, "--update-url", ox_server.update_url]
        if "oxigraph" in options.targets:
            targets["oxigraph server (SPARQL Update)"] = (base, None)
        if "oxigraph-gsp" in options.targets:
            targets["oxigraph server (Graph Store POST)"] = ([*base, "--gsp-url",
                                                              ox_server.store_url], None)
    if "virtuoso" in options.targets:
        # The swap MOVEs a whole graph in one transaction: past Virtuoso's default 50 MB
        # TransactionAfterImageLimit (about 1M triples here) it aborts, changing nothing.
        virtuoso.INI = virtuoso.INI.replace(
            "[Parameters]\n", "[Parameters]\nTransactionAfterImageLimit = 2000000000\n")
        virt = virtuoso.start_virtuoso(work / "virtuoso", [work])
        vbase = f"http://127.0.0.1:{virt.http_port}"
        targets["Virtuoso 7.2 (SPARQL Update, digest)"] = (
            [f"{vbase}/sparql", "--update-url", f"{vbase}/sparql-auth", "--auth", "digest",
             "--user", "dba"], {"SARCOMA_GRAPH_STORE_PASSWORD": "dba"})
    if "sink" in options.targets:
        url, sink = null_sink()
        targets["null store (publish alone)"] = ([f"{url}/query", "--update-url", f"{url}/update"],
                                                 None)
    rows = []
    try:
        for path in files.values():
            quads = sum(1 for _ in path.open("rb"))
            for name, (args, env) in targets.items():
                seconds, rss, _ = publish([*args, "--from", str(path), "--batch-size",
                                           str(options.batch_size), "--timeout", "600"], env)
                rows.append((name, quads, seconds, rss))
                print(f"{name:40} {quads:>9} quads {seconds:8.1f} s {quads / seconds:9.0f} q/s "
                      f"peak RSS {rss / 1024:7.1f} MiB", flush=True)
    finally:
        for server in (ox_server, virt):
            if server is not None:
                server.stop()
        if sink is not None:
            sink.shutdown()
    print("\n| store | quads | seconds | quads/s | peak RSS of publish (MiB) |\n|---|---:|---:|---:|---:|")
    for name, quads, seconds, rss in rows:
        print(f"| {name} | {quads} | {seconds:.1f} | {quads / seconds:.0f} | {rss / 1024:.1f} |")


if __name__ == "__main__":
    main()
