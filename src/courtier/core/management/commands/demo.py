"""``courtier demo``: build a realistic demo company, then serve it."""

from __future__ import annotations

import os
import sys
import time
from typing import Any
from urllib.parse import quote

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from courtier.core import demo
from courtier.core.errors import DomainError
from courtier.core.management.commands.serve import exec_server
from courtier.customers.models import Identifier


class Command(BaseCommand):
    help = (
        "Build a demo company (customers, identifiers, facts, two years of contacts) in the "
        "database, create the demo login and an API token, then serve it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=demo.DEFAULT_CUSTOMERS)
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument("--reset", action="store_true", help="delete the demo and rebuild it")
        parser.add_argument("--no-serve", action="store_true", help="build only, do not serve")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        try:
            summary = self._build(opts)
            user, password = demo.ensure_demo_login()
            token = demo.issue_demo_token(user)
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        url = f"http://{opts['host']}:{opts['port']}/"
        example = _example_phone()
        out = self.stdout.write
        out(
            f"Demo company: {summary.customers} customers, {summary.identifiers} identifiers, "
            f"{summary.facts} facts, {summary.interactions} contacts, {summary.agents} agents "
            f"({connection.vendor})."
        )
        out(f"URL: {url}")
        out(f"Login: {demo.DEMO_USERNAME} / {password}  (administration at {url}admin/)")
        out(f"API token: {token}")
        if example:
            out(
                f'Try: curl -H "Authorization: Bearer {token}" '
                f'"{url}api/v1/recognize?phone={example}"'
            )
        if opts["no_serve"]:
            return
        exec_server(opts["host"], opts["port"], opts["workers"], opts["threads"], announce=out)

    def _build(self, opts: dict[str, Any]) -> demo.DemoSummary:
        started = time.perf_counter()
        # Rich needs the raw stream: Django's wrapper would end each partial redraw with a newline.
        bar = _Bar(Console(file=getattr(self.stdout, "_out", sys.stdout)))
        try:
            summary, built = demo.ensure_demo(
                opts["customers"], opts["seed"], reset=opts["reset"], progress=bar
            )
        finally:
            bar.close()
        if built:
            self.stdout.write(f"Built in {time.perf_counter() - started:.1f} s.")
        else:
            note = "" if summary.customers == opts["customers"] else f" of {summary.customers}"
            self.stdout.write(
                f"Reusing the demo company{note} already in this database (--reset to rebuild)."
            )
        return summary


class _Bar:
    """A rich progress bar that appears only once there is progress to show."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            self.progress = Progress(
                TextColumn("Building the demo company"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
            )
            self.progress.start()
            self.task = self.progress.add_task("customers", total=total)
        assert self.task is not None
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _example_phone() -> str:
    """A phone number from the demo as a customer typed it, for the printed example."""
    raw = (
        Identifier.objects.filter(kind="phone").order_by("id").values_list("raw_value", flat=True)
    ).first()
    return quote(raw or "", safe="")
