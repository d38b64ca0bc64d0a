"""``courtier worker``: send queued messages (email, SMS, portal) until stopped."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser

from courtier.messaging.services.delivery import Backoff
from courtier.messaging.worker import Worker


class Command(BaseCommand):
    help = "Send queued messages with retries; run as many as you like against PostgreSQL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=50, help="messages claimed at once")
        parser.add_argument("--lease", type=float, default=60.0, help="seconds a claim holds")
        parser.add_argument("--idle", type=float, default=1.0, help="sleep when nothing is due")
        parser.add_argument("--backoff", type=float, default=30.0, help="first retry delay (s)")
        parser.add_argument("--until-idle", action="store_true", help="stop when nothing is due")

    def handle(self, *args: Any, **options: Any) -> None:
        # Apps above messaging offer steps through their AppConfig (``worker_steps``), so
        # messaging never imports them; their claims hold for the same lease.
        steps = [
            step
            for config in apps.get_app_configs()
            if hasattr(config, "worker_steps")
            for step in config.worker_steps(lease=options["lease"])
        ]
        worker = Worker(
            batch=options["batch"],
            lease=options["lease"],
            backoff=Backoff(options["backoff"]),
            steps=steps,
        )
        worker.run(idle=options["idle"], until_idle=options["until_idle"])
        counts = worker.counts
        self.stdout.write(
            f"sent {counts['sent']}, retried {counts['retry']}, failed {counts['failed']}"
        )
