"""Console pages: my requests, one request, the customer card, promises due."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courtier.cases.models import Case
from courtier.cases.services import cases, handoffs
from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.promises.services import agreements, promises
from tests.cases.conftest import MONDAY_10


def queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_pages_need_a_signed_in_staff_member(marie: Customer):
    for url in (
        "/console/cases/",
        "/console/promises/",
        f"/console/cases/customers/{marie.public_id}/",
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/console/login/?next=")


def test_my_requests_due_first_with_breaches_flagged_and_no_n_plus_one(
    console: Client, marie: Customer, jean: Customer, as_bob: Actor
):
    cases.open_case(as_bob, marie, subject="Ancient", channel="phone", now=MONDAY_10)
    one, page = queries(console, "/console/cases/")
    assert "Ancient" in page
    assert "<strong>Breached</strong>" in page
    for n in range(5):
        cases.open_case(
            as_bob,
            jean,
            subject=f"Later {n}",
            channel="email",
            now=MONDAY_10 + timedelta(days=n + 1),
        )
    many, page = queries(console, "/console/cases/")
    assert many == one
    assert page.index("Ancient") < page.index("Later 0") < page.index("Later 4")


def test_a_case_shows_the_latest_note_first_then_conversation_and_history(
    console: Client, marie: Customer, claire: User, as_bob: Actor, as_claire: Actor
):
    case = cases.open_case(as_claire, marie, subject="No signal", channel="phone", now=MONDAY_10)
    cases.record_on_case(
        as_claire,
        case,
        channel="phone",
        direction="inbound",
        summary="Phone dead since Tuesday",
        occurred_at=MONDAY_10,
    )
    handoffs.hand_off(
        as_claire, case, to="bob", note="Tower fault suspected; call her after 5pm", now=MONDAY_10
    )
    count, page = queries(console, f"/console/cases/{case.public_id}/")
    assert page.index("Tower fault suspected") < page.index("Phone dead since Tuesday")
    assert "Handed to bob by claire" in page
    from courtier.audit.models import AccessLog

    assert AccessLog.objects.filter(customer_id=marie.pk, action="view", actor_label="bob").exists()
    assert count <= 8


def test_a_refused_hand_off_shows_the_form_with_the_reason(
    console: Client, marie: Customer, as_bob: Actor
):
    case = cases.open_case(as_bob, marie, subject="No signal", channel="phone", now=MONDAY_10)
    response = console.post(f"/console/cases/{case.public_id}/", {"to": "claire", "note": ""})
    assert response.status_code == 422
    assert "note: a hand-off needs a note" in response.content.decode()
    case.refresh_from_db()
    assert case.handoff_count == 0


def test_a_hand_off_from_the_page(console: Client, marie: Customer, claire: User, as_bob: Actor):
    case = cases.open_case(as_bob, marie, subject="No signal", channel="phone", now=MONDAY_10)
    response = console.post(
        f"/console/cases/{case.public_id}/", {"to": "claire", "note": "Over to you"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).owner == claire


def test_the_card_page_shows_open_cases_promises_and_agreements(
    console: Client, marie: Customer, as_bob: Actor
):
    case = cases.open_case(as_bob, marie, subject="Slow line", channel="phone", now=MONDAY_10)
    contract = agreements.create_agreement(
        as_bob,
        marie,
        product="Fibre 500",
        start_date=date(2026, 1, 15),
        term_months=12,
        price="59.90",
    )
    promises.make_promise(
        as_bob, case, kind="callback", due_at=MONDAY_10 + timedelta(hours=1), now=MONDAY_10
    )
    kept = promises.make_promise(
        as_bob, case, kind="extension", months=6, agreement=contract, now=MONDAY_10
    )
    promises.keep_promise(as_bob, kept, now=MONDAY_10)
    count, page = queries(console, f"/console/cases/customers/{marie.public_id}/")
    assert "Slow line" in page
    assert "<strong>overdue</strong>" in page
    assert "ends 2027-07-15" in page
    assert "signed end 2027-01-15" in page
    assert "+6 months promised by bob" in page
    assert count <= 12
    assert Client().get(f"/console/cases/customers/{marie.public_id}/").status_code == 302


def test_promises_due_page_flags_overdue(
    console: Client, marie: Customer, claire: User, as_bob: Actor
):
    case = cases.open_case(as_bob, marie, subject="Slow line", channel="phone", now=MONDAY_10)
    promises.make_promise(
        as_bob, case, kind="callback", due_at=MONDAY_10 + timedelta(hours=1), now=MONDAY_10
    )
    promises.make_promise(
        as_bob,
        case,
        kind="custom",
        text="Send a technician",
        due_at=MONDAY_10 + timedelta(days=2),
        owner="claire",
        now=MONDAY_10,
    )
    _, mine = queries(console, "/console/promises/")
    assert "<strong>Overdue</strong>" in mine
    assert "Send a technician" not in mine
    one, everyone = queries(console, "/console/promises/?all=1")
    assert "Send a technician" in everyone
    assert one <= 6


def test_an_unknown_case_is_a_404_page(console: Client):
    response = console.get("/console/cases/00000000-0000-7000-8000-000000000000/")
    assert response.status_code == 404
    assert "No case has this id." in response.content.decode()


def test_a_promise_fallen_due_is_an_overdue_task_on_my_list(
    console: Client, marie: Customer, as_bob: Actor
):
    from courtier.promises.services.due import create_due_promise_tasks

    case = cases.open_case(as_bob, marie, subject="Slow line", channel="phone", now=MONDAY_10)
    promises.make_promise(
        as_bob, case, kind="callback", due_at=MONDAY_10 + timedelta(hours=1), now=MONDAY_10
    )
    _, before = queries(console, "/console/cases/")
    assert "No open task." in before
    create_due_promise_tasks(MONDAY_10 + timedelta(hours=2))
    _, page = queries(console, "/console/cases/")
    assert "<strong>Overdue</strong>" in page
    assert "Call back Marie Tremblay" in page
