"""The SMTP receiving endpoint, through a real SMTP client on loopback.

The server stores each message on a database thread of its own, so these tests commit
(``transaction=True``) and the endpoint sees what the test wrote.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from courtier.core.actor import Actor
from courtier.customers.models import Customer, Fact, Identifier
from courtier.interactions.models import Interaction
from courtier.messaging.inbound_smtp import InboundSmtpServer
from courtier.messaging.models import Inbound, Template
from courtier.messaging.services.inbound import (
    Reply,
    register_case_linker,
    unregister_case_linker,
)
from courtier.messaging.services.outbox import queue_message
from tests.messaging.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)
DAYTIME = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


@pytest.fixture
def cases() -> Iterator[list[Reply]]:
    """A stand-in for the cases app: a reply answering a message about a case joins it."""
    seen: list[Reply] = []

    def linker(reply: Reply) -> str | None:
        seen.append(reply)
        return next((str(c["case"]) for c in reply.answered if "case" in c), None)

    register_case_linker(linker)
    yield seen
    unregister_case_linker(linker)


def _send(endpoint: InboundSmtpServer, raw: bytes, sender: str = "x@example.org") -> Any:
    with smtplib.SMTP("127.0.0.1", endpoint.port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail(sender)
        smtp.rcpt("support@courtier.example")
        return smtp.data(raw)


def _email(sender: str, subject: str, body: str, **headers: str) -> bytes:
    lines = [f"From: {sender}", "To: support@courtier.example", f"Subject: {subject}"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    lines += ["Content-Type: text/plain; charset=utf-8", "", body]
    return "\r\n".join(lines).encode()


def test_a_reply_over_smtp_lands_on_the_timeline_and_joins_its_case(
    marie: Customer,
    system: Actor,
    welcome: list[Template],
    endpoint: InboundSmtpServer,
    cases: list[Reply],
):
    sent = queue_message(system, marie, "welcome", {"account": "A", "case": "C-7"}, now=DAYTIME)
    raw = _email(
        "Marie <marie.tremblay@example.com>",
        "Re: Bienvenue",
        "Merci beaucoup !",
        Message_ID="<smtp-reply-1@example.com>",
        In_Reply_To=sent.message_id,
    )
    code, reply = _send(endpoint, raw)
    row = Inbound.objects.get()
    assert code == 250
    assert f"Recorded as {row.public_id}" in reply.decode()
    assert (row.channel, row.status, row.customer_id, row.case_ref) == (
        "email",
        "recorded",
        marie.pk,
        "C-7",
    )
    contact = Interaction.objects.get(customer=marie, direction="inbound")
    assert (contact.summary, contact.body.strip()) == ("Re: Bienvenue", "Merci beaucoup !")
    # A sending server that retries (it lost our 250) does not record the mail twice.
    assert _send(endpoint, raw)[0] == 250
    assert Interaction.objects.filter(customer=marie, direction="inbound").count() == 1


def test_an_unknown_sender_over_smtp_becomes_a_contact_for_review(
    endpoint: InboundSmtpServer, cases: list[Reply]
):
    code, _ = _send(endpoint, _email("Paul Roy <paul@example.org>", "Hello", "A question"))
    assert code == 250
    paul = Identifier.objects.get(kind="email", value="paul@example.org").customer
    assert paul.display_name == "Paul Roy"
    assert Fact.objects.get(customer=paul, key="review").source == "inbound"
    assert Inbound.objects.get().case_ref == ""


def test_malformed_mail_is_refused_with_the_reason_logged_and_kept(
    endpoint: InboundSmtpServer, caplog: Any
):
    raw = b"Subject: no sender here\r\n\r\nwho wrote this?"
    with caplog.at_level("WARNING", logger="courtier.messaging.inbound"):
        code, reply = _send(endpoint, raw)
    row = Inbound.objects.get()
    assert code == 550
    assert "From: has no sender address" in reply.decode()
    assert str(row.public_id) in reply.decode()
    assert (row.status, row.error) == ("rejected", "From: has no sender address")
    assert "who wrote this?" in row.raw  # kept for review
    assert f"inbound email {row.public_id} rejected: From" in caplog.text
    assert not Customer.objects.exists()


def test_mail_larger_than_the_limit_is_refused_before_it_is_read(endpoint: InboundSmtpServer):
    from courtier.messaging.services.inbound import MAX_RAW

    raw = _email("a@example.org", "big", ("x" * 78 + "\r\n") * (MAX_RAW // 80 + 10))
    code, _ = _send(endpoint, raw)
    assert code == 552
    assert not Inbound.objects.exists()


def test_mail_that_cannot_be_stored_now_is_deferred_for_the_sender_to_retry(caplog: Any):
    from django.db import OperationalError

    def database_down(raw: bytes) -> Inbound:
        raise OperationalError("could not connect to server")

    server = InboundSmtpServer("127.0.0.1", free_port(), receive=database_down)
    server.start()
    try:
        with caplog.at_level("ERROR", logger="courtier.messaging.inbound_smtp"):
            code, reply = _send(server, _email("a@example.org", "Hello", "Still there?"))
    finally:
        server.stop()
    assert code == 451  # a temporary failure: the sending server keeps the mail
    assert b"try again later" in reply
    assert "could not be stored" in caplog.text
