"""Requests: one owner from the start, SLA deadlines in business hours, replies reopen."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import User

from courtier.cases.models import BusinessCalendar, BusinessHours, Holiday, SlaTarget, Status
from courtier.cases.services import cases
from courtier.cases.services.clocks import card_open_cases, case_clock, my_cases
from courtier.cases.services.reports import first_contact_resolution
from courtier.core.actor import Actor
from courtier.core.errors import Conflict, Invalid
from courtier.customers.card import card_for
from courtier.customers.models import Customer
from courtier.customers.services.facts import NewFact, record_fact_as
from courtier.interactions.models import Interaction
from courtier.interactions.services import record_interaction
from tests.cases.conftest import MONDAY_10


def test_the_person_who_took_the_contact_owns_it_when_there_is_no_account_owner(
    marie: Customer, bob: User, as_bob: Actor
):
    case = cases.open_case(as_bob, marie, subject="Bill too high", channel="phone", now=MONDAY_10)
    assert case.owner == bob
    assert case.status == Status.OPEN


def test_the_account_owner_owns_new_requests(
    marie: Customer, claire: User, as_bob: Actor, system: Actor
):
    cases.set_account_owner(system, marie, "claire")
    case = cases.open_case(as_bob, marie, subject="Move", channel="email", now=MONDAY_10)
    assert case.owner == claire


def test_an_inactive_account_owner_falls_back_to_the_taker(
    marie: Customer, bob: User, denis: User, as_bob: Actor
):
    from courtier.cases.models import AccountOwner

    AccountOwner.objects.create(customer=marie, user=denis, since=MONDAY_10)
    assert cases.open_case(as_bob, marie, subject="x", channel="sms", now=MONDAY_10).owner == bob


def test_no_unowned_requests(marie: Customer, system: Actor):
    with pytest.raises(Invalid) as caught:
        cases.open_case(system, marie, subject="From the web form", channel="web")
    assert caught.value.errors[0].field == "owner"
    assert not marie.cases.exists()


def test_bad_fields_are_named_and_nothing_is_written(marie: Customer, as_bob: Actor):
    with pytest.raises(Invalid) as caught:
        cases.open_case(as_bob, marie, subject=" ", channel="pigeon", priority="asap")
    assert {e.field for e in caught.value.errors} == {"subject", "channel", "priority"}
    assert not marie.cases.exists()
    with pytest.raises(Invalid, match="no staff member is called 'nobody'"):
        cases.set_account_owner(as_bob, marie, "nobody")


def test_deadlines_count_business_hours_from_settings(marie: Customer, as_bob: Actor):
    # Monday 10:00 Toronto, normal priority: 8 business hours to answer, 40 to resolve.
    case = cases.open_case(as_bob, marie, subject="x", channel="phone", now=MONDAY_10)
    assert case.first_response_due_at == MONDAY_10 + timedelta(days=1)
    # Five business days later is Monday 10:00 again, but clocks moved to EDT on Sunday.
    assert case.resolution_due_at == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


def test_segment_targets_and_the_admin_calendar_win(marie: Customer, as_bob: Actor, system: Actor):
    SlaTarget.objects.create(
        priority="normal", segment="gold", first_response_minutes=30, resolution_minutes=120
    )
    record_fact_as(system, marie, NewFact("segment", "gold", source="crm", source_kind="system"))
    calendar = BusinessCalendar.objects.create(
        name="Paris", time_zone="Europe/Paris", is_default=True
    )
    for weekday in range(5):
        BusinessHours.objects.create(
            calendar=calendar, weekday=weekday, opens=time(8), closes=time(16)
        )
    Holiday.objects.create(calendar=calendar, date=date(2026, 3, 3), name="Closed")
    # Monday 15:00 UTC is 16:00 in Paris: closed; Tuesday is a holiday; Wednesday 08:00 opens.
    case = cases.open_case(as_bob, marie, subject="x", channel="phone", now=MONDAY_10)
    assert case.segment == "gold"
    assert case.first_response_due_at == datetime(2026, 3, 4, 7, 30, tzinfo=UTC)
    assert case.resolution_due_at == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def test_our_answer_stops_the_first_response_clock(marie: Customer, as_bob: Actor):
    case = cases.open_case(as_bob, marie, subject="x", channel="phone", now=MONDAY_10)
    at = MONDAY_10 + timedelta(hours=1)
    cases.record_on_case(
        as_bob, case, channel="email", direction="outbound", summary="Hi", occurred_at=at
    )
    case.refresh_from_db()
    assert case.first_response_at == at
    assert case_clock(case, MONDAY_10 + timedelta(days=2)).state == "on_track"


def test_a_customer_reply_reopens_a_waiting_case(marie: Customer, as_bob: Actor):
    case = cases.open_case(as_bob, marie, subject="x", channel="phone", now=MONDAY_10)
    cases.set_status(as_bob, case, "waiting_customer", now=MONDAY_10)
    cases.record_on_case(
        as_bob,
        case,
        channel="email",
        direction="inbound",
        summary="Here is the photo",
        occurred_at=MONDAY_10 + timedelta(hours=2),
    )
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert case.reopened_count == 0


def test_a_reply_attached_later_reopens_a_resolved_case(marie: Customer, as_bob: Actor):
    case = cases.open_case(as_bob, marie, subject="x", channel="phone", now=MONDAY_10)
    cases.set_status(as_bob, case, "resolved", now=MONDAY_10 + timedelta(hours=1))
    reply = record_interaction(
        as_bob,
        marie,
        channel="sms",
        direction="inbound",
        summary="Still broken",
        occurred_at=MONDAY_10 + timedelta(days=1),
    )
    cases.attach_interaction(as_bob, case, reply)
    case.refresh_from_db()
    assert (case.status, case.reopened_count, case.resolved_at) == (Status.OPEN, 1, None)
    assert [i.pk for i in cases.conversation(case)] == [reply.pk]
    with pytest.raises(Conflict, match="already belongs"):
        cases.attach_interaction(as_bob, case, reply)


def test_closed_is_final_and_refuses_new_contacts(marie: Customer, as_bob: Actor):
    case = cases.open_case(as_bob, marie, subject="x", channel="phone", now=MONDAY_10)
    cases.set_status(as_bob, case, "closed", now=MONDAY_10)
    before = Interaction.objects.count()
    with pytest.raises(Conflict, match="closed"):
        cases.record_on_case(as_bob, case, channel="sms", direction="inbound", summary="Hello?")
    with pytest.raises(Conflict):
        cases.set_status(as_bob, case, "open")
    assert Interaction.objects.count() == before
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_another_customers_contact_cannot_be_attached(
    marie: Customer, jean: Customer, as_bob: Actor
):
    case = cases.open_case(as_bob, marie, subject="x", channel="phone", now=MONDAY_10)
    theirs = record_interaction(as_bob, jean, channel="sms", direction="inbound", summary="hi")
    with pytest.raises(Invalid, match="another customer"):
        cases.attach_interaction(as_bob, case, theirs)


def test_first_contact_resolution_is_recorded(marie: Customer, as_bob: Actor):
    quick = cases.open_case(as_bob, marie, subject="quick", channel="phone", now=MONDAY_10)
    cases.record_on_case(
        as_bob,
        quick,
        channel="phone",
        direction="inbound",
        summary="Question",
        occurred_at=MONDAY_10,
    )
    cases.set_status(as_bob, quick, "resolved", now=MONDAY_10 + timedelta(minutes=5))
    slow = cases.open_case(as_bob, marie, subject="slow", channel="phone", now=MONDAY_10)
    cases.record_on_case(
        as_bob,
        slow,
        channel="phone",
        direction="inbound",
        summary="Question",
        occurred_at=MONDAY_10,
    )
    cases.record_on_case(
        as_bob, slow, channel="phone", direction="inbound", summary="Again", occurred_at=MONDAY_10
    )
    cases.set_status(as_bob, slow, "resolved", now=MONDAY_10 + timedelta(days=1))
    quick.refresh_from_db()
    slow.refresh_from_db()
    assert (quick.first_contact_resolution, slow.first_contact_resolution) == (True, False)
    assert first_contact_resolution() == {"resolved": 2, "first_contact": 1, "rate": 0.5}
    assert first_contact_resolution(since=MONDAY_10 + timedelta(hours=1))["resolved"] == 1


def test_my_list_is_due_first_and_flags_breaches(
    marie: Customer, jean: Customer, bob: User, as_bob: Actor
):
    late = cases.open_case(
        as_bob,
        marie,
        subject="late",
        channel="phone",
        priority="low",
        now=MONDAY_10 - timedelta(days=30),
    )
    urgent = cases.open_case(
        as_bob, jean, subject="urgent", channel="phone", priority="urgent", now=MONDAY_10
    )
    normal = cases.open_case(as_bob, jean, subject="normal", channel="phone", now=MONDAY_10)
    done = cases.open_case(as_bob, jean, subject="done", channel="phone", now=MONDAY_10)
    cases.set_status(as_bob, done, "resolved", now=MONDAY_10)
    listed = list(my_cases(bob.pk))
    assert [c.subject for c in listed] == ["late", "urgent", "normal"]
    now = MONDAY_10 + timedelta(minutes=30)
    assert [case_clock(c, now).state for c in listed] == ["breached", "due", "on_track"]
    assert [c.pk for c in listed] == [late.pk, urgent.pk, normal.pk]


def test_card_section_is_one_query_with_sla_state(
    marie: Customer, as_bob: Actor, django_assert_num_queries
):
    cases.open_case(
        as_bob, marie, subject="Old trouble", channel="phone", now=MONDAY_10 - timedelta(days=60)
    )
    fresh = cases.open_case(as_bob, marie, subject="Fresh", channel="email", now=MONDAY_10)
    cases.set_status(as_bob, fresh, "waiting_customer", now=MONDAY_10)
    with django_assert_num_queries(1):
        section = card_open_cases(marie.pk, now=MONDAY_10)
    assert [(c["subject"], c["sla"], c["status"]) for c in section] == [
        ("Old trouble", "breached", "open"),
        ("Fresh", "on_track", "waiting_customer"),
    ]
    assert section[0]["owner"] == "bob"
    assert [c["subject"] for c in card_for(marie)["open_cases"]] == ["Old trouble", "Fresh"]


def test_a_broken_admin_calendar_is_refused_by_name(marie: Customer, as_bob: Actor):
    from django.core.exceptions import ValidationError

    calendar = BusinessCalendar.objects.create(
        name="Broken", time_zone="Mars/Olympus", is_default=True
    )
    BusinessHours.objects.create(calendar=calendar, weekday=0, opens=time(9), closes=time(17))
    with pytest.raises(ValidationError, match="time_zone"):
        calendar.clean()
    with pytest.raises(ValidationError, match="closes"):
        BusinessHours(calendar=calendar, weekday=1, opens=time(17), closes=time(9)).clean()
    with pytest.raises(Conflict, match=r"calendar: .*does not exist"):
        cases.open_case(as_bob, marie, subject="x", channel="phone", now=MONDAY_10)
    assert not marie.cases.exists()
