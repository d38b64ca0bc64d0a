"""Background work for ``courtier worker``: events, dates, webhooks, each turn.

Date rules are evaluated at most once a minute (their windows are days wide; the
firings make extra runs harmless), events and webhooks every turn.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from courtier.journeys.services.runner import consume_events, evaluate_dates
from courtier.journeys.services.webhooks import deliver_due
from courtier.messaging.worker import Periodic

DATE_INTERVAL = 60.0


def worker_steps(lease: float = 60.0) -> list[Callable[[], int]]:
    """The steps the worker loop calls each turn; each returns how much it handled.

    ``lease``: how long a claimed event or webhook call stays this worker's; a worker
    killed mid-turn leaves its claims to the others when it runs out.
    """
    return [
        partial(consume_events, lease=lease),
        Periodic(DATE_INTERVAL, evaluate_dates),
        partial(deliver_due, lease=lease),
    ]
