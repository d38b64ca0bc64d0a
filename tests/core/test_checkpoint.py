"""The server checkpoints SQLite's WAL from a thread, and its commits stop doing it."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper

from courtier.core import checkpoint


def _wal_database(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t (b BLOB)")
    for _ in range(300):
        conn.execute("INSERT INTO t VALUES (randomblob(4000))")
    return conn


def test_the_thread_copies_the_wal_back_into_the_database(tmp_path: Path):
    path = tmp_path / "ck.sqlite3"
    writer = _wal_database(path)
    before = path.stat().st_size
    thread = checkpoint.Checkpointer(str(path), interval=0.02)
    thread.start()
    deadline = time.monotonic() + 10
    while thread.checkpoints == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    thread.stop()
    writer.close()
    assert thread.checkpoints >= 1
    # 300 rows of 4 KB were in the WAL only; the checkpoint wrote them to the file.
    assert before < 100_000 < path.stat().st_size


def _django_connection(path: Path) -> DatabaseWrapper:
    settings: dict[str, Any] = {**connections["default"].settings_dict, "NAME": str(path)}
    settings["OPTIONS"] = {}
    return DatabaseWrapper(settings, alias=f"ck-{path.name}")


@pytest.mark.skipif(connections["default"].vendor != "sqlite", reason="SQLite only")
def test_connections_to_a_checkpointed_database_leave_it_to_the_thread(tmp_path: Path, db: None):
    served, other = tmp_path / "served.sqlite3", tmp_path / "other.sqlite3"
    _wal_database(served).close()
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(served)}
    assert checkpoint.start(database, interval=60) is checkpoint.start(database, interval=60)
    try:
        for path, expected in ((served, 0), (other, 1000)):
            conn = _django_connection(path)
            conn.ensure_connection()
            assert conn.connection.execute("PRAGMA wal_autocheckpoint").fetchone() == (expected,)
            conn.close()
    finally:
        checkpoint.stop(database)
    conn = _django_connection(served)
    conn.ensure_connection()
    assert conn.connection.execute("PRAGMA wal_autocheckpoint").fetchone() == (1000,)
    conn.close()


def test_postgresql_needs_no_thread():
    assert checkpoint.start({"ENGINE": "django.db.backends.postgresql", "NAME": "x"}) is None
