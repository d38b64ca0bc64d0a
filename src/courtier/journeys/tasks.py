"""Background work for ``courtier worker``: events, dates, webhooks, each turn.

Date rules are evaluated at most once a minute (their windows are days wide; the
firings make extra runs harmless), events and webhooks every turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from courtier.journeys.services.runner import consume_events, evaluate_dates
from courtier.journeys.services.webhooks import deliver_due

DATE_INTERVAL = 60.0


class DateStep:
    """Runs the date rules when ``interval`` seconds have passed since the last run."""

    def __init__(self, interval: float = DATE_INTERVAL) -> None:
        self.interval = interval
        self.last = float("-inf")

    def __call__(self) -> int:
        if time.monotonic() - self.last < self.interval:
            return 0
        self.last = time.monotonic()
        reports = evaluate_dates()
        # Returns 0 so the worker still sleeps when idle: acted-on dates are not a backlog.
        del reports
        return 0


def worker_steps(lease: float = 60.0) -> list[Callable[[], int]]:
    """The steps the worker loop calls each turn; each returns how much it handled.

    ``lease``: how long a claimed event or webhook call stays this worker's; a worker
    killed mid-turn leaves its claims to the others when it runs out.
    """
    return [partial(consume_events, lease=lease), DateStep(), partial(deliver_due, lease=lease)]
