"""Load a real server on loopback with wrk and read what its workers hold in memory.

wrk is a C event-loop load generator: one thread keeps 16 connections busy for a few
percent of one core, where a Python client would need both cores of this machine to reach
the request rates measured here and would measure itself. Debian packages it; ``./dev
bench`` installs it, and :func:`require_wrk` says so when it is missing.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def require_wrk() -> str:
    """Return wrk's path or exit telling how to install it."""
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is not installed: run `./dev bench` (apt-get install wrk) first")
    return found


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A server process started for one measurement and stopped after it."""

    def __init__(self, argv: Sequence[str], port: int, env: dict[str, str]) -> None:
        self.port = port
        self.proc = subprocess.Popen(  # noqa: S603 - our own command line
            list(argv),
            env=env,
            cwd=HERE.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        """Block until ``path`` answers (any status), or fail with the server's errors."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server exited with {self.proc.returncode}: {err[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server on port {self.port} did not answer within {timeout} s")

    def workers_memory(self) -> list[dict[str, int]]:
        """Return VmRSS, RssAnon and RssFile (kB) of each worker process (descendants)."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], list(children.get(self.proc.pid, []))
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, []))
            fields = {}
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in {"VmRSS", "RssAnon", "RssFile", "RssShmem"}:
                    fields[key] = int(value.split()[0])
            fields["pid"] = pid
            found.append(fields)
        return found

    def stop(self) -> None:
        """Stop the server and every process it started."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


def run_wrk(
    port: int,
    paths_file: Path,
    seconds: int,
    connections: int,
    headers: Sequence[str] = (),
) -> dict[str, Any]:
    """Run wrk (one thread) against ``port``, walking ``paths_file``; return its figures."""
    argv = [require_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    for header in headers:
        argv += ["-H", header]
    argv += ["-s", str(HERE / "paths.lua"), f"http://127.0.0.1:{port}"]
    out = subprocess.run(  # noqa: S603 - our own command line
        argv,
        env={**os.environ, "BENCH_PATHS": str(paths_file)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    figures["rps"] = round(figures["requests"] / (figures["duration_us"] / 1e6), 1)
    return figures
