"""Agreements and promises: terms checked, kept once, extensions applied, tasks when due."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from courtier.cases.models import Case, Task
from courtier.cases.services import cases
from courtier.core.actor import Actor
from courtier.core.errors import Conflict, Invalid
from courtier.customers.models import Customer
from courtier.promises.models import Agreement, Promise, State
from courtier.promises.services import agreements, promises
from courtier.promises.services.agreements import add_months
from courtier.promises.services.card import card_agreements, card_pending_promises
from courtier.promises.services.due import create_due_promise_tasks
from courtier.promises.services.reports import kept_rate
from tests.cases.conftest import MONDAY_10


@pytest.fixture
def case(marie: Customer, as_bob: Actor) -> Case:
    return cases.open_case(as_bob, marie, subject="Slow line", channel="phone", now=MONDAY_10)


@pytest.fixture
def contract(marie: Customer, as_bob: Actor) -> Agreement:
    return agreements.create_agreement(
        as_bob,
        marie,
        product="Fibre 500",
        start_date=date(2026, 1, 31),
        term_months=12,
        price="59.90",
        now=MONDAY_10,
    )


def test_month_arithmetic_keeps_month_ends():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 13) == date(2027, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)


def test_an_agreement_ends_after_its_term(contract: Agreement):
    assert (contract.end_date, contract.renewal_date) == (date(2027, 1, 31), date(2027, 1, 31))
    assert contract.effective_end_date == contract.end_date
    assert contract.price == Decimal("59.90")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"product": ""}, "product"),
        ({"term_months": 0}, "term_months"),
        ({"term_months": 10_000}, "term_months"),
        ({"price": "-1"}, "price"),
        ({"price": "1e12"}, "price"),
        ({"price": "12.345"}, "price"),
        ({"price": "abc"}, "price"),
        ({"currency": "dollars"}, "currency"),
        ({"renewal_date": date(2020, 1, 1)}, "renewal_date"),
    ],
)
def test_bad_agreements_name_the_field(
    marie: Customer, as_bob: Actor, changes: dict[str, Any], field: str
):
    fields: dict[str, Any] = {
        "product": "Fibre",
        "start_date": date(2026, 1, 1),
        "term_months": 12,
        "price": "10",
    }
    fields.update(changes)
    with pytest.raises(Invalid) as caught:
        agreements.create_agreement(as_bob, marie, **fields)
    assert field in {e.field for e in caught.value.errors}
    assert not Agreement.objects.exists()


def test_keeping_an_extension_moves_the_effective_dates_only(
    case: Case, contract: Agreement, as_bob: Actor, as_claire: Actor
):
    promise = promises.make_promise(
        as_bob, case, kind="extension", months=6, agreement=contract, now=MONDAY_10
    )
    assert promise.state == State.PENDING
    contract.refresh_from_db()
    assert contract.effective_end_date == date(2027, 1, 31)  # not applied until kept
    kept = promises.keep_promise(as_claire, promise, note="applied in billing", now=MONDAY_10)
    assert (kept.state, kept.settled_by_label, kept.reason) == (
        State.KEPT,
        "claire",
        "applied in billing",
    )
    contract.refresh_from_db()
    assert (contract.end_date, contract.effective_end_date) == (
        date(2027, 1, 31),
        date(2027, 7, 31),
    )
    assert contract.effective_renewal_date == date(2027, 7, 31)
    assert contract.extension_months == 6
    second = promises.make_promise(
        as_bob, case, kind="extension", months=1, agreement=contract, now=MONDAY_10
    )
    promises.keep_promise(as_bob, second, now=MONDAY_10)
    contract.refresh_from_db()
    assert contract.effective_end_date == date(2027, 8, 31)
    assert list(agreements.renewals_between(date(2027, 8, 1), date(2027, 8, 31))) == [contract]


def test_keeping_twice_is_a_conflict_and_changes_nothing(
    case: Case, contract: Agreement, as_bob: Actor
):
    promise = promises.make_promise(
        as_bob, case, kind="extension", months=6, agreement=contract, now=MONDAY_10
    )
    promises.keep_promise(as_bob, promise, now=MONDAY_10)
    with pytest.raises(Conflict, match="already kept"):
        promises.keep_promise(as_bob, promise, now=MONDAY_10)
    with pytest.raises(Conflict):
        promises.break_promise(as_bob, promise, "changed my mind")
    contract.refresh_from_db()
    assert contract.extension_months == 6


def test_an_extension_on_another_customers_agreement_is_refused(
    case: Case, jean: Customer, as_bob: Actor
):
    theirs = agreements.create_agreement(
        as_bob, jean, product="Mobile", start_date=date(2026, 1, 1), term_months=24, price="20"
    )
    with pytest.raises(Invalid) as caught:
        promises.make_promise(as_bob, case, kind="extension", months=6, agreement=theirs)
    assert caught.value.errors[0].field == "agreement_id"
    assert "another customer" in caught.value.errors[0].message
    assert not Promise.objects.exists()


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"kind": "credit", "amount": "-5"}, "amount"),
        ({"kind": "credit", "amount": "0"}, "amount"),
        ({"kind": "credit", "amount": "999999999"}, "amount"),
        ({"kind": "credit"}, "amount"),
        ({"kind": "extension", "months": -3}, "months"),
        ({"kind": "extension", "months": 0}, "months"),
        ({"kind": "extension", "months": 1200}, "months"),
        ({"kind": "extension", "months": 6}, "agreement_id"),
        ({"kind": "callback"}, "due_at"),
        ({"kind": "callback", "due_at": MONDAY_10 - timedelta(days=1)}, "due_at"),
        ({"kind": "callback", "due_at": MONDAY_10 + timedelta(days=3000)}, "due_at"),
        ({"kind": "custom", "due_at": MONDAY_10 + timedelta(days=1)}, "text"),
        ({"kind": "callback", "due_at": MONDAY_10, "amount": "5"}, "amount"),
        ({"kind": "gift"}, "kind"),
        ({"kind": "callback", "due_at": MONDAY_10, "owner": "denis"}, "owner"),
    ],
)
def test_absurd_terms_are_refused(
    case: Case, denis: User, as_bob: Actor, terms: dict[str, Any], field: str
):
    with pytest.raises(Invalid) as caught:
        promises.make_promise(as_bob, case, now=MONDAY_10, **terms)
    assert field in {e.field for e in caught.value.errors}
    assert not Promise.objects.exists()


def test_only_staff_make_promises(case: Case, system: Actor):
    with pytest.raises(Invalid, match="made_by"):
        promises.make_promise(system, case, kind="callback", due_at=MONDAY_10, now=MONDAY_10)


def test_break_and_cancel_need_a_reason(case: Case, as_bob: Actor):
    promise = promises.make_promise(as_bob, case, kind="credit", amount="25.00", now=MONDAY_10)
    with pytest.raises(Invalid, match="reason"):
        promises.break_promise(as_bob, promise, " ")
    done = promises.cancel_promise(as_bob, promise, "customer declined the credit")
    assert (done.state, done.reason) == (State.CANCELLED, "customer declined the credit")


def test_a_promise_falling_due_makes_one_task_for_its_owner(
    case: Case, claire: User, as_bob: Actor
):
    callback = promises.make_promise(
        as_bob,
        case,
        kind="callback",
        due_at=MONDAY_10 + timedelta(hours=2),
        owner="claire",
        now=MONDAY_10,
    )
    later = promises.make_promise(
        as_bob,
        case,
        kind="custom",
        text="Send the letter",
        due_at=MONDAY_10 + timedelta(days=5),
        now=MONDAY_10,
    )
    promises.make_promise(as_bob, case, kind="credit", amount="10", now=MONDAY_10)  # no date
    assert create_due_promise_tasks(MONDAY_10 + timedelta(hours=1)) == 0
    assert create_due_promise_tasks(MONDAY_10 + timedelta(hours=3)) == 1
    assert create_due_promise_tasks(MONDAY_10 + timedelta(hours=4)) == 0  # idempotent
    task = Task.objects.get()
    assert (task.owner, task.origin_id, task.case_id) == (claire, callback.public_id, case.pk)
    assert task.subject == "Call back Marie Tremblay"
    assert task.done_at is None
    promises.keep_promise(as_bob, callback, now=MONDAY_10 + timedelta(hours=5))
    task.refresh_from_db()
    assert task.done_at == MONDAY_10 + timedelta(hours=5)
    out = StringIO()
    call_command("promises-due", "--now", (MONDAY_10 + timedelta(days=6)).isoformat(), stdout=out)
    assert out.getvalue().strip() == "1 task created"
    call_command("promises-due", "--now", (MONDAY_10 + timedelta(days=7)).isoformat(), stdout=out)
    assert out.getvalue().strip().endswith("0 tasks created")
    assert Task.objects.filter(origin_id=later.public_id).count() == 1
    with pytest.raises(CommandError, match="time zone"):
        call_command("promises-due", "--now", "2026-03-02T10:00")


def test_kept_rate_per_staff_member_and_overall(
    case: Case, claire: User, as_bob: Actor, as_claire: Actor
):
    def make(actor: Actor) -> Promise:
        return promises.make_promise(
            actor, case, kind="callback", due_at=MONDAY_10 + timedelta(days=1), now=MONDAY_10
        )

    promises.keep_promise(as_bob, make(as_bob))
    promises.keep_promise(as_bob, make(as_bob))
    promises.break_promise(as_bob, make(as_bob), "forgot")
    promises.cancel_promise(as_bob, make(as_bob), "not needed")
    promises.keep_promise(as_claire, make(as_claire))
    make(as_claire)  # pending and overdue at the report's time
    report = kept_rate(MONDAY_10 + timedelta(days=2))
    assert report["overall"] == {
        "kept": 3,
        "broken": 1,
        "cancelled": 1,
        "pending": 1,
        "overdue": 1,
        "rate": 0.75,
    }
    by_staff = {s["staff"]: (s["rate"], s["kept"], s["broken"]) for s in report["staff"]}
    assert by_staff == {"bob": (0.6667, 2, 1), "claire": (1.0, 1, 0)}


def test_card_sections_are_one_query_each(
    case: Case, contract: Agreement, as_bob: Actor, marie: Customer, django_assert_num_queries
):
    extension = promises.make_promise(
        as_bob, case, kind="extension", months=6, agreement=contract, now=MONDAY_10
    )
    promises.make_promise(
        as_bob, case, kind="callback", due_at=MONDAY_10 + timedelta(hours=1), now=MONDAY_10
    )
    promises.make_promise(as_bob, case, kind="credit", amount="12.50", now=MONDAY_10)
    with django_assert_num_queries(1):
        pending = card_pending_promises(marie.pk)
    assert [(p["kind"], p["overdue"], p["made_by"]) for p in pending] == [
        ("callback", True, "bob"),  # due on 2026-03-02, long past
        ("extension", False, "bob"),
        ("credit", False, "bob"),
    ]
    assert pending[2]["amount"] == "12.50"
    assert pending[1]["agreement"] == "Fibre 500"
    promises.keep_promise(as_bob, extension, now=MONDAY_10)
    with django_assert_num_queries(1):
        (held,) = card_agreements(marie.pk)
    assert (held["end_date"], held["effective_end_date"]) == ("2027-01-31", "2027-07-31")
    assert held["price"] == "59.90"
    assert [(e["months"], e["made_by"]) for e in held["extensions"]] == [(6, "bob")]
