"""Leasing rows to one worker: the claim-by-conditional-UPDATE both journeys queues use.

One statement sets a lease on the due rows and returns their ids, committed before the
work starts, so any number of workers share a table and one that dies leaves its rows to
be claimed again when the lease runs out. On PostgreSQL the inner SELECT skips rows
another worker is claiming at that instant (``FOR UPDATE SKIP LOCKED``); SQLite has one
writer at a time, so the UPDATE is already exclusive there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction


def claim(
    table: str, set_sql: str, due_sql: str, params: Sequence[Any], lease: float, now: datetime
) -> list[int]:
    """Lease the rows ``due_sql`` selects (its ``%s`` filled by ``params``) and return ids.

    ``set_sql`` is what the claim changes besides the lease (``claimed_until``, the first
    placeholder). Both are the caller's constants: only ``%s`` placeholders carry values.
    """
    adapt = connection.ops.adapt_datetimefield_value
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {table} SET claimed_until = %s{set_sql} "  # noqa: S608 - the caller's constants
        f"WHERE id IN (SELECT id FROM {table} WHERE {due_sql}{lock}) RETURNING id"
    )
    values = [adapt(now + timedelta(seconds=lease)), *params]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, values)
        return [row[0] for row in cursor.fetchall()]
