"""Inbound email and SMS webhooks: signed, recognised, attached to the case, nothing lost."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from courtier.core.actor import Actor
from courtier.customers.models import Customer, Fact, Identifier
from courtier.interactions.models import Interaction
from courtier.messaging.models import Inbound, Template
from courtier.messaging.services.inbound import (
    Reply,
    register_case_linker,
    unregister_case_linker,
)
from courtier.messaging.services.outbox import queue_message
from courtier.messaging.services.preferences import preferences_of

SECRET = "webhook-secret-for-tests"
DAYTIME = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _secret(settings: Any) -> None:
    settings.WEBHOOK_SECRET = SECRET


def _post(path: str, body: bytes, *, sign: bool = True, content_type: str = "") -> Any:
    headers = {}
    if sign:
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Courtier-Signature"] = f"sha256={digest}"
    return Client().post(
        "/api/v1/messaging/inbound/" + path,
        body,
        content_type=content_type or "application/octet-stream",
        headers=headers,
    )


def _email(sender: str, subject: str, body: str, **headers: str) -> bytes:
    lines = [f"From: {sender}", "To: support@courtier.example", f"Subject: {subject}"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    lines += ["Content-Type: text/plain; charset=utf-8", "", body]
    return "\r\n".join(lines).encode()


@pytest.fixture
def linked() -> Iterator[list[Reply]]:
    """A stand-in for the cases app: attaches replies that answer a message about a case."""
    seen: list[Reply] = []

    def linker(reply: Reply) -> str | None:
        seen.append(reply)
        for context in reply.answered:
            if "case" in context:
                return str(context["case"])
        return None

    register_case_linker(linker)
    yield seen
    unregister_case_linker(linker)


def test_reply_lands_on_maries_timeline_and_attaches_to_the_case(
    marie: Customer, system: Actor, welcome: list[Template], linked: list[Reply]
):
    sent = queue_message(system, marie, "welcome", {"account": "A", "case": "C-42"}, now=DAYTIME)
    raw = _email(
        "Marie Tremblay <MARIE.Tremblay@example.com>",
        "Re: Bienvenue",
        "Merci !",
        Message_ID="<reply-1@example.com>",
        In_Reply_To=sent.message_id,
    )
    response = _post("email", raw)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "recorded"
    assert body["customer_id"] == str(marie.public_id)
    assert body["case_ref"] == "C-42"
    contact = Interaction.objects.get(customer=marie, direction="inbound")
    assert (contact.channel, contact.summary, contact.body.strip()) == (
        "email",
        "Re: Bienvenue",
        "Merci !",
    )
    assert str(contact.public_id) == body["interaction_id"]
    # A provider retrying the webhook records it once.
    assert _post("email", raw).json()["id"] == body["id"]
    assert Interaction.objects.filter(customer=marie, direction="inbound").count() == 1


def test_unknown_sender_becomes_a_contact_for_review(db: None, linked: list[Reply]):
    response = _post("email", _email("Paul Roy <paul@example.org>", "Hello", "A question"))
    assert response.status_code == 200
    paul = Identifier.objects.get(kind="email", value="paul@example.org").customer
    assert paul.display_name == "Paul Roy"
    assert Fact.objects.get(customer=paul, key="review").source == "inbound"
    assert response.json()["case_ref"] == ""


def test_unsigned_or_badly_signed_webhooks_are_refused(db: None):
    raw = _email("a@example.org", "x", "y")
    unsigned = _post("email", raw, sign=False)
    assert unsigned.status_code == 401
    assert unsigned["Content-Type"] == "application/problem+json"
    assert "X-Courtier-Signature" in unsigned.json()["detail"]
    forged = Client().post(
        "/api/v1/messaging/inbound/sms",
        b'{"from": "+15145550199", "text": "hi"}',
        content_type="application/json",
        HTTP_X_COURTIER_SIGNATURE="sha256=" + "0" * 64,
    )
    assert forged.status_code == 401
    assert not Inbound.objects.exists()


def test_malformed_email_is_rejected_loudly_and_kept(db: None, caplog: Any):
    raw = b"this is not\r\nan email at all"
    response = _post("email", raw)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in {"From", "body"}
    kept = Inbound.objects.get()
    assert (kept.status, kept.raw) == ("rejected", raw.decode())
    assert "rejected" in caplog.text


def test_inbound_sms_recognises_the_number_in_any_format(marie: Customer):
    payload = {"from": "514-555-0199", "to": "+15145550000", "text": "Je serai là", "id": "p-1"}
    response = _post("sms", json.dumps(payload).encode(), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["customer_id"] == str(marie.public_id)
    contact = Interaction.objects.get(customer=marie)
    assert (contact.channel, contact.direction, contact.body) == ("sms", "inbound", "Je serai là")


def test_stop_withdraws_sms_consent_with_history(marie: Customer):
    payload = {"from": "+15145550199", "text": " stop ", "id": "p-2"}
    assert _post("sms", json.dumps(payload).encode()).status_code == 200
    prefs = preferences_of(marie)
    assert not any(prefs.consents_to(cat, "sms") for cat in ("service", "proactive", "offers"))
    assert marie.preference_changes.filter(origin="inbound").count() == 2  # service, proactive


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b'{"text": "hi"}', "from"),
        (b'{"from": "12", "text": "hi"}', "from"),
        (b'{"from": "+15145550199"}', "text"),
    ],
)
def test_malformed_sms_names_the_field_and_is_kept(db: None, body: bytes, field: str):
    response = _post("sms", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert Inbound.objects.get().status == "rejected"


def test_rejected_inbound_awaits_review_in_the_api(db: None, api: Any):
    _post("sms", b"{broken", content_type="application/json")
    _post("sms", json.dumps({"from": "+15145550100", "text": "ok", "id": "z"}).encode())
    rejected = api.get("/messaging/inbound", status="rejected").json()
    assert [(r["status"], r["raw"], r["error"]) for r in rejected] == [
        ("rejected", "{broken", "body: is not a JSON object")
    ]
    assert len(api.get("/messaging/inbound").json()) == 2
    assert api.get("/messaging/inbound", status="lost").status_code == 422
