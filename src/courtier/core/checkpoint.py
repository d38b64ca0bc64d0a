"""SQLite WAL checkpoints on a thread of the server process, never inside a request.

By default SQLite checkpoints from whichever commit finds the WAL over 1,000 pages, so one
request in a few hundred copies the WAL back into the database and waits for the disk
to sync it. Under the recognition benchmark that request took over a second while other
processes used the disk (p99 1.7 s at 300 requests/s). The server turns automatic
checkpoints off for its own connections and runs a passive checkpoint every half second
from a thread instead; other processes (the worker, management commands, tests) keep
SQLite's default, so the WAL is never left to grow when no server runs.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)
INTERVAL_SECONDS = 0.5
_started: dict[str, Checkpointer] = {}


class Checkpointer(threading.Thread):
    """A daemon thread that checkpoints one SQLite database at a fixed interval."""

    def __init__(self, path: str, interval: float = INTERVAL_SECONDS) -> None:
        super().__init__(name=f"sqlite-checkpoint {path}", daemon=True)
        self.path = path
        self.interval = interval
        self.stopping = threading.Event()
        self.checkpoints = 0

    def run(self) -> None:
        # Its own connection: a checkpoint must not run inside a request's transaction.
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        try:
            while not self.stopping.wait(self.interval):
                self.checkpoint(conn)
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """Copy what the WAL holds back into the database, without waiting on anyone."""
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.checkpoints += 1
        except sqlite3.Error as exc:  # a locked or busy database: try again next time
            logger.warning("SQLite checkpoint of %s failed: %s", self.path, exc)

    def stop(self) -> None:
        """Stop after the current checkpoint (tests; the server's thread dies with it)."""
        self.stopping.set()
        self.join()


def _no_auto_checkpoint(sender: Any, connection: Any, **_: Any) -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] in _started:
        connection.connection.execute("PRAGMA wal_autocheckpoint=0")


def start(database: dict[str, Any], interval: float = INTERVAL_SECONDS) -> Checkpointer | None:
    """Checkpoint this SQLite database from a thread; return it (None if not SQLite).

    Connections this process opens afterwards stop checkpointing on commit. Starting twice
    for the same file returns the running thread.
    """
    if not database["ENGINE"].endswith("sqlite3"):
        return None
    path = str(database["NAME"])
    if path not in _started:
        thread = Checkpointer(path, interval)
        _started[path] = thread
        connection_created.connect(_no_auto_checkpoint, dispatch_uid="courtier-checkpoint")
        thread.start()
    return _started[path]


def stop(database: dict[str, Any]) -> None:
    """Stop the thread started for this database, if any.

    Connections opened afterwards checkpoint on commit again; open ones keep it off.
    """
    thread = _started.pop(str(database["NAME"]), None)
    if thread is not None:
        thread.stop()
