"""Worker processes against PostgreSQL and a real SMTP server: several at once, and killed.

These start ``courtier worker`` as real subprocesses on the test database, so they need
committed data (``transactional_db``) and a server other processes can reach; SQLite's
test database lives in memory, so they run on PostgreSQL only. Every loop is bounded in
time and every process is killed in ``finally``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection

from courtier.core.actor import Actor
from courtier.customers.services.records import NewIdentifier, create_customer
from courtier.messaging.models import Message, Template
from courtier.messaging.services.outbox import MessageRequest, queue_messages
from tests.messaging.servers import SmtpSink

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
DAYTIME = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    if connection.vendor != "postgresql":
        pytest.skip("worker subprocesses need a database other processes can open")
    with SmtpSink() as sink:
        yield sink


def _queue(system: Actor, n: int) -> set[str]:
    customers = [
        create_customer(
            system,
            {"display_name": f"Customer {i}", "language": "en"},
            identifiers=[NewIdentifier("email", f"c{i}@example.com")],
        )
        for i in range(n)
    ]
    rows = queue_messages(
        system,
        [MessageRequest(c, "welcome", {"account": i}) for i, c in enumerate(customers)],
        DAYTIME,
    )
    assert all(m.state == "queued" for m in rows)
    return {m.message_id for m in rows}


def _worker(smtp: SmtpSink, *args: str) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "COURTIER_DATABASE_URL": (
            f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "COURTIER_EMAIL_HOST": "127.0.0.1",
        "COURTIER_EMAIL_PORT": str(smtp.port),
        "COURTIER_LOG_LEVEL": "ERROR",
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and command, fixed arguments
        [sys.executable, "-m", "courtier.cli", "worker", "--idle", "0.05", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _unsent() -> int:
    return Message.objects.exclude(state="sent").count()


def test_several_workers_send_nothing_twice(system: Actor, welcome: list[Template], smtp: SmtpSink):
    expected = _queue(system, 150)
    procs = [_worker(smtp, "--until-idle", "--batch", "5", "--lease", "30") for _ in range(3)]
    try:
        for proc in procs:
            proc.wait(timeout=90)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    ids = smtp.mailbox.ids()
    assert _unsent() == 0
    assert Counter(ids).most_common(1)[0][1] == 1  # not one message twice, before any dedupe
    assert set(ids) == expected


def test_a_worker_killed_at_any_moment_loses_nothing(
    system: Actor, welcome: list[Template], smtp: SmtpSink
):
    expected = _queue(system, 120)
    # Sending takes a dozen seconds, so every kill lands mid-batch: at 0.02 s a message the
    # faster worker (one statement per hand-over) sent all 120 between two kills.
    smtp.mailbox.delay = 0.1
    rng = random.Random(20261123)
    kills = 0
    deadline = time.monotonic() + 120
    proc: subprocess.Popen[bytes] | None = None
    try:
        while _unsent() and kills < 12 and time.monotonic() < deadline:
            proc = _worker(smtp, "--batch", "5", "--lease", "1", "--backoff", "0.2")
            time.sleep(rng.uniform(0.8, 2.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        # Then let one worker finish what the killed ones left, leases included.
        while _unsent() and time.monotonic() < deadline:
            time.sleep(1.1)  # every lease of a killed worker has run out
            proc = _worker(smtp, "--until-idle", "--batch", "5", "--lease", "1")
            proc.wait(timeout=60)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
    ids = smtp.mailbox.ids()
    repeats = len(ids) - len(set(ids))
    print(f"{kills} kills, {len(ids)} deliveries, {repeats} repeated Message-IDs")
    assert kills >= 3
    assert _unsent() == 0
    assert set(ids) == expected  # nothing lost
    # A repeat needs a kill between the server's 250 and our commit: at most one per kill,
    # and it carries the same Message-ID, so the receiving side keeps one copy.
    assert repeats <= kills
    assert len(set(ids)) == len(expected)
