"""Each starter rule end to end: the trigger, the evaluator or the worker, the message."""

from __future__ import annotations

from datetime import date, timedelta

from courtier.cases.models import Task
from courtier.cases.services.cases import open_case, set_status
from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.records import NewIdentifier, create_customer
from courtier.journeys.models import Firing, Rule
from courtier.journeys.services.runner import consume_events, evaluate_dates
from courtier.messaging.models import Message
from courtier.promises.services.agreements import create_agreement
from courtier.promises.services.promises import keep_promise, make_promise
from tests.journeys.conftest import NOW, only


def _messages(customer: Customer, purpose: str) -> list[Message]:
    return list(Message.objects.filter(customer=customer, purpose=purpose))


def test_renewal_notice_30_days_before_the_effective_renewal(
    starters: dict[str, Rule], system: Actor, marie: Customer, jean: Customer
) -> None:
    rule = starters["renewal-notice"]
    only(rule)
    create_agreement(
        system,
        marie,
        product="Forfait Mobile",
        start_date=date(2025, 4, 1),
        term_months=12,
        price="30.00",
        renewal_date=date(2026, 4, 1),  # 30 days after 2026-03-02
    )
    create_agreement(
        system, jean, product="Internet", start_date=date(2025, 4, 2), term_months=12, price="50"
    )
    reports = evaluate_dates(NOW)
    assert reports[rule.name].fired == 1
    [message] = _messages(marie, "renewal_notice")
    assert "Forfait Mobile" in message.text
    assert "2026-04-01" in message.text
    assert message.language == "fr"
    assert not _messages(jean, "renewal_notice")  # renews on 04-02: not yet
    assert evaluate_dates(NOW)[rule.name].fired == 0  # the next run acts on nobody again
    assert len(_messages(marie, "renewal_notice")) == 1
    # Jean's turn comes the next day.
    assert evaluate_dates(NOW + timedelta(days=1))[rule.name].fired == 1
    assert len(_messages(jean, "renewal_notice")) == 1


def test_promise_kept_tells_the_customer(
    starters: dict[str, Rule], as_bob: Actor, marie: Customer
) -> None:
    only(starters["promise-kept"])
    case = open_case(as_bob, marie, subject="Facture", channel="phone", now=NOW)
    promise = make_promise(
        as_bob, case, kind="callback", text="rappel demain", due_at=NOW + timedelta(days=1), now=NOW
    )
    consume_events(now=NOW)
    assert not _messages(marie, "promise_kept")
    keep_promise(as_bob, promise, now=NOW)
    consume_events(now=NOW)
    [message] = _messages(marie, "promise_kept")
    assert "rappel demain" in message.text
    assert Firing.objects.get(rule=starters["promise-kept"]).outcome == "fired"


def test_satisfaction_survey_one_day_after_resolution(
    starters: dict[str, Rule], as_bob: Actor, marie: Customer
) -> None:
    rule = starters["satisfaction-survey"]
    only(rule)
    case = open_case(as_bob, marie, subject="Facture en double", channel="phone", now=NOW)
    set_status(as_bob, case, "resolved", now=NOW)
    assert evaluate_dates(NOW + timedelta(hours=2))[rule.name].fired == 0  # too soon
    assert evaluate_dates(NOW + timedelta(days=1, hours=1))[rule.name].fired == 1
    [message] = _messages(marie, "satisfaction_survey")
    assert "Facture en double" in message.text
    assert evaluate_dates(NOW + timedelta(days=1, hours=5))[rule.name].fired == 0


def test_waiting_past_sla_tells_the_customer_and_the_owner(
    starters: dict[str, Rule], as_bob: Actor, marie: Customer
) -> None:
    rule = starters["waiting-past-sla"]
    only(rule)
    case = open_case(as_bob, marie, subject="Panne", channel="phone", now=NOW)
    assert case.resolution_due_at is not None
    assert evaluate_dates(NOW)[rule.name].fired == 0
    later = case.resolution_due_at + timedelta(hours=1)
    assert evaluate_dates(later)[rule.name].fired == 1
    [message] = _messages(marie, "case_waiting")
    assert "Panne" in message.text
    task = Task.objects.get(origin="rule")
    assert task.owner.username == "bob"
    assert "Marie" in task.subject
    assert evaluate_dates(later + timedelta(hours=1))[rule.name].fired == 0
    assert Task.objects.filter(origin="rule").count() == 1


def test_welcome_a_new_customer(starters: dict[str, Rule], system: Actor) -> None:
    only(starters["welcome"])
    ada = create_customer(
        system,
        {"given_name": "Ada", "family_name": "Roy", "language": "en"},
        identifiers=[NewIdentifier("email", "ada@example.com")],
    )
    assert not _messages(ada, "welcome")  # nothing happens inside her creation
    assert consume_events(now=NOW) >= 1
    [message] = _messages(ada, "welcome")
    assert message.channel == "email"
    assert "glad" in message.text
    assert consume_events(now=NOW) == 0
