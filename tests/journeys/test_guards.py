"""Bad input and runaway rules: loops contained, mass messages confirmed and rate-limited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from courtier.audit.events import emit
from courtier.core.actor import Actor
from courtier.core.errors import Conflict, Invalid
from courtier.customers.models import Customer
from courtier.journeys.models import CustomerTag, Firing, Rule
from courtier.journeys.services.actions import change_tag
from courtier.journeys.services.rules import save_rule, set_enabled
from courtier.journeys.services.runner import consume_events, evaluate_dates
from courtier.messaging.models import Message
from tests.journeys.conftest import NOW, renewal_template, renewing

__all__ = ["renewal_template"]

pytestmark = pytest.mark.django_db


def _rule(system: Actor, **data: Any) -> Rule:
    return set_enabled(system, save_rule(system, {"name": "r", **data}), True, now=NOW)


def _drain() -> None:
    for _ in range(20):
        if not consume_events(now=NOW):
            return
    raise AssertionError("events keep coming: a loop was not contained")


def test_a_rule_that_triggers_itself_is_refused_on_save(system: Actor) -> None:
    with pytest.raises(Invalid) as caught:
        save_rule(
            system,
            {"name": "echo", "trigger": "tag.added", "actions": [{"type": "add_tag", "tag": "x"}]},
        )
    [error] = caught.value.errors
    assert error.field == "actions[0]"
    assert error.message.startswith("loop:")


def test_two_rules_undoing_each_other_stop_with_the_reason(system: Actor, marie: Customer) -> None:
    adds = _rule(
        system,
        name="re-add vip",
        trigger="tag.removed",
        actions=[{"type": "add_tag", "tag": "vip"}],
    )
    removes = _rule(
        system,
        name="remove vip",
        trigger="tag.added",
        actions=[{"type": "remove_tag", "tag": "vip"}],
    )
    change_tag(system, marie, "vip", add=True)
    _drain()
    outcomes = list(Firing.objects.order_by("id").values_list("rule__name", "outcome", "reason"))
    assert outcomes[:2] == [(removes.name, "fired", ""), (adds.name, "fired", "")]
    rule, outcome, reason = outcomes[2]
    assert (rule, outcome) == (removes.name, "suppressed")
    assert reason.startswith("loop: caused by this rule's own action on event #")
    assert len(outcomes) == 3
    assert CustomerTag.objects.filter(customer=marie, tag="vip").exists()


def test_a_chain_deeper_than_the_limit_is_not_acted_on(system: Actor, marie: Customer) -> None:
    rule = _rule(
        system, name="note", trigger="fact.changed", actions=[{"type": "add_tag", "tag": "seen"}]
    )
    event = emit("fact.changed", marie.pk, {"key": "x"})
    for _ in range(3):
        event = emit("fact.changed", marie.pk, {"key": "x"}, cause=event)
    assert event.depth == 3
    _drain()
    deep = Firing.objects.get(rule=rule, event_id=event.pk)
    assert deep.outcome == "suppressed"
    assert deep.reason == f"loop: this event is 3 rule actions deep (cause #{event.cause_id})"


RENEWAL = {
    "name": "renewals",
    "trigger": "date.agreement_renewal",
    "days": 30,
    "actions": [{"type": "send", "purpose": "renewal_notice"}],
}


def test_messaging_many_customers_at_once_needs_a_confirmation(
    settings: Any, system: Actor, renewal_template: None
) -> None:
    settings.RULES_CONFIRM_ABOVE = 3
    renewing(system, 5)
    rule = save_rule(system, RENEWAL)
    with pytest.raises(Conflict) as caught:
        set_enabled(system, rule, True, now=NOW)
    assert caught.value.errors[0].field == "confirm"
    assert "would act on 5 customers" in caught.value.detail
    rule.refresh_from_db()
    assert not rule.enabled
    with pytest.raises(Conflict):
        set_enabled(system, rule, True, confirm=4, now=NOW)
    rule = set_enabled(system, rule, True, confirm=5, now=NOW)
    assert evaluate_dates(NOW)[rule.name].fired == 5


def test_a_run_larger_than_confirmed_is_held_with_the_reason(
    settings: Any, system: Actor, renewal_template: None
) -> None:
    settings.RULES_CONFIRM_ABOVE = 3
    renewing(system, 3)
    rule = set_enabled(system, save_rule(system, RENEWAL), True, now=NOW)
    renewing(system, 2, start=3)  # the audience grew after it was enabled
    report = evaluate_dates(NOW)[rule.name]
    assert report.fired == 0
    assert report.held.startswith("held: would act on 5 customers at once, over the confirmed 3")
    rule.refresh_from_db()
    assert rule.last_run_note == report.held
    assert not Message.objects.exists()


def test_the_rate_limit_spreads_a_large_audience_over_hours(
    system: Actor, renewal_template: None
) -> None:
    renewing(system, 5)
    rule = set_enabled(system, save_rule(system, {**RENEWAL, "rate_per_hour": 2}), True, now=NOW)
    first = evaluate_dates(NOW)[rule.name]
    assert (first.fired, first.deferred) == (2, 3)
    assert evaluate_dates(NOW + timedelta(minutes=30))[rule.name].fired == 0
    assert evaluate_dates(NOW + timedelta(minutes=61))[rule.name].fired == 2
    assert evaluate_dates(NOW + timedelta(minutes=122))[rule.name].fired == 1
    assert Message.objects.filter(purpose="renewal_notice").count() == 5


def test_an_action_that_cannot_be_done_fails_for_that_customer_only(
    system: Actor, bob: Any, marie: Customer, jean: Customer
) -> None:
    from courtier.cases.models import Task
    from courtier.cases.services.cases import set_account_owner

    set_account_owner(system, marie, "bob")
    rule = _rule(
        system,
        name="call them",
        trigger="promise.broken",
        actions=[{"type": "task", "subject": "Call about the change", "due_days": 1}],
    )
    emit("promise.broken", marie.pk, {"promise": "p1"})
    emit("promise.broken", jean.pk, {"promise": "p2"})
    _drain()
    outcomes = dict(Firing.objects.filter(rule=rule).values_list("customer_id", "outcome"))
    assert outcomes == {marie.pk: "fired", jean.pk: "failed"}
    failed = Firing.objects.get(rule=rule, customer=jean)
    assert failed.reason == "task: the customer has no account owner to give the task to"
    [task] = Task.objects.filter(origin="rule")
    assert task.owner == bob
    assert task.subject == "Call about the change: Marie Tremblay"
