"""Which calendar counts the SLA clocks, and when a new request is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings

from courtier.cases.calendar import Calendar, CalendarError, parse_holidays, parse_hours
from courtier.cases.models import BusinessCalendar, Priority, SlaTarget
from courtier.core.errors import Conflict, FieldError, Invalid

# Used when no SlaTarget row matches; the initial migration stores the same figures as
# rows, so these only matter if an administrator deletes them.
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    Priority.URGENT: (60, 8 * 60),
    Priority.HIGH: (4 * 60, 2 * 8 * 60),
    Priority.NORMAL: (8 * 60, 5 * 8 * 60),
    Priority.LOW: (2 * 8 * 60, 10 * 8 * 60),
}


@dataclass(frozen=True)
class Deadlines:
    """When a request must first be answered and when it must be resolved."""

    first_response: datetime
    resolution: datetime


def settings_calendar() -> Calendar:
    """Return the calendar described by the ``COURTIER_BUSINESS_*`` settings."""
    try:
        return Calendar(
            time_zone=getattr(settings, "BUSINESS_TIME_ZONE", settings.TIME_ZONE),
            hours=parse_hours(getattr(settings, "BUSINESS_HOURS", "mon-fri 09:00-17:00")),
            holidays=parse_holidays(getattr(settings, "BUSINESS_HOLIDAYS", "")),
        )
    except CalendarError as exc:
        # Settings are the operator's input: say which one is wrong.
        raise CalendarError(f"COURTIER_BUSINESS_HOURS / _TIME_ZONE / _HOLIDAYS: {exc}") from None


def calendar_from_row(row: BusinessCalendar) -> Calendar:
    """Return the pure calendar for a stored one (two queries: hours, holidays)."""
    hours: dict[int, list[tuple[time, time]]] = {}
    for h in row.hours.all():
        hours.setdefault(h.weekday, []).append((h.opens, h.closes))
    return Calendar(
        time_zone=row.time_zone,
        hours={k: tuple(v) for k, v in hours.items()},
        holidays=frozenset(row.holidays.values_list("date", flat=True)),
    )


def default_calendar() -> Calendar:
    """Return the calendar marked default in the admin, else the one from settings."""
    row = BusinessCalendar.objects.filter(is_default=True).first()
    return calendar_from_row(row) if row is not None else settings_calendar()


def targets_for(priority: str, segment: str) -> tuple[int, int]:
    """Return (first response, resolution) business minutes for a priority and segment.

    A target for the customer's segment wins over the general one for the priority.
    """
    rows = {
        s: (f, r)
        for s, f, r in SlaTarget.objects.filter(
            priority=priority, segment__in={segment, ""}
        ).values_list("segment", "first_response_minutes", "resolution_minutes")
    }
    return rows.get(segment) or rows.get("") or DEFAULT_TARGETS[priority]


def deadlines(priority: str, segment: str, opened_at: datetime) -> Deadlines:
    """Return the SLA deadlines of a request opened at ``opened_at``."""
    if priority not in Priority.values:
        raise Invalid.field("priority", f"must be one of {', '.join(Priority.values)}")
    first, resolution = targets_for(priority, segment)
    try:
        calendar = default_calendar()
        return Deadlines(
            calendar.add_business_minutes(opened_at, first),
            calendar.add_business_minutes(opened_at, resolution),
        )
    except CalendarError as exc:
        # Not the caller's mistake, but no request may open without its deadlines.
        raise Conflict(
            f"calendar: the business calendar cannot be used: {exc}",
            [FieldError("calendar", str(exc))],
        ) from None
