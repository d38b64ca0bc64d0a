"""Business time: when the company is open, and what "4 business hours from now" means.

A pure module (no database): :class:`Calendar` holds weekly opening windows in the
company's time zone and a set of holiday dates. Windows are wall-clock times, so a day
on which the clocks change is still "9 to 5" locally; the arithmetic happens on aware
datetimes, so the elapsed minutes across such a day are the real ones.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A target longer than this is a data-entry error, not a service level; refusing it also
# bounds the walk below (a calendar open one hour a week still ends within the limit).
MAX_MINUTES = 60 * 24 * 366
_MAX_DAYS = 366 * 20
_SPEC = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)\s+(?P<start>\d\d:\d\d)-(?P<end>\d\d:\d\d)$")

Window = tuple[time, time]


class CalendarError(ValueError):
    """A calendar definition that cannot be used; the message says which part and why."""


@dataclass(frozen=True)
class Calendar:
    """Opening windows per weekday (0 = Monday) in ``time_zone``, and closed dates."""

    time_zone: str
    hours: Mapping[int, tuple[Window, ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CalendarError(f"time zone {self.time_zone!r} does not exist") from None
        for weekday, windows in self.hours.items():
            if weekday not in range(7):
                raise CalendarError(f"weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
            ordered = sorted(windows)
            for opens, closes in ordered:
                if opens >= closes:
                    raise CalendarError(
                        f"{WEEKDAYS[weekday]}: {opens:%H:%M} is not before {closes:%H:%M}"
                    )
            for (_, closes), (opens, _) in pairwise(ordered):
                if opens < closes:
                    raise CalendarError(f"{WEEKDAYS[weekday]}: opening windows overlap")
        if not any(self.hours.values()):
            raise CalendarError("the calendar is never open")

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def windows_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """Return the day's opening windows as aware datetimes (none on a holiday)."""
        if day in self.holidays:
            return []
        zone = self.zone
        # In UTC: Python subtracts two times of the same zone by wall clock, which would
        # miscount the hour lost or gained on the days the clocks change.
        return [
            (
                datetime.combine(day, opens, zone).astimezone(UTC),
                datetime.combine(day, closes, zone).astimezone(UTC),
            )
            for opens, closes in sorted(self.hours.get(day.weekday(), ()))
        ]

    def add_business_minutes(self, start: datetime, minutes: int) -> datetime:
        """Return the moment ``minutes`` of opening time after ``start`` (aware, in UTC).

        Starting outside opening hours counts from the next opening. Zero minutes from a
        closed moment is that next opening: a request that arrives at night is due when
        the doors open, not at night.
        """
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime")
        if not 0 <= minutes <= MAX_MINUTES:
            raise CalendarError(f"{minutes} minutes is outside 0 to {MAX_MINUTES}")
        remaining = timedelta(minutes=minutes)
        start = start.astimezone(UTC)
        day = start.astimezone(self.zone).date()
        for _ in range(_MAX_DAYS):
            for opens, closes in self.windows_on(day):
                begin = max(opens, start)
                if begin >= closes:
                    continue
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
            day += timedelta(days=1)
        raise CalendarError("no opening hours in the next 20 years")

    def business_minutes_between(self, start: datetime, end: datetime) -> int:
        """Return the whole minutes of opening time between two aware moments."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return 0
        total = timedelta()
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            for opens, closes in self.windows_on(day):
                begin, finish = max(opens, start), min(closes, end)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)


def parse_hours(spec: str) -> dict[int, tuple[Window, ...]]:
    """Parse ``"mon-fri 09:00-17:00; sat 10:00-14:00"`` into weekly windows.

    Several entries may name the same day (a lunch break is two windows).
    """
    hours: dict[int, list[Window]] = {}
    for part in (p.strip().lower() for p in spec.split(";")):
        if not part:
            continue
        match = _SPEC.match(part)
        if match is None:
            raise CalendarError(f"{part!r} is not like 'mon-fri 09:00-17:00'")
        names = match["days"].split("-")
        if any(n not in WEEKDAYS for n in names):
            raise CalendarError(f"{match['days']!r}: days are {', '.join(WEEKDAYS)}")
        first, last = WEEKDAYS.index(names[0]), WEEKDAYS.index(names[-1])
        if last < first:
            raise CalendarError(f"{match['days']!r}: a range runs Monday to Sunday")
        try:
            window = (time.fromisoformat(match["start"]), time.fromisoformat(match["end"]))
        except ValueError:
            raise CalendarError(f"{part!r}: a time is not a valid HH:MM") from None
        for weekday in range(first, last + 1):
            hours.setdefault(weekday, []).append(window)
    return {k: tuple(v) for k, v in hours.items()}


def parse_holidays(spec: str | Iterable[str]) -> frozenset[date]:
    """Parse holiday dates given as ISO dates (a comma-separated string or a list)."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out: set[date] = set()
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            out.add(date.fromisoformat(item))
        except ValueError:
            raise CalendarError(f"holiday {item!r} is not a date like 2026-12-25") from None
    return frozenset(out)
