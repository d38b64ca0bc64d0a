"""The worker loop: claim due messages, hand each to its channel's transport, record it.

Thin on purpose: every state change is a service in ``services/delivery.py``. Several
workers may run at once, on one host or many; they coordinate only through the claim.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from types import FrameType

from django.db import close_old_connections

from courtier.messaging.models import Message
from courtier.messaging.services.delivery import (
    MAX_ATTEMPTS,
    Backoff,
    claim,
    mark_failed,
    mark_sent,
)
from courtier.messaging.transports import Transport, TransportError, default_transports

log = logging.getLogger("courtier.messaging.worker")


class Periodic:
    """A worker step that calls ``work`` at most once every ``interval`` seconds.

    For housekeeping and date scans between the worker's turns. It reports 0 handled
    whatever ``work`` did, so an otherwise idle worker still sleeps instead of spinning:
    what it did is not a backlog.
    """

    def __init__(
        self,
        interval: float,
        work: Callable[[], object],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.work = work
        self.clock = clock
        self.last = float("-inf")

    def __call__(self) -> int:
        now = self.clock()
        if now - self.last < self.interval:
            return 0
        self.last = now
        self.work()
        return 0


class Worker:
    """Sends due messages until stopped."""

    def __init__(
        self,
        transports: Mapping[str, Transport] | None = None,
        *,
        batch: int = 50,
        lease: float = 60.0,
        backoff: Backoff | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        steps: Sequence[Callable[[], int]] = (),
    ) -> None:
        self.transports = dict(transports) if transports is not None else default_transports()
        self.batch = batch
        self.lease = lease
        self.backoff = backoff or Backoff()
        self.max_attempts = max_attempts
        # Other apps' background work (journeys' events and webhooks) run in the same loop,
        # so one worker process serves all; each step returns how much it handled.
        self.steps = list(steps)
        self.stopping = False
        self.counts = {"sent": 0, "retry": 0, "failed": 0}

    def run_once(self) -> int:
        """Claim one batch and handle it; return how many messages were handled."""
        messages = claim(self.batch, self.lease)
        used: set[str] = set()
        try:
            for message in messages:
                transport = self.transports.get(message.channel)
                if transport is None:
                    self._fail(message, f"no transport for channel {message.channel!r}", True)
                    continue
                used.add(message.channel)  # transports open lazily on their first send
                try:
                    provider_id = transport.send(message)
                except TransportError as exc:
                    self._fail(message, exc.message, exc.permanent)
                    continue
                mark_sent(message, provider_id, delivered=transport.delivers_on_send)
                self.counts["sent"] += 1
        finally:
            for channel in used:
                self.transports[channel].close()
        return len(messages)

    def _fail(self, message: Message, error: str, permanent: bool) -> None:
        state = mark_failed(
            message,
            error,
            permanent=permanent,
            backoff=self.backoff,
            max_attempts=self.max_attempts,
        )
        self.counts["failed" if state == "failed" else "retry"] += 1
        log.warning(
            "message %s attempt %d: %s -> %s", message.public_id, message.attempts, error, state
        )

    def run(self, *, idle: float = 1.0, until_idle: bool = False) -> None:
        """Loop until SIGTERM/SIGINT (or, with ``until_idle``, until nothing is due)."""

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not self.stopping:
            close_old_connections()
            handled = sum(step() for step in self.steps) + self.run_once()
            if handled == 0:
                if until_idle:
                    return
                time.sleep(idle)
