"""An inbound reply joins the case it answers, by reply headers or by the subject."""

from __future__ import annotations

from courtier.cases.models import Case, CaseInteraction
from courtier.cases.services import cases
from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.records import NewIdentifier, create_customer
from courtier.messaging.services.inbound import receive_email
from courtier.messaging.services.outbox import queue_message
from courtier.messaging.services.templates import save_template
from tests.cases.conftest import MONDAY_10


def _email(subject: str, **headers: str) -> bytes:
    lines = ["From: Marie <marie.tremblay@example.com>", f"Subject: {subject}"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    lines += ["Content-Type: text/plain; charset=utf-8", "", "Merci."]
    return "\r\n".join(lines).encode()


def _linked(case: Case) -> int:
    return CaseInteraction.objects.filter(case=case).count()


def test_a_reply_to_a_case_message_joins_the_case_and_reopens_it(
    marie: Customer, system: Actor, as_bob: Actor
):
    case = cases.open_case(as_bob, marie, subject="Move", channel="email", now=MONDAY_10)
    cases.set_status(as_bob, case, "waiting_customer")
    save_template(
        system,
        {
            "purpose": "case_update",
            "channel": "email",
            "language": "fr",
            "subject": "Votre demande",
            "text": "Du nouveau.",
        },
    )
    sent = queue_message(system, marie, "case_update", {"case": str(case.public_id)})
    row = receive_email(_email("Re: votre demande", In_Reply_To=sent.message_id))
    case.refresh_from_db()
    assert row.case_ref == str(case.public_id)
    assert _linked(case) == 1
    assert case.status == "open"  # the customer answered


def test_a_reference_in_the_subject_joins_the_case(marie: Customer, as_bob: Actor):
    case = cases.open_case(as_bob, marie, subject="Bill", channel="phone", now=MONDAY_10)
    row = receive_email(_email(f"Encore ma facture [case {case.public_id}]"))
    assert row.case_ref == str(case.public_id)
    assert _linked(case) == 1


def test_another_customers_case_or_a_closed_one_is_not_joined(
    marie: Customer, system: Actor, as_bob: Actor
):
    paul = create_customer(
        system, {"display_name": "Paul"}, identifiers=[NewIdentifier("email", "p@example.org")]
    )
    theirs = cases.open_case(as_bob, paul, subject="Paul's", channel="phone", now=MONDAY_10)
    closed = cases.open_case(as_bob, marie, subject="Old", channel="phone", now=MONDAY_10)
    cases.set_status(as_bob, closed, "closed")
    for case in (theirs, closed):
        row = receive_email(_email(f"Re [#{case.public_id}]"))
        assert (row.status, row.case_ref) == ("recorded", "")
        assert _linked(case) == 0
