"""Bounces: a delivery report about one of our emails fails it, permanently or not at all."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime

import pytest

from courtier.audit.models import Event
from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.interactions.models import Interaction
from courtier.messaging.inbound_smtp import InboundSmtpServer
from courtier.messaging.models import Inbound, Message, Template
from courtier.messaging.services.delivery import claim, mark_sent
from courtier.messaging.services.inbound import receive_email
from courtier.messaging.services.outbox import queue_message

DAYTIME = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def _sent(system: Actor, customer: Customer) -> Message:
    queued = queue_message(system, customer, "welcome", {"account": "A"}, now=DAYTIME)
    (message,) = claim(1, lease=60)
    assert message.pk == queued.pk
    assert mark_sent(message, message.message_id)
    message.refresh_from_db()
    return message


def _report(message_id: str, action: str, status: str, diagnostic: str = "") -> bytes:
    lines = [
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>",
        "To: bounces@courtier.example",
        "Subject: Undelivered Mail Returned to Sender",
        "Message-ID: <dsn-1@mx.example.net>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
        "",
        "--B",
        "Content-Type: text/plain",
        "",
        "Your message could not be delivered.",
        "--B",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.example.net",
        "",
        "Final-Recipient: rfc822; marie.tremblay@example.com",
        f"Action: {action}",
        f"Status: {status}",
        *([f"Diagnostic-Code: smtp; {diagnostic}"] if diagnostic else []),
        "",
        "--B",
        "Content-Type: text/rfc822-headers",
        "",
        "From: shop@courtier.example",
        "To: marie.tremblay@example.com",
        f"Message-ID: {message_id}",
        "Subject: Bienvenue",
        "",
        "--B--",
        "",
    ]
    return "\r\n".join(lines).encode()


def test_a_hard_bounce_fails_the_message_and_makes_no_contact(
    marie: Customer, system: Actor, welcome: list[Template]
):
    message = _sent(system, marie)
    customers = Customer.objects.count()
    raw = _report(message.message_id, "failed", "5.1.1", "550 5.1.1 No such user")
    row = receive_email(raw)
    message.refresh_from_db()
    assert (message.state, message.last_error) == (
        "failed",
        "bounced: 5.1.1 smtp; 550 5.1.1 No such user",
    )
    assert message.failed_at is not None
    assert (row.status, row.customer_id) == ("recorded", marie.pk)
    assert Customer.objects.count() == customers  # the mail server is not a new contact
    assert not Interaction.objects.filter(direction="inbound").exists()
    # The same report again (a retried webhook) changes nothing.
    assert receive_email(raw).pk == row.pk
    # Rules on "message failed" hear of a bounce as of any other failure, once.
    (event,) = Event.objects.filter(kind="message.failed")
    assert (event.customer_id, event.payload["message"]) == (marie.pk, str(message.public_id))


def test_a_delay_report_leaves_the_message_sent(
    marie: Customer, system: Actor, welcome: list[Template]
):
    message = _sent(system, marie)
    receive_email(_report(message.message_id, "delayed", "4.4.1"))
    message.refresh_from_db()
    assert (message.state, message.last_error) == ("sent", "")


def test_a_report_about_mail_we_never_sent_is_kept_and_changes_nothing(db: None):
    row = receive_email(_report("<someone-else@example.org>", "failed", "5.1.1"))
    assert (row.status, row.customer_id) == ("recorded", None)
    assert not Customer.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_bounce_over_smtp_from_the_null_sender_fails_the_message(
    marie: Customer, system: Actor, welcome: list[Template], endpoint: InboundSmtpServer
):
    message = _sent(system, marie)
    with smtplib.SMTP("127.0.0.1", endpoint.port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("<>")  # bounces come from the null reverse-path (RFC 5321 4.5.5)
        smtp.rcpt("bounces@courtier.example")
        code, _ = smtp.data(_report(message.message_id, "failed", "5.2.2", "mailbox full"))
    assert code == 250
    message.refresh_from_db()
    assert (message.state, message.last_error) == ("failed", "bounced: 5.2.2 smtp; mailbox full")
    assert Inbound.objects.get().customer_id == marie.pk


def test_a_bounced_address_is_not_chosen_again_until_verified(
    marie: Customer, system: Actor, welcome: list[Template]
):
    from django.utils import timezone

    from courtier.customers.models import Identifier

    message = _sent(system, marie)
    assert message.channel == "email"
    receive_email(_report(message.message_id, "failed", "5.1.1", "550 5.1.1 No such user"))
    message.refresh_from_db()
    assert message.bounced_at is not None
    # Marie also has a phone: the next message goes there instead.
    after = queue_message(system, marie, "welcome", {"account": "B"}, now=DAYTIME)
    assert (after.state, after.channel) == ("queued", "sms")
    # Once she confirms the address again, email is hers to receive.
    Identifier.objects.filter(customer=marie, kind="email").update(verified_at=timezone.now())
    again = queue_message(system, marie, "welcome", {"account": "C"}, now=DAYTIME)
    assert (again.state, again.channel) == ("queued", "email")
