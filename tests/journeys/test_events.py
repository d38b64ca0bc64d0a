"""Domain events are written once with their change and rolled back with it."""

from __future__ import annotations

import pytest
from django.db import transaction

from courtier.audit.models import Event
from courtier.core.actor import Actor
from courtier.customers.services.records import create_customer


def test_customer_created_emits_once(db: None, system: Actor) -> None:
    customer = create_customer(system, {"given_name": "Ada", "family_name": "Roy"})
    events = list(Event.objects.filter(customer_id=customer.pk).values_list("kind", flat=True))
    assert events == ["customer.created"]


def test_event_rolls_back_with_its_change(db: None, system: Actor) -> None:
    def change_then_fail() -> None:
        with transaction.atomic():
            create_customer(system, {"given_name": "Ada", "family_name": "Roy"})
            raise RuntimeError("the caller's change fails after the event")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert not Event.objects.exists()
