"""Each recognition's access-log entry is committed before the card is handed back."""

from __future__ import annotations

import pytest
from django.db import connection

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.recognition import recognize


@pytest.mark.django_db(transaction=True)
def test_the_entry_is_visible_to_another_connection_once_recognize_returns(marie: Customer):
    recognize(Actor.staff(3, "desk"), "phone", "514-555-0199", reason="inbound call")
    # A second, independent connection: it sees only what was committed.
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT actor_label, reason FROM audit_accesslog "
                "WHERE customer_id = %s AND action = 'recognize'",
                [marie.pk],
            )
            assert cursor.fetchall() == [("desk", "inbound call")]
    finally:
        other.close()
