"""Merging two records keeps exactly once, every tag once, and unmerge restores each record.

A rule acted on both records before staff found they are one person. After the merge it
must not act again for the survivor on what it already did for the merged record: the
agreement its firing names moved to the survivor, and so must the firing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.facts import record_fact
from courtier.identity.services import merge, unmerge
from courtier.journeys.models import CustomerTag, Firing, Rule, WebhookCall
from courtier.journeys.services.actions import change_tag
from courtier.journeys.services.rules import save_rule, set_enabled
from courtier.journeys.services.runner import consume_events, evaluate_dates
from courtier.messaging.models import Message
from tests.journeys.conftest import NOW, renewal_template, renewing

__all__ = ["renewal_template"]

pytestmark = pytest.mark.django_db

OWNED: tuple[type[models.Model], ...] = (Firing, CustomerTag, WebhookCall, Message)


def snapshot(*customers: Customer) -> dict[str, Any]:
    """Every journeys row (and message) of these customers, every column."""
    ids = [c.pk for c in customers]
    return {
        m.__name__: [
            {k: v for k, v in r.items() if k != "updated_at"}
            for r in m._default_manager.filter(customer_id__in=ids).order_by("pk").values()
        ]
        for m in OWNED
    }


def _rule(system: Actor, trigger: str, actions: list[dict[str, Any]]) -> Rule:
    data = {"name": trigger, "trigger": trigger, "days": 30, "actions": actions}
    return set_enabled(system, save_rule(system, data), True, now=NOW)


@pytest.fixture
def renewals(system: Actor, renewal_template: None) -> Rule:
    return _rule(
        system,
        "date.agreement_renewal",
        [
            {"type": "send", "purpose": "renewal_notice"},
            {"type": "add_tag", "tag": "renewal-told"},
            {"type": "webhook", "url": "https://crm.example.com/hook"},
        ],
    )


def test_a_rule_that_acted_for_the_merged_record_does_not_act_again_for_the_survivor(
    system: Actor, renewals: Rule
) -> None:
    survivor, twin = renewing(system, 2)
    assert evaluate_dates(NOW)[renewals.name].fired == 2
    before = snapshot(survivor, twin)

    record = merge(system, survivor, twin)
    # The twin's agreement is the survivor's now; its renewal was already told.
    assert evaluate_dates(NOW)[renewals.name].fired == 0
    assert Message.objects.filter(customer=survivor).count() == 2
    assert Firing.objects.filter(customer=survivor).count() == 2
    assert WebhookCall.objects.filter(customer=survivor).count() == 2
    assert list(CustomerTag.objects.filter(customer=survivor).values_list("tag", flat=True)) == [
        "renewal-told"
    ]

    unmerge(system, record)
    assert snapshot(survivor, twin) == before
    assert evaluate_dates(NOW)[renewals.name].fired == 0


def test_both_records_settled_the_same_occurrence_each_keeps_its_own(system: Actor) -> None:
    survivor, twin = renewing(system, 2)
    for who in (survivor, twin):
        record_fact(system, who, "birth_date", "1980-03-02", source="portal")
    birthdays = _rule(system, "date.birthday", [{"type": "add_tag", "tag": "greeted"}])
    assert evaluate_dates(NOW)[birthdays.name].fired == 2
    before = snapshot(survivor, twin)

    record = merge(system, survivor, twin)
    assert Firing.objects.filter(customer=survivor, rule=birthdays).count() == 1
    assert evaluate_dates(NOW)[birthdays.name].fired == 0  # greeted once this year

    unmerge(system, record)
    assert snapshot(survivor, twin) == before


def test_the_survivor_keeps_every_tag_of_both_records_once(
    system: Actor, marie: Customer, jean: Customer
) -> None:
    for who, tags in ((marie, ["vip", "fibre"]), (jean, ["vip", "renewal-called"])):
        for tag in tags:
            change_tag(system, who, tag, add=True)
    before = snapshot(marie, jean)

    record = merge(system, marie, jean)
    held = CustomerTag.objects.filter(customer=marie).values_list("tag", flat=True)
    assert sorted(held) == ["fibre", "renewal-called", "vip"]

    unmerge(system, record)
    assert snapshot(marie, jean) == before


def test_a_birthday_greeted_on_the_merged_record_is_not_greeted_again(system: Actor) -> None:
    # The key names no row ("birthday:2026"): it is the person's, and moves with the firing.
    survivor, twin = renewing(system, 2)
    record_fact(system, twin, "birth_date", "1980-03-02", source="portal")
    birthdays = _rule(system, "date.birthday", [{"type": "add_tag", "tag": "greeted"}])
    assert evaluate_dates(NOW)[birthdays.name].fired == 1
    before = snapshot(survivor, twin)

    record = merge(system, survivor, twin)  # the birth date moves to the survivor
    assert evaluate_dates(NOW)[birthdays.name].fired == 0

    unmerge(system, record)
    assert snapshot(survivor, twin) == before


def test_an_event_handled_after_a_merge_acts_for_the_survivor(
    system: Actor, marie: Customer, jean: Customer
) -> None:
    # Jean's new segment was recorded (and its event emitted) before staff merged him into
    # Marie; the worker handles the event after the merge. The person is Marie now.
    rule = set_enabled(
        system,
        save_rule(
            system,
            {
                "name": "segment seen",
                "trigger": "fact.changed",
                "condition": {"attr": "event.key", "op": "eq", "value": "segment"},
                "actions": [{"type": "add_tag", "tag": "segment-seen"}],
            },
        ),
        True,
        now=NOW,
    )
    record_fact(system, jean, "segment", "premium", source="import")
    record = merge(system, marie, jean)

    assert consume_events(now=NOW) >= 1
    [firing] = Firing.objects.filter(rule=rule, outcome="fired")
    assert firing.customer_id == marie.pk
    assert list(CustomerTag.objects.values_list("customer_id", "tag")) == [
        (marie.pk, "segment-seen")
    ]
    consume_events(now=NOW)  # the tag's own event; the segment is not handled again
    assert Firing.objects.filter(rule=rule, outcome="fired").count() == 1

    unmerge(system, record)  # what the rule did after the merge stays with Marie
    assert not CustomerTag.objects.filter(customer=jean).exists()
