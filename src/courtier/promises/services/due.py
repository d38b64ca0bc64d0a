"""Promises falling due become tasks for their owners."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from courtier.audit.events import emit
from courtier.cases.models import Task
from courtier.cases.services.tasks import NewTask, create_tasks_once
from courtier.promises.models import Promise, State
from courtier.promises.services.promises import TASK_ORIGIN

_SUBJECT = {
    "callback": "Call back {name}",
    "credit": "Give {name} the promised credit",
    "extension": "Extend {name}'s agreement",
    "custom": "Keep the promise to {name}",
}


@transaction.atomic
def create_due_promise_tasks(now: datetime) -> int:
    """Create one task for the owner of each pending promise due by ``now``.

    Idempotent: a promise makes its task once (unique per origin), so running this every
    minute, or from two workers at once, is safe. Returns how many tasks were created.
    """
    has_task = Task.objects.filter(origin=TASK_ORIGIN, origin_id=OuterRef("public_id"))
    due = (
        Promise.objects.filter(state=State.PENDING, due_at__isnull=False, due_at__lte=now)
        .exclude(Exists(has_task))
        .values_list(
            "public_id",
            "owner_id",
            "due_at",
            "case_id",
            "kind",
            "text",
            "customer__display_name",
            "customer_id",
        )
    )
    new = [
        (
            customer_id,
            NewTask(
                owner_id=owner_id,
                subject=(_SUBJECT[kind].format(name=name) + (f": {text}" if text else "")),
                due_at=due_at or now,  # never None: filtered above
                origin=TASK_ORIGIN,
                origin_id=public_id,
                case_id=case_id,
            ),
        )
        for public_id, owner_id, due_at, case_id, kind, text, name, customer_id in due
    ]
    created = 0
    for customer_id, task in new:
        # One at a time so the event is emitted only by whoever actually created the task:
        # two workers racing over the same due promise emit one event, not two.
        if create_tasks_once([task], now):
            created += 1
            emit("promise.due", customer_id, {"promise": str(task.origin_id)}, at=now)
    return created
