"""The portal's background work, run by ``courtier worker`` (see ``PortalConfig``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from courtier.messaging.worker import Periodic
from courtier.portal.services.signin import forget_old_requests

# Rate-limit rows and dead tokens only matter for a day; an hourly sweep keeps the tables
# at a day's worth of sign-ins without a scheduler of its own.
SWEEP_EVERY = 3600.0


def worker_steps(
    lease: float = 60.0, clock: Callable[[], float] = time.monotonic
) -> list[Callable[[], int]]:
    """The steps the worker runs each turn: the hourly sweep of old sign-in rows."""
    return [Periodic(SWEEP_EVERY, forget_old_requests, clock)]
