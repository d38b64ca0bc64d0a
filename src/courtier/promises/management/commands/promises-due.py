"""``courtier promises-due``: create a task for each promise that has fallen due."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courtier.promises.tasks import promises_due


class Command(BaseCommand):
    help = "Create one task for the owner of each pending promise that is due (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="Act as if it were this ISO time (with an offset)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError(f"--now: {options['now']!r} is not an ISO time") from None
            if now.tzinfo is None:
                raise CommandError("--now: give a time zone offset, e.g. 2026-11-23T09:00+00:00")
        created = promises_due(now)
        self.stdout.write(f"{created} task{'s' if created != 1 else ''} created")
