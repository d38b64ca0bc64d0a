"""The import's bulk inserts, as plain ``executemany`` statements.

``bulk_create`` compiles every value of every object through the field machinery: for a
chunk of 1,000 customers with two identifiers each that was two thirds of the import's
time. Values here are already checked and normalised by the services' own functions, so
they go to the database as they are; only UUIDs and datetimes need the backend's form.
Only model table and column names are formatted into the SQL, never a value.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from django.db import connection

from courtier.audit.models import AccessLog
from courtier.core.actor import Actor
from courtier.core.ids import new_id
from courtier.core.sql import db_uid
from courtier.customers.models import Customer, Fact, Identifier

_FIELDS = (
    "display_name",
    "given_name",
    "family_name",
    "preferred_name",
    "salutation",
    "language",
    "register",
    "time_zone",
    "status",
)
DEFAULTS = {f.name: f.get_default() for f in Customer._meta.concrete_fields if f.name in _FIELDS}


def _insert(model: Any, columns: Sequence[str]) -> str:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks})"  # noqa: S608


def insert_customers(rows: list[tuple[uuid.UUID, dict[str, str]]], now: datetime) -> list[int]:
    """Insert customers (public id, fields); return their new primary keys, in order."""
    if not rows:
        return []
    vendor = connection.vendor
    at = connection.ops.adapt_datetimefield_value(now)
    params = [
        (db_uid(public_id, vendor), *(fields.get(n, DEFAULTS[n]) for n in _FIELDS), at, at)
        for public_id, fields in rows
    ]
    keys = [p[0] for p in params]
    with connection.cursor() as cursor:
        cursor.executemany(
            _insert(Customer, ("public_id", *_FIELDS, "created_at", "updated_at")), params
        )
        marks = ", ".join(["%s"] * len(keys))
        cursor.execute(
            f"SELECT public_id, id FROM {Customer._meta.db_table} "  # noqa: S608
            f"WHERE public_id IN ({marks})",
            keys,
        )
        found = {str(public_id): pk for public_id, pk in cursor.fetchall()}
    return [found[str(key)] for key in keys]


def insert_identifiers(rows: list[tuple[int, str, str, str, str, str]], now: datetime) -> None:
    """Insert identifiers: (customer id, kind, system, raw value, value, source)."""
    vendor = connection.vendor
    at = connection.ops.adapt_datetimefield_value(now)
    columns = ("public_id", "customer_id", "kind", "system", "raw_value", "value", "source")
    params = [(cast(Any, db_uid(new_id(), vendor)), *row, at) for row in rows]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(_insert(Identifier, (*columns, "created_at")), params)


def insert_facts(rows: list[tuple[int, str, str, str, str]], now: datetime) -> None:
    """Insert facts observed ``now``: (customer id, key, value, source kind, source)."""
    vendor = connection.vendor
    at = connection.ops.adapt_datetimefield_value(now)
    columns = ("public_id", "customer_id", "key", "value", "source_kind", "source")
    params = [(cast(Any, db_uid(new_id(), vendor)), *row, at, at) for row in rows]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(_insert(Fact, (*columns, "observed_at", "created_at")), params)


def insert_access_log(
    rows: list[tuple[int, str]], actor: Actor, reason: str, now: datetime
) -> None:
    """Append access-log entries: (customer id, action), all by ``actor`` for ``reason``."""
    at = connection.ops.adapt_datetimefield_value(now)
    columns = ("customer_id", "at", "actor_kind", "actor_label", "user_id", "action", "reason")
    who = (actor.kind, actor.label[:150], actor.user_id)
    params = [(customer_id, at, *who, action, reason[:200]) for customer_id, action in rows]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(_insert(AccessLog, columns), params)
