"""``courtier inbound-smtp``: receive customers' email over SMTP onto their timelines."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from courtier.messaging.inbound_smtp import InboundSmtpServer


class Command(BaseCommand):
    help = (
        "Listen for inbound email over SMTP (point your MX or relay here); each message "
        "takes the same path as the inbound email webhook."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=2525, help="port to listen on")
        parser.add_argument("--hostname", default="", help="name given in the greeting")

    def handle(self, *args: Any, **options: Any) -> None:
        server = InboundSmtpServer(options["host"], options["port"], options["hostname"])
        stopped = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopped.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        server.start()
        self.stdout.write(f"receiving email on {options['host']}:{server.port}", ending="\n")
        self.stdout.flush()
        stopped.wait()
        # Finishes the message being stored before leaving: nothing half-recorded.
        server.stop()
        self.stdout.write("stopped")
