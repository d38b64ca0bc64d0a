"""Reading SLA clocks: what is due next, what is breached, and each owner's list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import DateTimeField, F, QuerySet, When

from courtier.cases.models import ACTIVE_STATUSES, Case
from courtier.core.sql import HotQuery, aware, iso, uid

# How close a deadline must be to show as "due" on the owner's list and the card.
DUE_SOON = timedelta(hours=4)
CARD_CASES = 20


@dataclass(frozen=True)
class Clock:
    """The state of a request's SLA: the next deadline and whether one was missed."""

    next_due_at: datetime | None
    state: str  # "breached", "due" or "on_track"; "met" once resolved in time


def clock(
    *,
    first_response_due_at: datetime,
    first_response_at: datetime | None,
    resolution_due_at: datetime,
    resolved_at: datetime | None,
    now: datetime,
) -> Clock:
    """Return the SLA state of one request at ``now``."""
    late_answer = (first_response_at or now) > first_response_due_at
    late_resolution = (resolved_at or now) > resolution_due_at
    if resolved_at is not None:
        return Clock(None, "breached" if late_answer or late_resolution else "met")
    if late_answer or late_resolution:
        nxt = first_response_due_at if first_response_at is None else resolution_due_at
        return Clock(nxt, "breached")
    nxt = first_response_due_at if first_response_at is None else resolution_due_at
    return Clock(nxt, "due" if nxt - now <= DUE_SOON else "on_track")


def case_clock(case: Case, now: datetime) -> Clock:
    """Return the SLA state of a loaded case."""
    return clock(
        first_response_due_at=case.first_response_due_at,
        first_response_at=case.first_response_at,
        resolution_due_at=case.resolution_due_at,
        resolved_at=case.resolved_at,
        now=now,
    )


def my_cases(owner_id: int) -> QuerySet[Case]:
    """Return a staff member's active requests, the next deadline first."""
    next_due = SqlCase(
        When(first_response_at__isnull=True, then=F("first_response_due_at")),
        default=F("resolution_due_at"),
        output_field=DateTimeField(),
    )
    return (
        Case.objects.filter(owner_id=owner_id, status__in=ACTIVE_STATUSES)
        .select_related("customer")
        .annotate(next_due_at=next_due)
        .order_by("next_due_at", "id")
    )


_STATUSES = ", ".join(f"'{s.value}'" for s in ACTIVE_STATUSES)
_CARD = HotQuery(
    "SELECT c.public_id, c.subject, c.status, c.priority, c.channel, u.username, "
    "c.opened_at, c.first_response_due_at, c.first_response_at, c.resolution_due_at, "
    "c.handoff_count "
    f"FROM {Case._meta.db_table} c JOIN auth_user u ON u.id = c.owner_id "
    f"WHERE c.customer_id = %s AND c.status IN ({_STATUSES}) "
    f"ORDER BY c.resolution_due_at, c.id LIMIT {CARD_CASES}"
)


def card_open_cases(customer_id: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """Return the customer's open requests for the card, with their SLA state (one query)."""
    from django.utils import timezone

    now = now or timezone.now()
    rows = _CARD.fetchall([customer_id])
    out = []
    for r in rows:
        first_due, answered, resolution_due = aware(r[7]), aware(r[8]), aware(r[9])
        assert first_due is not None  # NOT NULL column
        assert resolution_due is not None
        state = clock(
            first_response_due_at=first_due,
            first_response_at=answered,
            resolution_due_at=resolution_due,
            resolved_at=None,
            now=now,
        )
        out.append(
            {
                "id": uid(r[0]),
                "subject": r[1],
                "status": r[2],
                "priority": r[3],
                "channel": r[4],
                "owner": r[5],
                "opened_at": iso(r[6]),
                "first_response_due_at": iso(r[7]),
                "first_response_at": iso(r[8]),
                "resolution_due_at": iso(r[9]),
                "handoffs": r[10],
                "sla": state.state,
                "next_due_at": state.next_due_at.isoformat() if state.next_due_at else None,
            }
        )
    return out
