"""Settings come from COURTIER_* variables and fail loudly on bad values."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.db import connection


def test_suite_runs_on_the_database_it_was_asked_for(db: None):
    wanted = os.environ.get("COURTIER_TEST_DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if wanted.startswith("postgres") else "sqlite")


def test_sqlite_writers_wait_instead_of_failing():
    if connection.vendor != "sqlite":
        return
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COURTIER_")}
    return subprocess.run(
        [sys.executable, "-c", "import courtier.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_secret_refuses_to_start(tmp_path):
    result = _check({"COURTIER_ENV": "production", "COURTIER_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "COURTIER_SECRET_KEY is not set" in result.stderr


def test_bad_values_are_named(tmp_path):
    result = _check({"COURTIER_DEBUG": "perhaps", "COURTIER_DATA_DIR": str(tmp_path)})
    assert "COURTIER_DEBUG='perhaps' is not a boolean" in result.stderr
    result = _check({"COURTIER_DATABASE_URL": "mysql://x/y", "COURTIER_DATA_DIR": str(tmp_path)})
    assert "only sqlite:// and postgresql://" in result.stderr


def test_development_keeps_a_generated_secret_in_the_data_dir(tmp_path):
    assert _check({"COURTIER_DATA_DIR": str(tmp_path)}).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    _check({"COURTIER_DATA_DIR": str(tmp_path)})
    assert (tmp_path / "secret_key").read_text() == key


def test_staff_passwords_are_hashed_with_argon2(alice):
    assert alice.password.startswith("argon2")
