"""Writing many rows of derived data (the matching index, batch proposals) fast and lean.

``bulk_create`` builds a model instance per row and prepares every field through the query
compiler; at a million customers the index alone is nine million rows, and the ORM path
took three quarters of ``courtier dedupe``'s time. Here rows are plain tuples, each field
prepared by the field itself (so JSON, UUIDs and datetimes are stored exactly as the ORM
stores them, on SQLite and PostgreSQL), and sent with one ``executemany`` per chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

CHUNK = 5000
_PLAIN = (models.CharField, models.IntegerField, models.FloatField, models.ForeignKey)


def _adapter(field: models.Field[Any, Any], db: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    if isinstance(field, _PLAIN):
        return None
    last: list[Any] = [object(), None]

    def adapt(value: Any) -> Any:
        # A column often holds one object for the whole write (the run's timestamp):
        # prepared once, not a million times.
        if value is not last[0]:
            last[0], last[1] = value, field.get_db_prep_save(value, db)
        return last[1]

    return adapt


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """Insert ``rows`` (values in the order of ``fields``, attribute names); return how many
    were sent. With ``ignore_conflicts`` a row that would break a unique constraint is
    skipped, as ``bulk_create(ignore_conflicts=True)`` does. Runs in the caller's
    transaction; fields left out take their database default, so pass every column that
    has no default in the database (Django defaults such as ``auto_now`` are not applied).
    """
    meta = model._meta
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        found = meta.get_field(name)
        if not isinstance(found, models.Field) or not found.column:
            raise ValueError(f"{meta.label}.{name} is not a concrete column")
        columns.append(found)
    # The connection itself, not the thread-local proxy: a lookup per value adds up.
    db = connections[DEFAULT_DB_ALIAS]
    adapters = [_adapter(f, db) for f in columns]
    quote = db.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 - names from the model, values bound
        f"({', '.join(quote(f.column) for f in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"  # SQLite 3.24+ and PostgreSQL
    adapted = [(n, adapt) for n, adapt in enumerate(adapters) if adapt is not None]
    sent = 0
    it = iter(rows)
    with db.cursor() as cursor:
        while chunk := list(islice(it, CHUNK)):
            if adapted:
                prepared = []
                for row in chunk:
                    values = list(row)
                    for n, adapt in adapted:
                        values[n] = adapt(values[n])
                    prepared.append(values)
                cursor.executemany(sql, prepared)
            else:
                cursor.executemany(sql, chunk)
            sent += len(chunk)
    return sent
