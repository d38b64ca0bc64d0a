"""What can start a rule: domain events, and dates found by indexed range queries.

Date triggers never walk every customer: each asks the database for the few rows whose
date falls in a window of three UTC days around the target (every time zone's "today" is
within a day of UTC's), then keeps those whose date is the target in the customer's own
zone. The occurrence key names the thing and its date, so a rule acts on it once.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection

from courtier.audit.events import KINDS
from courtier.cases.models import ACTIVE_STATUSES, Case, Status
from courtier.promises.models import Agreement, AgreementStatus

DATE_TRIGGERS = {
    "date.agreement_renewal": "N days before an agreement's effective renewal date",
    "date.agreement_end": "N days before an agreement's effective end date",
    "date.birthday": "on the customer's birthday (fact birth_date, YYYY-MM-DD)",
    "date.case_resolved": "N days after a request was resolved",
    "date.sla_overdue": "when a request waiting on the company is past its resolution SLA",
}
EVENT_TRIGGERS = dict(KINDS)
TRIGGERS = {**EVENT_TRIGGERS, **DATE_TRIGGERS}


@dataclass(frozen=True)
class Candidate:
    """One customer a trigger found, for one occurrence, with what the condition may read."""

    customer_id: int
    occurrence: str
    data: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=512)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_today(now: datetime, time_zone: str) -> date:
    """The customer's calendar date at ``now`` (the site's zone when theirs is unknown)."""
    return now.astimezone(_zone(time_zone)).date()


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _agreements(now: datetime, days: int, column: str) -> Iterator[Candidate]:
    target = now.date() + timedelta(days=days)
    rows = (
        Agreement.objects.filter(
            **{f"{column}__range": (target - timedelta(days=1), target + timedelta(days=1))},
            status=AgreementStatus.ACTIVE,
        )
        .values_list(
            "customer_id",
            "public_id",
            column,
            "product",
            "price",
            "currency",
            "term_months",
            "customer__time_zone",
        )
        .order_by()
    )
    kind = column.removeprefix("effective_").removesuffix("_date")
    for customer_id, public_id, day, product, price, currency, term, tz in rows.iterator(2000):
        day = _as_date(day)
        if day != local_today(now, tz) + timedelta(days=days):
            continue
        yield Candidate(
            customer_id,
            f"agreement:{public_id}:{kind}:{day.isoformat()}",
            {
                "agreement": {
                    "id": str(public_id),
                    "product": product,
                    "status": AgreementStatus.ACTIVE.value,
                    "currency": currency,
                    "price": float(price),
                    "term_months": term,
                    "date": day.isoformat(),
                }
            },
        )


# The expression matches the index created by the 0002 migration, so this is a range
# scan of that index: birthdays are month-day strings inside the fact's ISO value.
_BIRTHDAYS = (
    "SELECT f.customer_id, f.value, c.time_zone FROM customers_fact f "
    "JOIN customers_customer c ON c.id = f.customer_id "
    "WHERE f.key = 'birth_date' AND f.retracted_at IS NULL "
    "AND substr(f.value, 6, 5) IN (%s, %s, %s)"
)


def _birthdays(now: datetime) -> Iterator[Candidate]:
    days = [(now.date() + timedelta(days=d)).strftime("%m-%d") for d in (-1, 0, 1)]
    with connection.cursor() as cursor:
        cursor.execute(_BIRTHDAYS, days)
        rows = cursor.fetchall()
    seen: set[int] = set()
    for customer_id, value, tz in rows:
        today = local_today(now, tz)
        if value[5:10] != today.strftime("%m-%d") or customer_id in seen:
            continue
        seen.add(customer_id)  # two sources may hold the same birth date
        yield Candidate(customer_id, f"birthday:{today.year}", {})


def _resolved(now: datetime, days: int) -> Iterator[Candidate]:
    # A one-day window ending N days ago: the evaluator runs many times a day, and the
    # occurrence key (the case and its resolution time) keeps it to one survey per case.
    last = now - timedelta(days=days)
    rows = Case.objects.filter(
        resolved_at__gt=last - timedelta(days=1),
        resolved_at__lte=last,
        status__in=[Status.RESOLVED, Status.CLOSED],
    ).values_list("customer_id", "public_id", "resolved_at", "subject", "priority")
    for customer_id, public_id, resolved_at, subject, priority in rows.iterator(2000):
        yield Candidate(
            customer_id,
            f"case:{public_id}:resolved:{resolved_at:%Y%m%dT%H%M%S}",
            {"case": {"id": str(public_id), "subject": subject, "priority": priority}},
        )


def _sla_overdue(now: datetime) -> Iterator[Candidate]:
    # Waiting on the company: open or waiting on us, never waiting on the customer. The
    # week's bound keeps the scan on the (status, resolution_due_at) index.
    waiting = [s for s in ACTIVE_STATUSES if s != Status.WAITING_CUSTOMER]
    rows = Case.objects.filter(
        status__in=waiting,
        resolution_due_at__lt=now,
        resolution_due_at__gte=now - timedelta(days=7),
    ).values_list("customer_id", "public_id", "resolution_due_at", "subject")
    for customer_id, public_id, due, subject in rows.iterator(2000):
        yield Candidate(
            customer_id,
            f"case:{public_id}:sla:{due:%Y%m%dT%H%M%S}",
            {"case": {"id": str(public_id), "subject": subject, "due": due.isoformat()}},
        )


def date_candidates(trigger: str, days: int, now: datetime) -> Iterator[Candidate]:
    """The customers a date trigger finds at ``now``, each with its occurrence key."""
    if trigger == "date.agreement_renewal":
        return _agreements(now, days, "effective_renewal_date")
    if trigger == "date.agreement_end":
        return _agreements(now, days, "effective_end_date")
    if trigger == "date.birthday":
        return _birthdays(now)
    if trigger == "date.case_resolved":
        return _resolved(now, days)
    if trigger == "date.sla_overdue":
        return _sla_overdue(now)
    raise ValueError(f"not a date trigger: {trigger!r}")


def event_candidate(event_id: int, customer_id: int, payload: dict[str, Any]) -> Candidate:
    """The one customer an event is about, keyed by the event."""
    return Candidate(customer_id, f"event:{event_id}", {"event": payload})
