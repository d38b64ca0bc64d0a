"""Issue 4, item 6, end to end: six free months on a twelve-month contract, a year later.

Marie has had trouble with her line for weeks. Bob, her account owner, grants six free
months on her twelve-month contract; the promise is kept, which applies it. A year later
Claire, who has never dealt with her, opens her record: the contract ends at month 18,
the signed dates are still visible, the promise and who made it are on the card, and the
renewal date every part of the product uses is the effective one.

Time moves by passing ``now`` to the services; nothing patches the clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.models import User
from django.test import Client

from courtier.cases.models import Status
from courtier.cases.services import cases
from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.recognition import recognize
from courtier.promises.services import agreements, promises
from courtier.promises.services.due import create_due_promise_tasks
from courtier.promises.services.reports import kept_rate
from tests.conftest import ApiClient


def test_six_free_months_are_still_there_a_year_later(
    marie: Customer,
    bob: User,
    claire: User,
    as_bob: Actor,
    as_claire: Actor,
    system: Actor,
    api: ApiClient,
):
    # September 2024: Marie signs a twelve-month fibre contract; Bob looks after her.
    cases.set_account_owner(system, marie, "bob")
    contract = agreements.create_agreement(
        system,
        marie,
        product="Fibre 500",
        start_date=date(2024, 9, 1),
        term_months=12,
        price="59.90",
        now=datetime(2024, 9, 1, 12, tzinfo=UTC),
    )
    assert contract.end_date == date(2025, 9, 1)

    # January 2025: her line keeps dropping. One case, one owner, for weeks of contacts.
    first_call = datetime(2025, 1, 6, 15, tzinfo=UTC)
    case = cases.open_case(
        as_claire, marie, subject="Line drops every evening", channel="phone", now=first_call
    )
    assert case.owner == bob  # Claire took the call; Bob, her account owner, owns it
    for week in range(4):
        at = first_call + timedelta(weeks=week)
        cases.record_on_case(
            as_bob,
            case,
            channel="phone",
            direction="inbound",
            summary=f"Line dropped again (week {week + 1})",
            occurred_at=at,
        )
        cases.record_on_case(
            as_bob,
            case,
            channel="phone",
            direction="outbound",
            summary="Ran a line test; asked her to log the times",
            occurred_at=at + timedelta(hours=1),
        )
        cases.set_status(as_bob, case, Status.WAITING_CUSTOMER, now=at + timedelta(hours=1))
    case.refresh_from_db()
    assert case.status == Status.WAITING_CUSTOMER
    assert len(cases.conversation(case)) == 8

    # 3 February 2025: Bob apologises with six free months, and billing applies them.
    granted = datetime(2025, 2, 3, 16, tzinfo=UTC)
    promise = promises.make_promise(
        as_bob,
        case,
        kind="extension",
        months=6,
        agreement=contract,
        text="Six months free for a month of dropped calls",
        due_at=granted + timedelta(days=7),
        now=granted,
    )
    assert create_due_promise_tasks(granted + timedelta(days=8)) == 1  # Bob is reminded once
    promises.keep_promise(
        as_bob, promise, note="applied in billing", now=granted + timedelta(days=8)
    )
    cases.set_status(as_bob, case, Status.RESOLVED, now=granted + timedelta(days=8))

    # February 2026, a year later: Claire opens Marie's record by her phone number.
    card = recognize(as_claire, "phone", "514 555 0199", reason="Marie asks about her renewal")
    assert card["open_cases"] == []
    assert card["pending_promises"] == []  # kept, not pending
    (held,) = card["agreements"]
    assert held["product"] == "Fibre 500"
    assert (held["start_date"], held["end_date"]) == ("2024-09-01", "2025-09-01")  # as signed
    assert held["effective_end_date"] == "2026-03-01"  # month 18
    assert held["effective_renewal_date"] == "2026-03-01"
    (extension,) = held["extensions"]
    assert (extension["months"], extension["made_by"]) == (6, "bob")
    assert extension["made_at"].startswith("2025-02-03")

    # The renewal date used everywhere is the effective one: the API, the renewal query
    # proactive rules will run, and the console card.
    fetched = api.get(f"/agreements/{contract.public_id}").json()
    assert (fetched["renewal_date"], fetched["effective_renewal_date"]) == (
        "2025-09-01",
        "2026-03-01",
    )
    assert list(agreements.renewals_between(date(2025, 8, 1), date(2025, 9, 30))) == []
    assert list(agreements.renewals_between(date(2026, 2, 1), date(2026, 3, 31))) == [contract]
    console = Client()
    console.force_login(claire)
    page = console.get(f"/console/cases/customers/{marie.public_id}/").content.decode()
    assert "renews 2026-03-01" in page
    assert "+6 months promised by bob on 2025-02-03" in page

    # And the promise counts for Bob.
    report = kept_rate(datetime(2026, 2, 10, tzinfo=UTC))
    assert report["staff"] == [
        {
            "staff": "bob",
            "kept": 1,
            "broken": 0,
            "cancelled": 0,
            "pending": 0,
            "overdue": 0,
            "rate": 1.0,
        }
    ]
