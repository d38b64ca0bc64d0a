"""The SIGKILL loop on SQLite, the default database: a file other processes can open.

The suite's own SQLite database lives in memory, so this test builds a database file of
its own with ``courtier migrate`` and a setup script, then kills workers against it.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.messaging.servers import SmtpSink

pytestmark = pytest.mark.slow
SETUP = """
import django
django.setup()
from datetime import UTC, datetime
from courtier.core.actor import Actor
from courtier.customers.services.records import NewIdentifier, create_customer
from courtier.messaging.services.outbox import MessageRequest, queue_messages
from courtier.messaging.services.templates import save_template

actor = Actor.system("test")
save_template(actor, {"purpose": "welcome", "channel": "email", "language": "en",
                      "subject": "Welcome", "text": "Account {{ account }}"})
people = [create_customer(actor, {"display_name": f"C{i}"},
                          identifiers=[NewIdentifier("email", f"c{i}@example.com")])
          for i in range(80)]
queue_messages(actor, [MessageRequest(c, "welcome", {"account": i}) for i, c in enumerate(people)],
               datetime(2026, 11, 20, 17, 0, tzinfo=UTC))
"""


def _run(env: dict[str, str], *args: str, capture: bool = False) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if capture else subprocess.DEVNULL,
    )


def test_killed_workers_on_sqlite_lose_nothing(tmp_path: Path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant; the PostgreSQL one is test_worker_processes.py")
    db = tmp_path / "courtier.sqlite3"
    with SmtpSink() as smtp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "courtier.settings",
            "COURTIER_DATA_DIR": str(tmp_path),
            "COURTIER_DATABASE_URL": f"sqlite:///{db}",
            "COURTIER_EMAIL_HOST": "127.0.0.1",
            "COURTIER_EMAIL_PORT": str(smtp.port),
            "COURTIER_LOG_LEVEL": "ERROR",
        }
        for args in (("-m", "courtier.cli", "migrate", "-v", "0"), ("-c", SETUP)):
            setup = _run(env, *args, capture=True)
            _, err = setup.communicate(timeout=120)
            assert setup.returncode == 0, err.decode()

        def unsent() -> int:
            with sqlite3.connect(db) as conn:
                (n,) = conn.execute(
                    "SELECT count(*) FROM messaging_message WHERE state != 'sent'"
                ).fetchone()
            return int(n)

        # Slow enough that the loop always gets its kills in before the outbox drains.
        smtp.mailbox.delay = 0.1
        worker = ("-m", "courtier.cli", "worker", "--idle", "0.05", "--batch", "5")
        rng = random.Random(5)
        kills = 0
        deadline = time.monotonic() + 120
        proc: subprocess.Popen[bytes] | None = None
        try:
            while unsent() and kills < 8 and time.monotonic() < deadline:
                proc = _run(env, *worker, "--lease", "1", "--backoff", "0.2")
                time.sleep(rng.uniform(0.8, 2.5))
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills += 1
            while unsent() and time.monotonic() < deadline:
                time.sleep(1.1)
                proc = _run(env, *worker, "--lease", "1", "--until-idle")
                proc.wait(timeout=60)
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        with sqlite3.connect(db) as conn:
            expected = {
                f"<{_dashed(r[0])}@courtier>"
                for r in conn.execute("SELECT public_id FROM messaging_message")
            }
        ids = smtp.mailbox.ids()
    assert kills >= 3
    assert unsent() == 0
    assert len(expected) == 80
    assert set(ids) == expected  # nothing lost
    assert len(ids) - len(set(ids)) <= kills  # a repeat only for a kill after the 250


def _dashed(h: str) -> str:
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
