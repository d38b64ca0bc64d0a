"""Recognition: any format of any identifier leads to the one customer card."""

from __future__ import annotations

import pytest

from courtier.audit.models import AccessLog
from courtier.core.actor import Actor
from courtier.core.errors import Invalid, NotFound
from courtier.customers.card import sections as card_sections
from courtier.customers.models import Customer
from courtier.customers.services.recognition import recognize
from courtier.interactions.services import record_interaction

PHONE_FORMATS = [
    "+1 514-555-0199",
    "(514) 555 0199",
    "514.555.0199",
    "1-514/555-0199",
    "+15145550199",
]


@pytest.mark.parametrize("typed", PHONE_FORMATS)
def test_every_phone_format_finds_the_same_person(marie: Customer, system: Actor, typed: str):
    card = recognize(system, "phone", typed)
    assert card["id"] == str(marie.public_id)
    assert card["display_name"] == "Marie Tremblay"
    assert card["matched"] == {"kind": "phone", "value": "+15145550199"}


@pytest.mark.parametrize("typed", ["marie.tremblay@example.com", "MARIE.TREMBLAY@EXAMPLE.COM"])
def test_email_in_any_letter_case_finds_its_owner(marie: Customer, system: Actor, typed: str):
    assert recognize(system, "email", typed)["id"] == str(marie.public_id)


def test_account_number_and_handle(marie: Customer, system: Actor):
    assert recognize(system, "account", "a-1001")["id"] == str(marie.public_id)
    assert recognize(system, "account", "A-1001", system="billing")["id"] == str(marie.public_id)
    with pytest.raises(NotFound):
        recognize(system, "account", "A-1001", system="crm")


def test_card_says_how_to_greet_and_what_we_know(marie: Customer, system: Actor):
    card = recognize(system, "phone", "514 555 0199")
    assert card["greeting"] == "Bonjour Madame Tremblay"
    assert card["address"] == "Madame Tremblay"
    assert (card["language"], card["register"]) == ("fr", "formal")
    assert {i["kind"] for i in card["identifiers"]} == {"phone", "email", "account"}
    (postal,) = card["profile"]
    assert postal["key"] == "postal_code"
    assert postal["value"] == "H2X 1Y4"
    assert postal["source"] == "billing"
    assert postal["observed_at"] is not None
    assert postal["stale"] is False
    assert card["open_cases"] == []
    assert card["pending_promises"] == []


def test_card_holds_the_last_twenty_interactions_newest_first(marie: Customer, system: Actor):
    for n in range(25):
        record_interaction(
            system, marie, channel="sms", direction="inbound", summary=f"message {n}"
        )
    card = recognize(system, "phone", "5145550199")
    summaries = [i["summary"] for i in card["interactions"]]
    assert len(summaries) == 20
    assert summaries[0] == "message 24"
    assert summaries[-1] == "message 5"


def test_no_match_is_not_found(marie: Customer, system: Actor):
    with pytest.raises(NotFound, match="No customer matches this phone"):
        recognize(system, "phone", "514 555 0100")


def test_malformed_phone_is_refused_naming_the_field(system: Actor, db: None):
    with pytest.raises(Invalid) as info:
        recognize(system, "phone", "not a number")
    assert info.value.errors[0].field == "phone"
    assert "not a phone number" in info.value.errors[0].message


def test_each_recognition_is_logged_with_who_and_why(marie: Customer, system: Actor):
    clerk = Actor.staff(7, "clerk")
    recognize(clerk, "email", "marie.tremblay@example.com", reason="inbound call")
    entry = AccessLog.objects.filter(customer_id=marie.pk, action="recognize").get()
    assert entry.actor_label == "clerk"
    assert entry.user_id == 7
    assert entry.reason == "inbound call"


def test_a_failed_recognition_logs_nothing(marie: Customer, system: Actor):
    before = AccessLog.objects.count()
    with pytest.raises(NotFound):
        recognize(system, "email", "nobody@example.com")
    assert AccessLog.objects.count() == before


def test_card_costs_a_fixed_number_of_queries(
    marie: Customer, system: Actor, django_assert_num_queries
):
    for n in range(40):
        record_interaction(system, marie, channel="email", direction="outbound", summary=f"{n}")
    # lookup, identifiers, facts, one per card section (interactions, open cases, pending
    # promises, agreements, messages), access-log insert: none grows with the history
    assert {"interactions", "open_cases", "pending_promises"} <= set(card_sections())
    with django_assert_num_queries(4 + len(card_sections())):
        recognize(system, "phone", "514-555-0199")
