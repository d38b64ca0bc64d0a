"""Domain events: ``emit`` is the one door every app uses to say that something happened.

It lives at the bottom layer so customers, cases, promises and messaging can call it
without knowing who listens (journeys, and later webhooks, consume the table). Call it
inside the transaction of the change: the event then exists exactly when the change does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from courtier.audit.models import Event

# Every kind a service emits; consumers validate their triggers against this list.
KINDS = {
    "customer.created": "a customer record was created",
    "case.resolved": "a request was resolved",
    "case.handoff": "a request was handed to another owner",
    "promise.made": "a promise was made",
    "promise.due": "a pending promise fell due",
    "promise.kept": "a promise was kept",
    "promise.broken": "a promise was broken",
    "fact.changed": "a fact about the customer was recorded with a new value",
    "message.failed": "a message could not be delivered",
    "tag.added": "a tag was added to the customer",
    "tag.removed": "a tag was removed from the customer",
}


def emit(
    kind: str,
    customer_id: int,
    payload: Mapping[str, Any] | None = None,
    *,
    cause: Event | None = None,
    at: datetime | None = None,
) -> Event:
    """Write one event in the caller's transaction and return it.

    Guarantees: the row is rolled back with the caller's change; an event caused by
    another (``cause``) records it and one more level of depth. Raises ``ValueError`` for a
    kind not in :data:`KINDS`, a programming error rather than bad input.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    with transaction.atomic():
        return Event.objects.create(
            kind=kind,
            customer_id=customer_id,
            payload=dict(payload or {}),
            occurred_at=at or timezone.now(),
            depth=cause.depth + 1 if cause is not None else 0,
            cause_id=cause.pk if cause is not None else None,
        )
