"""A few more people for identity tests: Marie's duplicate, and the Gagnon household."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.facts import NewFact
from courtier.customers.services.records import NewIdentifier, create_customer
from courtier.identity.services.index import index_customers
from tests.cases.conftest import claire
from tests.messaging.conftest import welcome

__all__ = ["claire", "welcome"]  # Claire, a second agent; the welcome templates


def person(system: Actor, given: str, family: str, phones=(), emails=(), **facts: str) -> Customer:
    return create_customer(
        system,
        {"given_name": given, "family_name": family},
        identifiers=[NewIdentifier("phone", p) for p in phones]
        + [NewIdentifier("email", e) for e in emails],
        facts=[NewFact(k, v, source="billing", source_kind="import") for k, v in facts.items()],
    )


@pytest.fixture
def indexed_marie(marie: Customer, system: Actor) -> Customer:
    from courtier.customers.services.facts import record_fact

    record_fact(system, marie, "birth_date", "1980-03-04", source="billing")
    record_fact(system, marie, "postal_address", "12 rue Saint-Denis", source="billing")
    index_customers([marie.pk])
    return marie


@pytest.fixture
def gagnons(db: None, system: Actor) -> tuple[Customer, Customer]:
    home = {"postal_code": "H2X 1Y4", "postal_address": "40 rue Principale"}
    mother = person(system, "Sylvie", "Gagnon", ["514 555 0101"], birth_date="1970-05-06", **home)
    son = person(system, "Mathieu", "Gagnon", [], birth_date="2001-09-10", **home)
    index_customers([mother.pk, son.pk])
    return mother, son


@pytest.fixture(autouse=True)
def _static_root(settings: Any) -> None:
    # WhiteNoise warns (an error under -W error) when STATIC_ROOT does not exist yet.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
