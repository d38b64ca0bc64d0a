"""Email through a real aiosmtpd server on loopback: headers, both parts, retries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.interactions.models import Interaction
from courtier.messaging.models import Message, Template
from courtier.messaging.services.delivery import Backoff
from courtier.messaging.services.outbox import queue_message
from courtier.messaging.transports.email import EmailTransport
from courtier.messaging.worker import Worker
from tests.messaging.servers import SmtpSink, free_port

CTX = {"account": "A-1001"}
# A past afternoon in Toronto: outside quiet hours, and already due for the worker.
DAYTIME = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        # pytest-django swaps in the memory backend; these tests want the real SMTP one.
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_TIMEOUT = 5
        yield sink


def _worker(**kw: object) -> Worker:
    return Worker({"email": EmailTransport()}, backoff=Backoff(base=0.0), **kw)  # type: ignore[arg-type]


def test_email_arrives_with_headers_both_parts_and_language(
    marie: Customer, system: Actor, welcome: list[Template], smtp: SmtpSink
):
    m = queue_message(system, marie, "welcome", CTX, now=DAYTIME)
    assert _worker().run_once() == 1
    (mail,) = smtp.mailbox.received
    assert mail["To"] == "marie.tremblay@example.com"
    assert mail["Subject"] == "Bienvenue, Madame Tremblay"
    assert mail["Message-ID"] == f"<{m.public_id}@courtier>"
    assert mail["Content-Language"] == "fr"
    assert (
        mail["List-Unsubscribe"].strip().startswith("<http://localhost:8000/messaging/unsubscribe/")
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None
    assert html is not None
    body = text.get_content().replace("\r\n", "\n")
    assert "Bonjour Madame Tremblay,\n\nVotre compte A-1001 est prêt." in body
    assert "-- \nPour choisir comment" in body
    assert "<b>A-1001</b>" in html.get_content()
    m.refresh_from_db()
    assert (m.state, m.attempts, m.provider_id) == ("sent", 1, m.message_id)
    assert m.sent_at is not None
    contact = Interaction.objects.get(customer=marie)
    assert (contact.channel, contact.direction) == ("email", "outbound")
    assert contact.summary == "welcome: Bienvenue, Madame Tremblay"


def test_refused_recipient_is_a_permanent_failure(
    marie: Customer, system: Actor, welcome: list[Template], smtp: SmtpSink
):
    smtp.mailbox.refuse.add("marie.tremblay@example.com")
    m = queue_message(system, marie, "welcome", CTX, now=DAYTIME)
    _worker().run_once()
    m.refresh_from_db()
    assert (m.state, m.attempts) == ("failed", 1)
    assert "recipient refused" in m.last_error
    assert m.failed_at is not None
    assert _worker().run_once() == 0


def test_a_busy_server_is_retried_with_backoff_then_sent(
    marie: Customer, system: Actor, welcome: list[Template], smtp: SmtpSink
):
    smtp.mailbox.busy = 2
    m = queue_message(system, marie, "welcome", CTX, now=DAYTIME)
    worker = Worker({"email": EmailTransport()}, backoff=Backoff(base=60.0))
    worker.run_once()
    m.refresh_from_db()
    assert (m.state, m.attempts) == ("queued", 1)
    assert "SMTP 451" in m.last_error
    assert m.send_after >= timezone.now() + timedelta(seconds=55)
    assert worker.run_once() == 0  # not due yet
    Message.objects.filter(pk=m.pk).update(send_after=timezone.now())
    worker.run_once()
    m.refresh_from_db()
    assert (m.state, m.attempts) == ("queued", 2)
    assert m.send_after >= timezone.now() + timedelta(seconds=115)  # doubled
    Message.objects.filter(pk=m.pk).update(send_after=timezone.now())
    worker.run_once()
    m.refresh_from_db()
    assert (m.state, m.attempts) == ("sent", 3)
    assert smtp.mailbox.ids() == [m.message_id]


def test_unreachable_server_is_transient_until_attempts_run_out(
    marie: Customer, system: Actor, welcome: list[Template], settings: Any
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    m = queue_message(system, marie, "welcome", CTX, now=DAYTIME)
    worker = _worker(max_attempts=3)
    states = []
    for _ in range(3):
        worker.run_once()
        m.refresh_from_db()
        states.append(m.state)
    assert states == ["queued", "queued", "failed"]
    assert "SMTP connection failed" in m.last_error


def test_deferred_messages_wait_for_their_time(
    marie: Customer, system: Actor, welcome: list[Template], smtp: SmtpSink
):
    later = timezone.now() + timedelta(hours=1)
    m = queue_message(system, marie, "welcome", CTX, now=DAYTIME)
    Message.objects.filter(pk=m.pk).update(send_after=later)
    assert _worker().run_once() == 0
    assert smtp.mailbox.received == []


def test_one_connection_serves_a_batch(
    db: None, system: Actor, welcome: list[Template], smtp: SmtpSink
):
    from courtier.customers.services.records import NewIdentifier, create_customer

    for n in range(5):
        c = create_customer(
            system,
            {"display_name": f"C{n}", "language": "en"},
            identifiers=[NewIdentifier("email", f"c{n}@example.com")],
        )
        queue_message(system, c, "welcome", {"account": n}, now=DAYTIME)
    assert _worker().run_once() == 5
    assert sorted(str(m["To"]) for m in smtp.mailbox.received) == [
        f"c{n}@example.com" for n in range(5)
    ]
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}
