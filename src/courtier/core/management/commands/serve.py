"""``courtier serve``: the production server (granian, WSGI) with static files by whitenoise."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections


def granian_argv(host: str, port: int, workers: int, threads: int) -> list[str]:
    """Return the command line that serves Courtier with granian."""
    exe = shutil.which("granian") or os.path.join(os.path.dirname(sys.executable), "granian")
    return [
        exe,
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        # Django views block on the database; each worker runs them on this many threads.
        "--blocking-threads",
        str(threads),
        "--no-ws",
        "--log-level",
        "warning",
        "courtier.wsgi:application",
    ]


class Command(BaseCommand):
    help = "Serve Courtier with a production-grade server (granian)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
        # Two, not more: recognition is mostly Python, and more threads per worker only
        # queue on the GIL (4 threads served about half the requests/s of 1 in
        # bench/recognize.py); the second hides a thread waiting on a disk write.
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument("--no-static", action="store_true", help="skip collectstatic")

    def handle(self, *args: Any, **opts: Any) -> None:
        exec_server(
            opts["host"],
            opts["port"],
            opts["workers"],
            opts["threads"],
            collect_static=not opts["no_static"],
            announce=self.stdout.write,
        )


def exec_server(
    host: str,
    port: int,
    workers: int,
    threads: int,
    *,
    collect_static: bool = True,
    announce: Callable[[str], None] | None = None,
) -> NoReturn:
    """Collect static files, then replace this process with granian serving Courtier."""
    if collect_static:
        call_command("collectstatic", interactive=False, verbosity=0)
    argv = granian_argv(host, port, workers, threads)
    if not os.path.exists(argv[0]):
        raise CommandError("granian is not installed in this environment")
    if announce is not None:
        announce(f"Serving on http://{host}:{port}/")
    # The server opens its own connections; this process's would leak into it across exec.
    connections.close_all()
    # Whatever was printed must reach a pipe before exec discards this process's buffers.
    sys.stdout.flush()
    sys.stderr.flush()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courtier.settings")
    os.execv(argv[0], argv)  # noqa: S606 - replaces this process with the server
