"""Two agents keeping the same promise at the same moment: it is applied once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections

from courtier.cases.services import cases
from courtier.core.actor import Actor
from courtier.core.errors import Conflict
from courtier.customers.models import Customer
from courtier.promises.models import Agreement
from courtier.promises.services import agreements, promises
from courtier.staff.services import actor_for_user
from tests.cases.conftest import MONDAY_10


@pytest.mark.django_db(transaction=True)
def test_a_promise_kept_by_two_agents_at_once_is_applied_once(
    marie: Customer, bob: User, claire: User
):
    if connection.vendor == "sqlite":
        pytest.skip("row locks are what this tests; SQLite's in-memory test database has none")
    as_bob, as_claire = actor_for_user(bob), actor_for_user(claire)
    case = cases.open_case(as_bob, marie, subject="Outage", channel="phone", now=MONDAY_10)
    contract = agreements.create_agreement(
        as_bob, marie, product="Fibre", start_date=date(2026, 1, 1), term_months=12, price="50"
    )
    promise = promises.make_promise(
        as_bob, case, kind="extension", months=6, agreement=contract, now=MONDAY_10
    )
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def keep(actor: Actor) -> None:
        try:
            start.wait()
            promises.keep_promise(actor, promise)
            outcomes.append("kept")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=keep, args=(a,)) for a in (as_bob, as_claire)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "kept"]
    assert Agreement.objects.get(pk=contract.pk).extension_months == 6
