"""``courtier import FILE.csv``: customers with their identifiers and facts (docs/import.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from courtier.core.errors import Invalid
from courtier.customers.services.import_ import (
    CHUNK,
    ImportFailed,
    check_file,
    import_customers,
)


class Command(BaseCommand):
    help = "Import customers from a CSV file; every rejected line is reported."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help="where the file comes from")
        parser.add_argument("--chunk-size", type=int, default=CHUNK)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        show = not opts["no_progress"] and sys.stderr.isatty()
        try:
            _, total = check_file(path)
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                disable=not show,
            ) as bar:
                task = bar.add_task(f"Importing {path.name}", total=total)
                result = import_customers(
                    path,
                    source=opts["source"],
                    chunk_size=max(1, opts["chunk_size"]),
                    progress=lambda done: bar.advance(task, done),
                )
        except Invalid as exc:
            raise CommandError(exc.detail) from None
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        for error in result.rejected:
            self.stderr.write(f"line {error.line}: {error.reason}")
        summary = (
            f"{result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {len(result.rejected)} rejected"
        )
        self.stdout.write(summary)
        if result.rejected:
            raise CommandError(
                f"{len(result.rejected)} of {result.total} rows rejected (listed above); "
                "the other rows were imported",
                returncode=1,
            )
