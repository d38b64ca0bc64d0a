"""Running ``courtier`` as a real process on loopback, for the command-line tests."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

COURTIER = str(Path(sys.executable).with_name("courtier"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh installation in ``data_dir``, on its own SQLite file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURTIER_")}
    env.update(
        COURTIER_DATA_DIR=str(data_dir),
        COURTIER_SECRET_KEY="tests-only-" + "s" * 40,
        COURTIER_PHONE_REGION="CA",
        DJANGO_SETTINGS_MODULE="courtier.settings",
    )
    env.update(extra)
    return env


class Running:
    """A started ``courtier`` process whose output lines are read as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, prefix: str, timeout: float = 60) -> str:
        """Return the first output line starting with ``prefix``; fail if the process ends."""
        deadline = time.monotonic() + timeout
        for line in self.seen:
            if line.startswith(prefix):
                return line
        while time.monotonic() < deadline:
            try:
                got = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if got is None:
                raise AssertionError(f"courtier exited; it printed: {self.seen}")
            self.seen.append(got)
            if got.startswith(prefix):
                return got
        raise AssertionError(f"no line starting with {prefix!r} in {timeout} s: {self.seen}")


@contextmanager
def courtier(args: list[str], env: dict[str, str]) -> Iterator[Running]:
    """Run ``courtier ARGS`` in its own process group; stop the group (server workers too)."""
    proc = subprocess.Popen(  # noqa: S603 - our own console script with our own arguments
        [COURTIER, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    running = Running(proc)
    try:
        yield running
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # Every writer to the pipe is gone now, so the reader reaches its end promptly.
        running.thread.join(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()


def wait_until_serving(url: str, timeout: float = 30) -> None:
    """Poll ``url`` until the server answers at all."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
