"""Each recognition's access-log entry is committed before the card is handed back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from courtier.audit.models import AccessLog
from courtier.audit.services import log_access
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


def _show_sync() -> object:
    with connection.cursor() as cursor:
        pg = connection.vendor == "postgresql"
        cursor.execute("SHOW synchronous_commit" if pg else "SELECT 'on'")
        return cursor.fetchone()


def _refused(customer: Customer) -> None:
    with transaction.atomic():
        log_access(customer.pk, Actor.staff(3, "desk"), "view", "refused")
        raise RuntimeError


@pytest.mark.django_db(transaction=True)
def test_an_entry_on_its_own_changes_no_other_commit(marie: Customer):
    """On PostgreSQL the lone entry skips the WAL flush; the session keeps its setting."""
    before = _show_sync()
    sent: list[str] = []

    def spy(run: Any, sql: str, *args: Any) -> Any:
        sent.append(sql)
        return run(sql, *args)

    with connection.execute_wrapper(spy):
        log_access(marie.pk, Actor.staff(3, "desk"), "view", "screen pop")
    unflushed = sent[0].startswith("SET LOCAL synchronous_commit TO OFF; INSERT")
    assert unflushed == (connection.vendor == "postgresql")
    assert _show_sync() == before
    # Inside a transaction the entry shares its fate: rolled back with it.
    with pytest.raises(RuntimeError):
        _refused(marie)
    reasons = AccessLog.objects.filter(customer_id=marie.pk).values_list("reason", flat=True)
    assert list(reasons.order_by("id"))[-1:] == ["screen pop"]
