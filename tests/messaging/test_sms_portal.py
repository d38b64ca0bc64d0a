"""SMS through a real HTTP provider on loopback, and portal messages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.messaging.models import Message, Template
from courtier.messaging.services.delivery import Backoff, mark_delivered
from courtier.messaging.services.outbox import portal_inbox, queue_message
from courtier.messaging.services.style import sms_segments
from courtier.messaging.transports.portal import PortalTransport
from courtier.messaging.transports.sms import HttpSmsTransport
from courtier.messaging.worker import Worker
from tests.messaging.servers import SmsProvider

DAYTIME = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
CTX = {"account": "A-1001"}


@pytest.fixture
def provider() -> Iterator[SmsProvider]:
    with SmsProvider() as server:
        yield server


def _sms_worker(provider: SmsProvider, timeout: float = 5.0) -> Worker:
    transport = HttpSmsTransport(url=provider.url, token="secret-token", timeout=timeout)
    return Worker({"sms": transport}, backoff=Backoff(base=0.0))


def _sms(system: Actor, customer: Customer) -> Message:
    return queue_message(system, customer, "welcome", CTX, channel="sms", now=DAYTIME)


def test_sms_is_posted_to_the_provider(
    marie: Customer, system: Actor, welcome: list[Template], provider: SmsProvider
):
    m = _sms(system, marie)
    assert _sms_worker(provider).run_once() == 1
    (sent,) = provider.provider.requests
    assert sent["to"] == "+15145550199"
    assert sent["reference"] == str(m.public_id)
    assert "your account A-1001 is ready." in sent["text"]
    assert sms_segments(sent["text"])[0] == "gsm7"
    assert provider.provider.headers[0]["Authorization"] == "Bearer secret-token"
    assert provider.provider.headers[0]["Idempotency-Key"] == str(m.public_id)
    m.refresh_from_db()
    assert (m.state, m.provider_id) == ("sent", "sms-1")
    assert mark_delivered("sms-1") is True
    m.refresh_from_db()
    assert m.state == "delivered"
    assert m.delivered_at is not None


def test_a_5xx_is_retried(
    marie: Customer, system: Actor, welcome: list[Template], provider: SmsProvider
):
    provider.provider.script = [(503, {"error": "overloaded"}, 0.0)]
    m = _sms(system, marie)
    worker = _sms_worker(provider)
    worker.run_once()
    m.refresh_from_db()
    assert (m.state, m.attempts) == ("queued", 1)
    assert "HTTP 503" in m.last_error
    worker.run_once()
    m.refresh_from_db()
    assert (m.state, m.attempts) == ("sent", 2)
    assert len(provider.provider.requests) == 2


def test_an_invalid_number_is_permanent(
    marie: Customer, system: Actor, welcome: list[Template], provider: SmsProvider
):
    provider.provider.script = [(400, {"error": "invalid_number"}, 0.0)]
    m = _sms(system, marie)
    worker = _sms_worker(provider)
    worker.run_once()
    worker.run_once()
    m.refresh_from_db()
    assert (m.state, m.attempts) == ("failed", 1)
    assert "invalid_number" in m.last_error
    assert len(provider.provider.requests) == 1


def test_a_hanging_provider_times_out_and_is_retried(
    marie: Customer, system: Actor, welcome: list[Template], provider: SmsProvider
):
    provider.provider.script = [(200, {"id": "late"}, 3.0)]
    m = _sms(system, marie)
    _sms_worker(provider, timeout=0.5).run_once()
    m.refresh_from_db()
    assert m.state == "queued"
    assert "did not answer within 0.5s" in m.last_error


def test_no_provider_configured_is_a_clear_error(
    marie: Customer, system: Actor, welcome: list[Template], settings: Any
):
    settings.SMS_PROVIDER_URL = ""
    m = _sms(system, marie)
    Worker({"sms": HttpSmsTransport()}, backoff=Backoff(base=0.0)).run_once()
    m.refresh_from_db()
    assert "no SMS provider is configured" in m.last_error


def test_portal_messages_are_delivered_into_the_inbox(
    marie: Customer, system: Actor, welcome: list[Template]
):
    m = queue_message(system, marie, "welcome", CTX, channel="portal", now=DAYTIME)
    Worker({"portal": PortalTransport()}).run_once()
    m.refresh_from_db()
    assert m.state == "delivered"
    assert m.delivered_at is not None
    assert list(portal_inbox(marie)) == [m]
    assert m.text.startswith("Dear Ms Tremblay,")  # the English words, the English greeting
    assert "Your account A-1001 is ready." in m.text


def test_a_channel_without_transport_fails_the_message(
    marie: Customer, system: Actor, welcome: list[Template]
):
    m = queue_message(system, marie, "welcome", CTX, channel="portal", now=DAYTIME)
    Worker({}).run_once()
    m.refresh_from_db()
    assert (m.state, m.last_error) == ("failed", "no transport for channel 'portal'")


def test_signed_delivery_receipts_mark_sms_delivered_or_failed(
    marie: Customer, system: Actor, welcome: list[Template], provider: SmsProvider, settings: Any
):
    import hashlib
    import hmac
    import json

    from django.test import Client

    settings.WEBHOOK_SECRET = "s3cret"

    def receipt(payload: object, sign: bool = True) -> Any:
        body = json.dumps(payload).encode()
        digest = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        headers = {"X-Courtier-Signature": f"sha256={digest}"} if sign else {}
        return Client().post(
            "/api/v1/messaging/receipts/sms", body, content_type="application/json", headers=headers
        )

    m = _sms(system, marie)
    _sms_worker(provider).run_once()
    assert receipt({"id": "sms-1", "status": "delivered"}, sign=False).status_code == 401
    assert receipt({"id": "sms-1", "status": "delivered"}).json() == {
        "provider_id": "sms-1",
        "recorded": True,
    }
    assert receipt({"id": "sms-1", "status": "delivered"}).json()["recorded"] is False
    m.refresh_from_db()
    assert m.state == "delivered"
    bad = receipt({"id": "sms-1", "status": "maybe"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "status"
