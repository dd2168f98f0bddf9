"""Start a server process for a test session, wait until it answers, stop it by its PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Process:
    """A started server: its command, PID and log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, lines: int = 20) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM to our PID, then SIGKILL to the same PID if it has not ended in ``grace`` s."""
        if self.popen.poll() is not None:
            return
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.popen.wait(5)


def start(name: str, command: Sequence[str], log: Path, ready: Callable[[], bool],
          timeout: float = 120.0, cwd: Path | None = None) -> Process:
    """Start ``command`` (output to ``log``) and wait until ``ready()``; fails with the log tail."""
    with log.open("wb") as out:
        popen = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                 stdin=subprocess.DEVNULL)
    process = Process(name, popen, log)
    try:
        _wait(process, ready, timeout)
    except BaseException:
        process.stop()  # never leave a half-started server behind
        raise
    return process


def _wait(process: Process, ready: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited with {process.popen.returncode} before "
                               f"answering:\n{process.tail()}")
        if ready():
            return
        time.sleep(0.3)
    raise RuntimeError(f"{process.name} did not answer within {timeout:.0f} s:\n{process.tail()}")


def run(name: str, command: Sequence[str], timeout: float = 300.0,
        cwd: Path | None = None) -> str:
    """Run a command to its end; its output, or a RuntimeError naming it with that output."""
    done = subprocess.run(list(command), capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          check=False, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed ({done.returncode}): {' '.join(command)}\n"
                           f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.stdout + done.stderr
