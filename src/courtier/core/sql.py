"""Small helpers for the few hand-written queries on hot paths.

Raw cursors skip Django's value converters, so each backend hands back its own types:
SQLite gives UUIDs as 32 hex characters and datetimes as naive UTC, PostgreSQL gives
``uuid.UUID`` and aware ``datetime``. These helpers make both into API strings.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


def uid(value: object) -> str:
    """Return a UUID column's value as the canonical dashed string."""
    if isinstance(value, uuid.UUID):
        return str(value)
    h = str(value)
    if len(h) == 32:
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return h


def db_uid(value: uuid.UUID, vendor: str) -> object:
    """Return a UUID as the backend stores it, for use as a raw query parameter."""
    return value.hex if vendor == "sqlite" else value


def iso(value: object) -> str | None:
    """Return a datetime column's value as ISO 8601 in UTC, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    text = str(value)
    # SQLite: "2026-11-23 11:43:12.123456", stored in UTC by Django.
    return text.replace(" ", "T", 1) + "+00:00"


def aware(value: object) -> datetime | None:
    """Return a datetime column's value as an aware UTC datetime, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


_DT = re.compile(r"\bDT\(([\w.]+)\)")


class HotQuery:
    """A hand-written query on a hot path, run on the driver's own connection.

    Django's cursor wrapper costs 10-30 µs per query on this machine (cursor creation,
    placeholder rewriting, error wrapping), more than an indexed SQLite read itself, and
    the recognition card runs five queries. This runs the same SQL on the DB-API
    connection Django already holds, in whatever transaction Django has open. It goes
    through Django's cursor instead whenever Django must see the query: when queries are
    being captured (DEBUG, ``assertNumQueries``), when execute wrappers are installed, or
    when the transaction is broken and Django must refuse to run anything.

    Write the SQL with ``%s`` placeholders; they become ``?`` on SQLite. Wrap datetime
    columns in ``DT(...)``: on SQLite they are then read as the stored text, because the
    driver would otherwise run Django's converter on each value (parse, then our
    :func:`iso` formats it back: most of the cost of a 20-row timeline).
    """

    def __init__(self, sql: str) -> None:
        self.sql = _DT.sub(r"\1", sql)
        self._sqlite = _DT.sub(r"CAST(\1 AS TEXT)", sql)
        self._qmark = self._sqlite.replace("%s", "?")

    def _raw(self) -> tuple[Any, Any]:
        # One lookup of the thread's wrapper: each attribute read through the
        # ``connection`` proxy repeats it, and that alone cost microseconds.
        conn = connections[DEFAULT_DB_ALIAS]
        if conn.queries_logged or conn.execute_wrappers or conn.needs_rollback:
            return conn, None
        # A persistent connection is checked once per request, as Django's cursor does;
        # a connection that is closed (or was never opened) is opened by Django's path.
        conn.close_if_health_check_failed()
        return conn, conn.connection

    def fetchall(self, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run the query and return every row (or the rows :func:`prefetched` received)."""
        waiting = _received.rows
        if waiting is not None and (self, tuple(params)) in waiting:
            return waiting.pop((self, tuple(params)))
        conn, raw = self._raw()
        if raw is None:
            with conn.cursor() as cursor:
                cursor.execute(self._sqlite if conn.vendor == "sqlite" else self.sql, params)
                return list(cursor.fetchall())
        with conn.wrap_database_errors:
            sql = self._qmark if conn.vendor == "sqlite" else self.sql
            return list(raw.execute(sql, params).fetchall())

    def execute(self, params: Sequence[Any]) -> None:
        """Run a statement that returns nothing (an INSERT)."""
        conn, raw = self._raw()
        if raw is None:
            with conn.cursor() as cursor:
                cursor.execute(self._sqlite if conn.vendor == "sqlite" else self.sql, params)
            return
        with conn.wrap_database_errors:
            if conn.vendor == "sqlite" and not raw.in_transaction:
                # Django opens SQLite connections with OPTIONS["timeout"] (seconds) as the
                # busy timeout; read from settings, it costs no statement.
                timeout = float(conn.settings_dict["OPTIONS"].get("timeout", 5))
                _write_waiting_finely(raw, self._qmark, params, int(timeout * 1000))
            else:
                raw.execute(self.sql if conn.vendor != "sqlite" else self._qmark, params)


class _Received(threading.local):
    """The rows :func:`prefetched` received, by query and parameters, in this thread."""

    rows: dict[tuple[HotQuery, tuple[Any, ...]], list[tuple[Any, ...]]] | None = None


_received = _Received()


@contextmanager
def prefetched(queries: Sequence[tuple[HotQuery, Sequence[Any]]]) -> Iterator[None]:
    """Run ``queries`` now in one round trip; inside the block, each one's ``fetchall`` with
    the same parameters returns the rows received instead of asking again.

    PostgreSQL only, through psycopg's pipeline mode: the statements go out together and
    the server answers them in one go. The card's seven reads after the lookup take under
    0.1 ms each on the server, but each was a round trip of 0.2-0.6 ms here; pipelined
    they took p50 3.4 ms instead of 5.8 at load 2.7, though a whole screen pop gained less
    (p50 13.9 against 14.2 ms, docs/benchmarks.md).
    Elsewhere (SQLite, which has no round trips; queries being captured; a broken
    transaction) it does nothing and each query runs when it is fetched, as before.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    raw = None
    if conn.vendor == "postgresql" and queries:
        raw = queries[0][0]._raw()[1]
    if raw is None:
        yield
        return
    with conn.wrap_database_errors:
        with raw.pipeline():
            cursors = [(q, tuple(p), raw.execute(q.sql, p)) for q, p in queries]
        # Leaving the pipeline block waited for every result.
        _received.rows = {(q, p): list(cursor.fetchall()) for q, p, cursor in cursors}
    try:
        yield
    finally:
        _received.rows = None


# SQLite's own busy handler sleeps 1, 2, 5, 10 ... ms between tries for the write lock, while
# a one-row autocommit INSERT holds it for ~20-50 µs: with two server processes logging every
# recognition, a writer that met the lock once waited 1 ms or more, and the HTTP p50 rose
# above 10 ms (bench/recognize.py). A single-statement write outside a transaction can
# safely be tried again, so those retry in steps of 50 µs growing to 2 ms instead.
_FIRST_WAIT = 0.00005
_LONGEST_WAIT = 0.002


def _write_waiting_finely(raw: Any, sql: str, params: Sequence[Any], timeout_ms: int) -> None:
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        wait, deadline = _FIRST_WAIT, time.monotonic() + timeout_ms / 1000
        while True:
            try:
                raw.execute(sql, params)
                return
            except sqlite3.OperationalError as exc:
                locked = "locked" in str(exc) or "busy" in str(exc)
                if not locked or raw.in_transaction or time.monotonic() > deadline:
                    raise
            time.sleep(wait)
            wait = min(wait * 2, _LONGEST_WAIT)
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
