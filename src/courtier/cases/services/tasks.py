"""Tasks for staff: created once per origin (a promise falling due), finished when done."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from courtier.cases.models import Task


@dataclass(frozen=True)
class NewTask:
    """A task to create for ``owner_id`` unless its origin already made one."""

    owner_id: int
    subject: str
    due_at: datetime
    origin: str
    origin_id: uuid.UUID
    case_id: int | None = None


@transaction.atomic
def create_tasks_once(new: Iterable[NewTask], now: datetime) -> int:
    """Create the tasks whose origin has none yet; return how many were created.

    Idempotent: the unique (origin, origin_id) constraint means a second run, or two
    workers running at once, never make a second task for the same origin.
    """
    rows = [
        Task(
            owner_id=t.owner_id,
            subject=t.subject[:300],
            due_at=t.due_at,
            case_id=t.case_id,
            origin=t.origin,
            origin_id=t.origin_id,
            created_at=now,
        )
        for t in new
    ]
    if not rows:
        return 0
    keys = {r.origin_id for r in rows}
    before = Task.objects.filter(origin_id__in=keys).count()
    Task.objects.bulk_create(rows, ignore_conflicts=True)
    return Task.objects.filter(origin_id__in=keys).count() - before


def finish_tasks(origin: str, origin_id: uuid.UUID, now: datetime | None = None) -> int:
    """Mark the open tasks of an origin done (a promise kept, broken or cancelled)."""
    return Task.objects.filter(origin=origin, origin_id=origin_id, done_at=None).update(
        done_at=now or timezone.now()
    )


def open_tasks(owner_id: int) -> QuerySet[Task]:
    """Return a staff member's open tasks, soonest due first."""
    return Task.objects.filter(owner_id=owner_id, done_at=None).order_by("due_at", "id")
