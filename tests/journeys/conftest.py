"""The journeys world: the starters installed, Bob owns Marie's account, a fixed clock.

Times are fixed moments passed to the services as ``now`` (Monday 2026-03-02, 10:00 in
Toronto), so no test depends on the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User

from courtier.core.actor import Actor
from courtier.journeys.models import Rule
from courtier.journeys.services.rules import set_enabled
from courtier.journeys.starters import install_starters
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
