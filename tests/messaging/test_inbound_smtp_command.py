"""``courtier inbound-smtp`` as a process: it listens, stores, and stops cleanly on SIGTERM.

Like the SQLite worker test, it runs against a database file of its own (the suite's
SQLite database lives in memory, out of another process's reach).
"""

from __future__ import annotations

import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.messaging.servers import free_port

pytestmark = pytest.mark.slow


def test_the_command_receives_mail_and_stops_on_sigterm(tmp_path: Path):
    if connection.vendor != "sqlite":
        pytest.skip("runs on a SQLite file of its own; once is enough")
    db = tmp_path / "courtier.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "courtier.settings",
        "COURTIER_DATA_DIR": str(tmp_path),
        "COURTIER_DATABASE_URL": f"sqlite:///{db}",
        "COURTIER_LOG_LEVEL": "ERROR",
    }
    cli = [sys.executable, "-m", "courtier.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, timeout=120)  # noqa: S603
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and command, fixed arguments
        [*cli, "inbound-smtp", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == f"receiving email on 127.0.0.1:{port}"
        raw = b"From: Lea Roy <lea@example.org>\r\nSubject: Bonjour\r\n\r\nUne question."
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.sendmail("lea@example.org", ["support@courtier.example"], raw)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert out.strip() == "stopped"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT channel, status FROM messaging_inbound").fetchall()
    assert rows == [("email", "recorded")]
