"""``courtier rules``: install the starters, list rules, preview one, run the date rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courtier.core.actor import Actor
from courtier.core.errors import DomainError
from courtier.journeys.models import Rule
from courtier.journeys.services.preview import preview_rule
from courtier.journeys.services.rules import rules
from courtier.journeys.services.runner import evaluate_dates
from courtier.journeys.starters import install_starters


def _now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        now = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now: {value!r} is not an ISO time") from None
    if now.tzinfo is None:
        raise CommandError("--now: give a time zone offset, e.g. 2026-11-23T09:00+00:00")
    return now


class Command(BaseCommand):
    help = "Proactive rules: install-starters, list, preview NAME, run (the date rules)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("install-starters", help="add the shipped rules (disabled) and words")
        sub.add_parser("list", help="every rule, enabled or not, and its last run")
        preview = sub.add_parser("preview", help="whom a rule would act on now")
        preview.add_argument("name")
        preview.add_argument("--now", help="Act as if it were this ISO time (with an offset)")
        run = sub.add_parser("run", help="evaluate every enabled date rule once")
        run.add_argument("--now", help="Act as if it were this ISO time (with an offset)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "install-starters":
            templates, made = install_starters(Actor.system("courtier rules"))
            self.stdout.write(f"{made} rules and {templates} templates installed (disabled)")
        elif action == "list":
            for rule in rules():
                state = "enabled " if rule.enabled else "disabled"
                self.stdout.write(f"{state}  {rule.trigger:<24} {rule.name}  {rule.last_run_note}")
        elif action == "preview":
            named = Rule.objects.filter(name=options["name"]).first()
            if named is None:
                raise CommandError(f"no rule is named {options['name']!r}")
            try:
                found = preview_rule(named, now=_now(options["now"]))
            except DomainError as exc:
                raise CommandError(exc.detail) from None
            self.stdout.write(f"{found.count} customers now ({found.not_matching} not matching)")
            for c in found.customers:
                self.stdout.write(f"  {c['name']}  {c['occurrence']}")
                for m in c["messages"]:
                    self.stdout.write(
                        f"    {m.get('channel', '-')}: {m.get('text', m.get('error'))}"
                    )
        else:
            for name, report in evaluate_dates(_now(options["now"])).items():
                self.stdout.write(f"{name}: {report.summary()}")
