"""Oxigraph server (PyPI ``oxigraph``), loaded and served exactly as the README says."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.engines.answers import Endpoint
from tests.engines.process import Process, free_port, run, start


def binary() -> str | None:
    """The ``oxigraph`` command: beside this Python (the venv), else on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def load(location: Path, dump: Path) -> None:
    """``oxigraph load --location DIR --file DUMP`` (README)."""
    run("oxigraph load", [_need(), "load", "--location", str(location), "--file", str(dump)])


@dataclass
class OxigraphServer:
    """A running ``oxigraph serve``: its process (stop by PID) and its URLs."""

    process: Process
    base: str  # http://127.0.0.1:PORT

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def store_url(self) -> str:
        """The SPARQL 1.1 Graph Store Protocol endpoint."""
        return f"{self.base}/store"

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint("oxigraph server", self.query_url)

    def stop(self) -> None:
        self.process.stop()


def serve(location: Path, log: Path, read_only: bool = True,
          union_default_graph: bool = True) -> OxigraphServer:
    """``oxigraph serve[-read-only] --location DIR --bind 127.0.0.1:PORT [--union-default-graph]``."""
    port = free_port()
    command = [_need(), "serve-read-only" if read_only else "serve", "--location", str(location),
               "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        command.append("--union-default-graph")
    base = f"http://127.0.0.1:{port}"
    ready = Endpoint("oxigraph server", f"{base}/query").answers
    return OxigraphServer(start("oxigraph server", command, log, ready, timeout=60), base)


def _need() -> str:
    found = binary()
    if found is None:
        raise RuntimeError("no `oxigraph` command: pip install -e '.[test]' installs it")
    return found
