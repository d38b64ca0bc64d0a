"""The journeys world: the starters installed, Bob owns Marie's account, a fixed clock.

Times are fixed moments passed to the services as ``now`` (Monday 2026-03-02, 10:00 in
Toronto), so no test depends on the wall clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.records import NewIdentifier, create_customer
from courtier.journeys.models import Rule
from courtier.journeys.services.rules import set_enabled
from courtier.journeys.starters import install_starters
from courtier.messaging.services.templates import save_template
from courtier.promises.services.agreements import create_agreement
from courtier.staff.services import actor_for_user
from tests.cases.conftest import quick_passwords

__all__ = ["quick_passwords"]

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def as_bob(bob: User) -> Actor:
    return actor_for_user(bob)


@pytest.fixture
def starters(db: None, system: Actor) -> dict[str, Rule]:
    """Every starter rule installed and enabled, by slug."""
    install_starters(system)
    out = {}
    for rule in Rule.objects.exclude(starter=None):
        out[str(rule.starter)] = set_enabled(system, rule, True, now=NOW)
    return out


def only(rule: Rule, **kw: Any) -> None:
    """Disable every rule but ``rule`` (tests of one starter ignore the others)."""
    Rule.objects.exclude(pk=rule.pk).update(enabled=False, **kw)


@pytest.fixture
def renewal_template(db: None, system: Actor) -> None:
    """English renewal words on email, naming the agreement the trigger found."""
    save_template(
        system,
        {
            "purpose": "renewal_notice",
            "category": "proactive",
            "channel": "email",
            "language": "en",
            "subject": "Renewal",
            "text": "{{ agreement.product }} renews on {{ agreement.date }}.",
        },
    )


def renewing(system: Actor, n: int, start: int = 0) -> list[Customer]:
    """``n`` English customers with an email whose agreement renews 30 days after NOW."""
    people = []
    for i in range(start, start + n):
        c = create_customer(
            system,
            {"display_name": f"C{i}", "language": "en"},
            identifiers=[NewIdentifier("email", f"c{i}@example.com")],
        )
        create_agreement(
            system, c, product="Plan", start_date=date(2025, 4, 1), term_months=12, price="10"
        )
        people.append(c)
    return people
