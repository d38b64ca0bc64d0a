"""An SMTP sink for bench/dispatch.py that can answer like a server across a network.

``python -m aiosmtpd -n -c bench._sink.SlowSink 0.002`` waits 2 ms before answering each
DATA, as a receiving server elsewhere would (round trip and its own queueing). The
local sink answers in microseconds, so a worker's time there is all CPU on this machine;
with a delay, the time is waiting, and what a second worker adds shows whether workers
get in each other's way.
"""

from __future__ import annotations

import argparse
import asyncio

from aiosmtpd.smtp import SMTP, Envelope, Session


class SlowSink:
    """Accepts and drops every message, after ``delay`` seconds."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    @classmethod
    def from_cli(cls, parser: argparse.ArgumentParser, *args: str) -> SlowSink:
        return cls(float(args[0]) if args else 0.0)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"
