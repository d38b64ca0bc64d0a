"""Preferences and consent: defaults, changes with their history, refusals naming the field."""

from __future__ import annotations

from datetime import time

import pytest

from courtier.core.actor import Actor
from courtier.core.errors import Invalid
from courtier.customers.models import Customer
from courtier.messaging.models import PreferenceChange
from courtier.messaging.services.preferences import (
    change_preferences,
    preference_history,
    preferences_of,
)


def test_defaults_before_any_choice(marie: Customer):
    prefs = preferences_of(marie)
    assert (prefs.quiet_start, prefs.quiet_end) == (time(21, 0), time(8, 0))
    assert prefs.consents_to("service", "email") is True
    assert prefs.consents_to("offers", "sms") is False
    assert prefs.caps["offers"] == (1, 7)
    assert prefs.zone().key == "America/Toronto"  # settings.TIME_ZONE when unknown
    assert prefs.do_not_contact is False


def test_customer_time_zone_wins_over_the_company_default(marie: Customer):
    marie.time_zone = "Europe/Paris"
    marie.save()
    assert preferences_of(marie).zone().key == "Europe/Paris"


def test_every_change_is_kept_with_who_when_and_from_where(marie: Customer):
    portal = Actor(kind="customer", label="marie")
    change_preferences(
        portal,
        marie,
        {
            "preferred_channel": "sms",
            "quiet_start": "22:30",
            "consents": {"offers": {"email": True}, "proactive": {"sms": False}},
            "caps": {"offers": [2, 30]},
        },
        origin="portal",
    )
    prefs = preferences_of(marie)
    assert prefs.preferred_channel == "sms"
    assert prefs.quiet_start == time(22, 30)
    assert prefs.consents_to("offers", "email") is True
    assert prefs.consents_to("proactive", "sms") is False
    assert prefs.caps["offers"] == (2, 30)
    rows = {c.field: c for c in preference_history(marie)}
    assert set(rows) == {
        "preferred_channel",
        "quiet_start",
        "consent.offers.email",
        "consent.proactive.sms",
        "caps.offers",
    }
    assert rows["quiet_start"].old_value == "21:00"
    assert rows["quiet_start"].new_value == "22:30"
    assert rows["consent.offers.email"].new_value == "yes"
    assert all(r.origin == "portal" and r.actor_label == "marie" for r in rows.values())
    assert all(r.at is not None for r in rows.values())


def test_setting_the_same_value_again_adds_no_history(marie: Customer, system: Actor):
    change_preferences(system, marie, {"do_not_contact": True}, origin="import")
    change_preferences(system, marie, {"do_not_contact": True}, origin="import")
    assert PreferenceChange.objects.filter(customer=marie).count() == 1


def test_bad_values_are_refused_by_name_and_nothing_is_written(marie: Customer, system: Actor):
    with pytest.raises(Invalid) as refused:
        change_preferences(
            system,
            marie,
            {
                "preferred_channel": "pigeon",
                "quiet_end": "25:99",
                "consents": {"offers": {"fax": True}},
                "caps": {"offers": [0, 7]},
                "colour": "blue",
            },
            origin="staff",
        )
    fields = {e.field for e in refused.value.errors}
    assert fields == {
        "preferred_channel",
        "quiet_end",
        "consents.offers.fax",
        "caps.offers",
        "colour",
    }
    assert not PreferenceChange.objects.filter(customer=marie).exists()
    with pytest.raises(Invalid, match="origin"):
        change_preferences(system, marie, {"do_not_contact": True}, origin="rumour")


def test_null_cap_restores_the_default(marie: Customer, system: Actor):
    change_preferences(system, marie, {"caps": {"offers": [5, 7]}}, origin="staff")
    change_preferences(system, marie, {"caps": {"offers": None}}, origin="staff")
    assert preferences_of(marie).caps["offers"] == (1, 7)
