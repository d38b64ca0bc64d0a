"""Exactly once per (rule, customer, occurrence): re-runs, a crash mid-run, a racing insert."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.journeys.models import Firing, Rule
from courtier.journeys.services import actions, engine
from courtier.journeys.services.rules import save_rule, set_enabled
from courtier.journeys.services.runner import evaluate_dates
from courtier.journeys.triggers import date_candidates
from courtier.messaging.models import Message
from tests.journeys.conftest import NOW, renewal_template, renewing

__all__ = ["renewal_template"]

pytestmark = pytest.mark.django_db


class Crash(BaseException):
    """The process dying: not an error the evaluator catches."""


@pytest.fixture
def rule(system: Actor, renewal_template: None) -> Rule:
    renewing(system, 7)
    data = {
        "name": "renewals",
        "trigger": "date.agreement_renewal",
        "days": 30,
        "actions": [{"type": "send", "purpose": "renewal_notice"}, {"type": "add_tag", "tag": "r"}],
    }
    return set_enabled(system, save_rule(system, data), True, now=NOW)


def _sent_per_customer() -> Counter[int]:
    return Counter(Message.objects.values_list("customer_id", flat=True))


def test_re_runs_act_once(rule: Rule) -> None:
    for _ in range(3):
        evaluate_dates(NOW)
    assert _sent_per_customer() == Counter(
        dict.fromkeys(Customer.objects.values_list("pk", flat=True), 1)
    )
    assert Firing.objects.filter(rule=rule, outcome="fired").count() == 7


def test_a_crash_mid_run_resumes_without_doubles(
    rule: Rule, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 3: the first commits, the second dies after its actions ran but before
    # its firings were written, as a killed process would.
    monkeypatch.setattr(engine, "BATCH", 3)
    real = actions.perform
    calls = []

    def dies_on_the_second_batch(
        rule: Rule, items: Sequence[tuple[Customer, str, Mapping[str, Any]]], *a: Any
    ) -> dict[tuple[int, str], str]:
        calls.append(len(items))
        out = real(rule, items, *a)
        if len(calls) == 2:
            raise Crash
        return out

    monkeypatch.setattr(engine, "perform", dies_on_the_second_batch)
    with pytest.raises(Crash):
        evaluate_dates(NOW)
    assert Firing.objects.filter(rule=rule).count() == 3
    assert sum(_sent_per_customer().values()) == 3  # the dead batch's messages rolled back
    monkeypatch.setattr(engine, "perform", real)
    report = evaluate_dates(NOW)[rule.name]
    assert report.fired == 4
    assert set(_sent_per_customer().values()) == {1}
    assert sum(_sent_per_customer().values()) == 7


def test_an_evaluator_racing_another_skips_what_the_other_settled(rule: Rule) -> None:
    # Another evaluator settled one occurrence after this one looked but before it wrote.
    candidates = list(date_candidates(rule.trigger, rule.days, NOW))
    decisions = engine.decide(rule, candidates)[0]
    first = decisions[0]
    engine.commit(rule, [first], NOW)
    report = engine.commit(rule, decisions, NOW)
    assert report.fired == 6
    assert set(_sent_per_customer().values()) == {1}
    assert Firing.objects.filter(rule=rule).count() == 7
