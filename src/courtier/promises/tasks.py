"""Background work: turn promises falling due into tasks (run by ``courtier promises-due``
now, by the worker once it exists)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from courtier.promises.services.due import create_due_promise_tasks


def promises_due(now: datetime | None = None) -> int:
    """Create the tasks for promises due by ``now``; safe to run as often as wanted."""
    return create_due_promise_tasks(now or timezone.now())
