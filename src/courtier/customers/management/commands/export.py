"""``courtier export``: every customer with identifiers and facts, as CSV or JSON."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from rich.console import Console
from rich.progress import Progress

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.export import CHUNK, write_csv, write_json


class _Raw:
    """Hands text to Django's stdout wrapper without the newline it adds to each write."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, text: str) -> int:
        self.out.write(text, ending="")
        return len(text)


class Command(BaseCommand):
    help = "Export every customer with identifiers and facts (CSV imports back unchanged)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--output", type=Path, help="file to write (default: stdout)")
        parser.add_argument("--chunk-size", type=int, default=CHUNK)

    def handle(self, *args: Any, **opts: Any) -> None:
        write = write_csv if opts["format"] == "csv" else write_json
        actor = Actor.system("export")
        reason = f"export {opts['format']}"
        chunk = max(1, opts["chunk_size"])
        if opts["output"] is None:
            write(_Raw(self.stdout), actor, reason, chunk)  # type: ignore[arg-type]
            return
        output = Path(opts["output"])  # call_command passes options unparsed
        # Written beside the target and renamed at the end: a failed export leaves no
        # half-file that looks complete.
        partial = output.with_name(output.name + ".partial")
        show = sys.stderr.isatty()
        try:
            with (
                partial.open("w", encoding="utf-8", newline="") as handle,
                Progress(console=Console(stderr=True), disable=not show) as bar,
            ):
                task = bar.add_task(
                    f"Exporting to {output.name}", total=Customer.objects.count() if show else None
                )
                count = write(handle, actor, reason, chunk, lambda n: bar.advance(task, n))
        except OSError as exc:
            raise CommandError(f"--output: cannot write {output}: {exc.strerror}") from None
        os.replace(partial, output)
        sys.stderr.write(f"{count} customers exported to {output}\n")
