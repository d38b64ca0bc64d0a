"""Hand-offs: a note is required, the customer is told, and every hand-off is counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from courtier.cases.models import Case, HandOff
from courtier.cases.services import cases, handoffs
from courtier.cases.services.reports import first_contact_resolution, handoff_report
from courtier.core.actor import Actor
from courtier.core.errors import Conflict, Invalid
from courtier.customers.models import Customer
from courtier.interactions.models import Interaction
from tests.cases.conftest import MONDAY_10


@pytest.fixture
def case(marie: Customer, as_bob: Actor) -> Case:
    return cases.open_case(as_bob, marie, subject="Internet drops", channel="phone", now=MONDAY_10)


def test_hand_off_changes_owner_counts_and_tells_the_customer(
    case: Case, claire: User, as_bob: Actor
):
    done = handoffs.hand_off(
        as_bob,
        case,
        to="claire",
        note="Router replaced twice; needs a technician visit.",
        now=MONDAY_10 + timedelta(hours=1),
    )
    case.refresh_from_db()
    assert case.owner == claire
    assert case.handoff_count == 1
    assert (done.from_user.username, done.to_user.username, done.by_label) == (
        "bob",
        "claire",
        "bob",
    )
    notice = Interaction.objects.get(customer=case.customer, channel="portal")
    # Marie reads French; she is told who now looks after her request, by name.
    assert notice.summary == "claire s\u2019occupe maintenant de votre demande « Internet drops »."
    assert notice.direction == "outbound"
    # The notice is on the case's conversation but is not an answer to the customer.
    assert [i.pk for i in cases.conversation(case)] == [notice.pk]
    assert case.first_response_at is None


def test_the_new_owner_reads_the_latest_note_first(
    case: Case, claire: User, as_bob: Actor, as_claire: Actor
):
    handoffs.hand_off(as_bob, case, to="claire", note="first", now=MONDAY_10)
    handoffs.hand_off(as_claire, case, to="bob", note="second", now=MONDAY_10 + timedelta(hours=1))
    assert [h.note for h in handoffs.handoffs_of(case)] == ["second", "first"]


@pytest.mark.parametrize(
    ("to", "note", "field", "reason"),
    [
        ("claire", "   ", "note", "needs a note"),
        ("denis", "context", "to", "not an active staff member"),
        ("nobody", "context", "to", "no staff member is called"),
        ("bob", "context", "to", "already owns"),
    ],
)
def test_bad_hand_offs_are_refused_and_change_nothing(
    case: Case,
    claire: User,
    denis: User,
    as_bob: Actor,
    to: str,
    note: str,
    field: str,
    reason: str,
):
    with pytest.raises(Invalid) as caught:
        handoffs.hand_off(as_bob, case, to=to, note=note)
    assert caught.value.errors[0].field == field
    assert reason in caught.value.errors[0].message
    case.refresh_from_db()
    assert (case.owner.username, case.handoff_count) == ("bob", 0)
    assert not HandOff.objects.exists()
    assert not Interaction.objects.filter(channel="portal").exists()


def test_handing_a_case_to_oneself_is_refused(case: Case, claire: User, as_claire: Actor):
    with pytest.raises(Invalid, match="yourself"):
        handoffs.hand_off(as_claire, case, to="claire", note="I'll take it")
    assert not HandOff.objects.exists()


def test_a_closed_case_cannot_be_handed_off(case: Case, claire: User, as_bob: Actor):
    cases.set_status(as_bob, case, "closed", now=MONDAY_10)
    with pytest.raises(Conflict, match="closed"):
        handoffs.hand_off(as_bob, case, to="claire", note="context")


def test_hand_offs_per_case_and_resolution_after_a_hand_off(
    marie: Customer, jean: Customer, claire: User, as_bob: Actor, as_claire: Actor
):
    one = cases.open_case(as_bob, marie, subject="a", channel="phone", now=MONDAY_10)
    two = cases.open_case(as_bob, jean, subject="b", channel="phone", now=MONDAY_10)
    cases.open_case(as_bob, jean, subject="c", channel="phone", now=MONDAY_10)
    handoffs.hand_off(as_bob, one, to="claire", note="n", now=MONDAY_10)
    for n in range(3):
        handoffs.hand_off(
            as_bob if n % 2 == 0 else as_claire,
            two,
            to="claire" if n % 2 == 0 else "bob",
            note="n",
            now=MONDAY_10,
        )
    cases.set_status(as_claire, one, "resolved", now=MONDAY_10 + timedelta(hours=2))
    report = handoff_report()
    assert report == {
        "cases": 3,
        "handoffs": 4,
        "handoffs_per_case": 1.333,
        "cases_by_handoffs": {"0": 1, "1": 1, "2": 0, "3+": 1},
    }
    assert handoff_report(since=MONDAY_10 + timedelta(days=1))["cases"] == 0
    one.refresh_from_db()
    assert one.first_contact_resolution is False
    assert first_contact_resolution()["rate"] == 0.0
