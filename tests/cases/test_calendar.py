"""Business time: opening windows, nights, weekends, holidays, clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from courtier.cases.calendar import Calendar, CalendarError, parse_holidays, parse_hours

TZ = ZoneInfo("America/Toronto")


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def office() -> Calendar:
    return Calendar(
        "America/Toronto",
        parse_hours("mon-fri 09:00-12:00; mon-fri 13:00-17:00"),
        parse_holidays("2026-12-25"),
    )


def test_minutes_inside_one_window(office: Calendar):
    assert office.add_business_minutes(local(2026, 3, 2, 9, 30), 60) == local(2026, 3, 2, 10, 30)


def test_lunch_break_is_not_counted(office: Calendar):
    assert office.add_business_minutes(local(2026, 3, 2, 11, 30), 60) == local(2026, 3, 2, 13, 30)


def test_friday_evening_runs_into_monday(office: Calendar):
    start = local(2026, 3, 6, 16, 0)  # Friday
    assert office.add_business_minutes(start, 120) == local(2026, 3, 9, 10, 0)


def test_a_request_at_night_is_due_from_the_next_opening(office: Calendar):
    assert office.add_business_minutes(local(2026, 3, 2, 22, 0), 0) == local(2026, 3, 3, 9, 0)
    assert office.add_business_minutes(local(2026, 3, 7, 10, 0), 30) == local(2026, 3, 9, 9, 30)


def test_holidays_are_closed(office: Calendar):
    start = local(2026, 12, 24, 16, 30)  # Thursday; Friday the 25th is a holiday
    assert office.add_business_minutes(start, 60) == local(2026, 12, 28, 9, 30)


def test_clock_change_day_counts_real_minutes():
    # Sunday 2026-03-08 clocks jump 02:00 -> 03:00 in Toronto; a 24/7 desk loses an hour.
    desk = Calendar("America/Toronto", parse_hours("mon-sun 00:00-23:59"))
    start = local(2026, 3, 8, 1, 0)
    end = desk.add_business_minutes(start, 120)
    assert end - start.astimezone(UTC) == timedelta(minutes=120)
    assert end.astimezone(TZ).hour == 4


def test_minutes_between_counts_open_time_only(office: Calendar):
    assert (
        office.business_minutes_between(local(2026, 3, 6, 16, 0), local(2026, 3, 9, 10, 0)) == 120
    )
    assert office.business_minutes_between(local(2026, 3, 9, 10, 0), local(2026, 3, 6, 16, 0)) == 0


@given(
    # hypothesis takes naive bounds and attaches the zone itself.
    start=st.datetimes(
        min_value=datetime(2025, 1, 1),  # noqa: DTZ001
        max_value=datetime(2027, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    minutes=st.integers(min_value=0, max_value=20_000),
)
def test_adding_then_measuring_gives_back_the_minutes(start: datetime, minutes: int):
    office = Calendar(
        "America/Toronto", parse_hours("mon-fri 09:00-17:00"), parse_holidays("2026-12-25")
    )
    start = start.replace(second=0, microsecond=0)
    end = office.add_business_minutes(start, minutes)
    assert end >= start
    assert office.business_minutes_between(start, end) == minutes


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("monday 09:00-17:00", "is not like"),
        ("mon-xyz 09:00-17:00", "days are"),
        ("fri-mon 09:00-17:00", "runs Monday to Sunday"),
        ("mon 17:00-09:00", "is not before"),
        ("mon 09:00-12:00; mon 11:00-13:00", "overlap"),
        ("mon 25:00-26:00", "not a valid"),
    ],
)
def test_bad_hours_say_what_is_wrong(spec: str, message: str):
    with pytest.raises(CalendarError, match=message):
        Calendar("America/Toronto", parse_hours(spec))


def test_bad_zone_holiday_and_never_open_are_refused():
    with pytest.raises(CalendarError, match="does not exist"):
        Calendar("Mars/Olympus", parse_hours("mon 09:00-17:00"))
    with pytest.raises(CalendarError, match="2026-13-01"):
        parse_holidays("2026-13-01")
    with pytest.raises(CalendarError, match="never open"):
        Calendar("UTC", {})
    with pytest.raises(CalendarError, match="outside"):
        Calendar("UTC", {0: ((time(9), time(17)),)}).add_business_minutes(
            datetime(2026, 1, 1, tzinfo=UTC), -5
        )
    assert parse_holidays(["2026-01-01", " "]) == frozenset({date(2026, 1, 1)})
