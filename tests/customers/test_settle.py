"""Settling a conflict: the staff member's choice becomes a verified fact; the rest retire."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from courtier.audit.models import AccessLog
from courtier.core.actor import Actor
from courtier.core.errors import Conflict, Invalid, NotFound
from courtier.customers.models import Customer, Fact
from courtier.customers.services.facts import profile_of, record_fact, settle_conflict


@pytest.fixture
def clerk(bob: User) -> Actor:
    return Actor.staff(bob.pk, "clerk")


def test_settling_keeps_the_choice_verified_and_retracts_the_others(
    marie: Customer, jean: Customer, system: Actor, clerk: Actor
):
    chosen = record_fact(system, marie, "city", "Montréal", source="crm")
    other = record_fact(system, marie, "city", "Laval", source="billing")
    agreeing = record_fact(system, marie, "city", "Montréal", source="portal")
    (entry,) = [e for e in profile_of(marie) if e["key"] == "city"]
    assert entry["conflict"] is True

    settled = settle_conflict(clerk, marie, "city", chosen)

    assert (settled.value, settled.source_kind, settled.source) == ("Montréal", "staff", "clerk")
    assert settled.verified_at is not None
    other.refresh_from_db()
    agreeing.refresh_from_db()
    assert other.retracted_at is not None
    assert agreeing.retracted_at is None
    (entry,) = [e for e in profile_of(marie) if e["key"] == "city"]
    assert (entry["value"], entry["conflict"], entry["source"]) == ("Montréal", False, "clerk")
    assert AccessLog.objects.filter(customer_id=marie.pk, reason="settled city").count() == 1


def test_settling_with_another_customers_fact_is_not_found(
    marie: Customer, jean: Customer, system: Actor, clerk: Actor
):
    foreign = record_fact(system, jean, "city", "Québec", source="crm")
    with pytest.raises(NotFound):
        settle_conflict(clerk, marie, "city", foreign)
    assert Fact.objects.filter(customer=marie, key="city").count() == 0


def test_settling_with_a_fact_about_another_key_is_refused(
    marie: Customer, system: Actor, clerk: Actor
):
    city = record_fact(system, marie, "city", "Laval", source="crm")
    with pytest.raises(Invalid) as info:
        settle_conflict(clerk, marie, "postal_code", city)
    assert info.value.errors[0].field == "key"


def test_a_retracted_choice_is_a_conflict_and_changes_nothing(
    marie: Customer, system: Actor, clerk: Actor
):
    first = record_fact(system, marie, "city", "Laval", source="crm")
    second = record_fact(system, marie, "city", "Montréal", source="billing")
    settle_conflict(clerk, marie, "city", second)
    before = list(Fact.objects.filter(customer=marie).values_list("id", "retracted_at"))
    first.refresh_from_db()
    with pytest.raises(Conflict):
        settle_conflict(clerk, marie, "city", first)
    assert list(Fact.objects.filter(customer=marie).values_list("id", "retracted_at")) == before
