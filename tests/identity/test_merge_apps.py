"""Merge moves every row other apps keep about a customer; unmerge puts back exactly that.

Cases, promises and agreements, messages, inbound mail, preference history and account
owners all register with identity's re-pointer registry from their own app config; these
tests go through each app's services and compare every column of every row before and
after merge + unmerge.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import models

from courtier.cases.models import AccountOwner, Case
from courtier.cases.services.cases import open_case, set_account_owner
from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.identity.services import merge, moved_counts, unmerge
from courtier.interactions.models import Interaction
from courtier.messaging.models import Consent, Message, Preference, PreferenceChange, Template
from courtier.messaging.services.outbox import queue_message
from courtier.messaging.services.preferences import change_preferences, preferences_of
from courtier.promises.models import Agreement, Promise
from courtier.promises.services.agreements import create_agreement
from courtier.promises.services.promises import make_promise
from courtier.staff.services import actor_for_user

from .conftest import person

OWNED: tuple[type[models.Model], ...] = (
    Case,
    Promise,
    Agreement,
    Message,
    Consent,
    Preference,
    PreferenceChange,
    AccountOwner,
    Interaction,
)


def snapshot(*customers: Customer) -> dict[str, Any]:
    """Every row of the other apps that belongs to these customers, every column."""
    ids = [c.pk for c in customers]
    state: dict[str, Any] = {}
    for model in OWNED:
        rows = model._default_manager.filter(customer_id__in=ids).order_by("pk").values()
        # updated_at is Django's auto_now: it says a row was touched, not what it holds.
        state[model.__name__] = [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]
    return state


@pytest.fixture
def twin(db: None, system: Actor) -> Customer:
    return person(system, "Marie", "Tremblay", ["438 555 0177"], ["mtremblay@acme.ca"])


@pytest.fixture
def with_history(
    marie: Customer, twin: Customer, bob: User, system: Actor, welcome: list[Template]
) -> Actor:
    """The twin has a case with a promise on an agreement, a message and preferences."""
    staff = actor_for_user(bob)
    case = open_case(staff, twin, subject="Contract renewal", channel="phone")
    agreement = create_agreement(
        staff, twin, product="Fibre 1G", start_date=date(2025, 1, 1), term_months=12, price="60"
    )
    make_promise(staff, case, kind="extension", months=6, agreement=agreement)
    queue_message(system, twin, "welcome", {"account": "A-1"}, key="welcome:twin")
    set_account_owner(staff, twin, "bob")
    change_preferences(
        system,
        twin,
        {"quiet_start": "20:00", "consents": {"offers": {"email": True, "sms": False}}},
        origin="portal",
    )
    open_case(staff, marie, subject="Billing", channel="email")
    return staff


def test_merge_moves_cases_promises_agreements_and_messages_and_unmerge_restores_them(
    marie: Customer, twin: Customer, system: Actor, with_history: Actor
):
    before = snapshot(marie, twin)
    record = merge(system, marie, twin)

    assert Case.objects.filter(customer=marie).count() == 2
    assert Promise.objects.get().customer_id == marie.pk
    assert Agreement.objects.get().customer_id == marie.pk
    assert Message.objects.get().customer_id == marie.pk
    assert AccountOwner.objects.get().customer_id == marie.pk
    assert PreferenceChange.objects.filter(customer=marie).count() == 2
    assert Preference.objects.get().customer_id == marie.pk
    assert preferences_of(marie).consents_to("offers", "email")
    for model in OWNED:
        assert not model._default_manager.filter(customer=twin).exists(), model.__name__
    # The merge page counts rows, whether or not the survivor may hold them only once.
    counts = dict(moved_counts(record.moved))
    assert (counts["cases"], counts["consents"], counts["preferences"]) == (1, 2, 1)

    unmerge(system, record)
    assert snapshot(marie, twin) == before


def test_a_merge_never_widens_consent_and_unmerge_restores_the_survivors_own(
    marie: Customer, twin: Customer, system: Actor
):
    change_preferences(
        system, marie, {"consents": {"offers": {"email": True, "sms": True}}}, origin="portal"
    )
    change_preferences(
        system,
        twin,
        {"do_not_contact": True, "consents": {"offers": {"email": False, "sms": True}}},
        origin="staff",
    )
    before = snapshot(marie, twin)
    record = merge(system, marie, twin)

    survivor = preferences_of(marie)
    assert not survivor.consents_to("offers", "email")  # the twin's refusal holds
    assert survivor.consents_to("offers", "sms")
    assert survivor.do_not_contact
    assert Consent.objects.filter(customer=marie).count() == 2

    unmerge(system, record)
    assert snapshot(marie, twin) == before
    assert preferences_of(marie).consents_to("offers", "email")
    assert not preferences_of(marie).do_not_contact


def test_a_consent_the_customer_changed_after_the_merge_survives_the_unmerge(
    marie: Customer, twin: Customer, system: Actor
):
    change_preferences(system, marie, {"consents": {"offers": {"email": True}}}, origin="portal")
    change_preferences(system, twin, {"consents": {"offers": {"email": False}}}, origin="portal")
    record = merge(system, marie, twin)
    change_preferences(system, marie, {"consents": {"offers": {"email": True}}}, origin="portal")
    unmerge(system, record)
    assert preferences_of(marie).consents_to("offers", "email")
    assert not preferences_of(twin).consents_to("offers", "email")


def test_the_survivor_keeps_its_own_account_owner(
    marie: Customer, twin: Customer, system: Actor, bob: User, claire: User
):
    staff = actor_for_user(bob)
    set_account_owner(staff, marie, "claire")
    set_account_owner(staff, twin, "bob")
    before = snapshot(marie, twin)
    record = merge(system, marie, twin)
    assert AccountOwner.objects.get(customer=marie).user_id == claire.pk
    unmerge(system, record)
    assert snapshot(marie, twin) == before
