"""The etiquette decision: channel, language, send time, or suppression with its reason."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from courtier.core.actor import Actor
from courtier.core.errors import Invalid
from courtier.customers.card import build_card
from courtier.customers.models import Customer
from courtier.customers.services.recognition import find_customer_row
from courtier.messaging.models import Message, Template
from courtier.messaging.services.outbox import MessageRequest, queue_message, queue_messages
from courtier.messaging.services.preferences import change_preferences
from courtier.messaging.services.templates import save_template

NOON = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 12:00 in Toronto
LATE = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 23:00 in Toronto, 05:00 in Paris
CTX = {"account": "A-1001"}


def test_marie_gets_email_in_french_now(marie: Customer, system: Actor, welcome: list[Template]):
    m = queue_message(system, marie, "welcome", CTX, now=NOON)
    assert (m.state, m.channel, m.language, m.to_address) == (
        "queued",
        "email",
        "fr",
        "marie.tremblay@example.com",
    )
    assert m.send_after == NOON
    assert m.subject == "Bienvenue, Madame Tremblay"
    assert m.decision == "email in fr"


def test_quiet_hours_defer_to_the_morning_in_the_customers_zone(
    marie: Customer, system: Actor, welcome: list[Template]
):
    m = queue_message(system, marie, "welcome", CTX, now=LATE)
    assert m.send_after == datetime(2026, 11, 24, 8, 0, tzinfo=ZoneInfo("America/Toronto"))
    assert "deferred past quiet hours" in m.decision
    marie.time_zone = "Europe/Paris"
    marie.save()
    m2 = queue_message(system, marie, "welcome", CTX, key="again", now=LATE)
    assert m2.send_after == datetime(2026, 11, 24, 8, 0, tzinfo=ZoneInfo("Europe/Paris"))


def test_portal_messages_are_not_deferred_and_fall_back_to_english_flagged(
    marie: Customer, system: Actor, welcome: list[Template]
):
    m = queue_message(system, marie, "welcome", CTX, channel="portal", now=LATE)
    assert (m.channel, m.language, m.language_fallback, m.send_after) == (
        "portal",
        "en",
        True,
        LATE,
    )
    assert "no fr template" in m.decision


def test_preferred_channel_comes_first(marie: Customer, system: Actor, welcome: list[Template]):
    change_preferences(system, marie, {"preferred_channel": "sms"}, origin="staff")
    m = queue_message(system, marie, "welcome", CTX, now=NOON)
    assert (m.channel, m.to_address, m.language_fallback) == ("sms", "+15145550199", True)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"do_not_contact": True}, "do_not_contact"),
        (
            {"consents": {"service": {"email": False, "sms": False, "portal": False}}},
            "no_consent",
        ),
    ],
)
def test_refusals_by_preference(
    marie: Customer, system: Actor, welcome: list[Template], changes: dict[str, object], reason: str
):
    change_preferences(system, marie, changes, origin="staff")
    m = queue_message(system, marie, "welcome", CTX, now=NOON)
    assert (m.state, m.suppressed_reason, m.text) == ("suppressed", reason, "")


def test_the_same_message_is_never_queued_twice(
    marie: Customer, system: Actor, welcome: list[Template]
):
    first = queue_message(system, marie, "welcome", CTX, now=NOON)
    second = queue_message(system, marie, "welcome", CTX, now=NOON)
    keyed = queue_messages(system, [MessageRequest(marie, "welcome", CTX, key="k1")] * 2, now=NOON)
    assert first.state == "queued"
    assert (second.state, second.suppressed_reason) == ("suppressed", "duplicate")
    assert [m.suppressed_reason for m in keyed] == ["", "duplicate"]


def test_no_reachable_identifier(jean: Customer, system: Actor, welcome: list[Template]):
    m = queue_message(system, jean, "welcome", CTX, channel="email", now=NOON)
    assert (m.state, m.suppressed_reason) == ("suppressed", "no_reachable_identifier")


def test_offers_need_consent_and_respect_the_weekly_cap(marie: Customer, system: Actor):
    save_template(
        system,
        {
            "purpose": "spring_sale",
            "category": "offers",
            "channel": "email",
            "language": "fr",
            "subject": "Soldes",
            "text": "-20 % {{ week }}",
        },
    )
    assert queue_message(system, marie, "spring_sale", {"week": 1}, now=NOON).suppressed_reason == (
        "no_consent"
    )
    change_preferences(system, marie, {"consents": {"offers": {"email": True}}}, origin="portal")
    assert queue_message(system, marie, "spring_sale", {"week": 1}, now=NOON).state == "queued"
    capped = queue_message(system, marie, "spring_sale", {"week": 2}, now=NOON)
    assert capped.suppressed_reason == "cap_reached"
    assert "offers cap of 1 in 7 days" in capped.decision
    later = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert queue_message(system, marie, "spring_sale", {"week": 3}, now=later).state == "queued"


def test_a_template_that_does_not_render_suppresses_not_breaks(
    marie: Customer, system: Actor, welcome: list[Template]
):
    m = queue_message(system, marie, "welcome", {}, now=NOON)
    assert (m.state, m.suppressed_reason) == ("suppressed", "render_error")
    assert "account" in m.decision
    assert "line 1" in m.decision


def test_bad_requests_are_refused_by_field(marie: Customer, system: Actor, welcome: list[Template]):
    with pytest.raises(Invalid) as refused:
        queue_message(system, marie, "nonsense", {"when": object()}, channel="fax", key="k" * 201)
    assert {e.field for e in refused.value.errors} == {"purpose", "context", "channel", "key"}
    with pytest.raises(Invalid, match=r"messages\[1\]\.purpose"):
        queue_messages(
            system, [MessageRequest(marie, "welcome", CTX), MessageRequest(marie, "nope")]
        )
    assert not Message.objects.exists()


def test_the_message_exists_only_if_the_callers_change_commits(
    marie: Customer, system: Actor, welcome: list[Template]
):
    def hand_off_that_fails() -> None:
        with transaction.atomic():
            queue_message(system, marie, "welcome", CTX)
            raise RuntimeError("the hand-off failed")

    with pytest.raises(RuntimeError):
        hand_off_that_fails()
    assert not Message.objects.exists()


def test_every_decision_is_on_the_customers_card(
    marie: Customer, system: Actor, welcome: list[Template]
):
    queue_message(system, marie, "welcome", CTX, now=NOON)
    change_preferences(system, marie, {"do_not_contact": True}, origin="staff")
    queue_message(system, marie, "welcome", CTX, key="second", now=NOON)
    card = build_card(find_customer_row("phone", "+15145550199"))
    states = [(m["state"], m["suppressed_reason"]) for m in card["messages"]]
    assert sorted(states) == [("queued", ""), ("suppressed", "do_not_contact")]
