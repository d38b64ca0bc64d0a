"""Hot queries run on the driver's connection but keep Django's transaction rules."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from courtier.core.sql import HotQuery, prefetched
from courtier.customers.models import Customer

NAME = HotQuery("SELECT display_name, DT(created_at) FROM customers_customer WHERE id = %s")


def test_rows_come_back_with_datetimes_as_iso_text_or_datetimes(marie: Customer):
    ((name, created),) = NAME.fetchall((marie.pk,))
    assert name == "Marie Tremblay"
    # SQLite hands back the stored text, PostgreSQL an aware datetime: core.sql.iso reads both.
    assert str(created)[:10] == marie.created_at.isoformat()[:10]


def test_a_transaction_marked_for_rollback_refuses_them(marie: Customer):
    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError):
            NAME.fetchall((marie.pk,))


def test_writes_inside_a_transaction_are_undone_with_it(marie: Customer):
    insert = HotQuery(
        "INSERT INTO audit_accesslog (customer_id, at, actor_kind, actor_label, user_id, "
        "action, reason) VALUES (%s, %s, 'system', 'tests', NULL, 'view', 'rolled back')"
    )
    with transaction.atomic():
        insert.execute((marie.pk, "2026-01-01 00:00:00"))
        transaction.set_rollback(True)
    count = HotQuery("SELECT count(*) FROM audit_accesslog WHERE reason = 'rolled back'")
    assert count.fetchall(()) == [(0,)]


def test_prefetched_rows_are_served_from_the_one_round_trip(marie: Customer, jean: Customer):
    other = HotQuery("SELECT family_name FROM customers_customer WHERE id = %s")
    with prefetched([(NAME, (marie.pk,)), (other, (jean.pk,))]):
        Customer.objects.filter(pk=marie.pk).update(display_name="Marie Gagnon")
        renamed = NAME.fetchall((marie.pk,))
        assert other.fetchall((jean.pk,)) == [("Dupont",)]
        # Other parameters, or the same query asked twice, go to the database.
        assert NAME.fetchall((jean.pk,))[0][0] == "Jean Dupont"
        assert NAME.fetchall((marie.pk,))[0][0] == "Marie Gagnon"
    # On PostgreSQL the rows were read before the rename, all in one pipeline; elsewhere
    # prefetched() does nothing and each query runs when it is fetched.
    expected = "Marie Tremblay" if connection.vendor == "postgresql" else "Marie Gagnon"
    assert renamed[0][0] == expected
