"""The command line: init, token, serve, and a loud refusal of a bad configuration."""

from __future__ import annotations

import io
import os
import pty
import select
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from courtier.staff import services as staff
from courtier.staff.models import ApiToken
from tests.core.servers import COURTIER, courtier, environment, free_port, wait_until_serving


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# init


def test_init_creates_a_superuser_with_an_argon2_hash(db: None):
    out = run(
        "init", "--username", "root", "--email", "root@example.com", "--password", "a long pass 42"
    )
    user = User.objects.get(username="root")
    assert user.is_superuser
    assert user.is_staff
    assert user.is_active
    assert user.email == "root@example.com"
    assert user.password.startswith("argon2$")
    assert user.check_password("a long pass 42")
    assert "Database migrated." in out
    assert "Created administrator 'root'" in out


def test_init_again_leaves_the_administrator_alone(db: None):
    run("init", "--username", "root", "--password", "a long pass 42")
    first_hash = User.objects.get(username="root").password
    out = run("init", "--username", "root", "--password", "another pass 43")
    assert "already exists; left unchanged" in out
    assert User.objects.get(username="root").password == first_hash
    assert User.objects.filter(username="root").count() == 1


def test_init_resets_the_password_only_when_asked(db: None):
    run("init", "--username", "root", "--password", "a long pass 42")
    out = run("init", "--username", "root", "--password", "another pass 43", "--reset-password")
    assert "Password reset for 'root'" in out
    user = User.objects.get(username="root")
    assert user.check_password("another pass 43")
    assert not user.check_password("a long pass 42")


def test_init_reads_the_password_from_the_environment(db: None, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COURTIER_ADMIN_PASSWORD", "from the environment 7")
    run("init", "--username", "ops")
    assert User.objects.get(username="ops").check_password("from the environment 7")


def test_init_without_a_password_and_no_terminal_generates_one_shown_once(db: None):
    out = run("init", "--username", "ops", "--no-input")
    (line,) = [ln for ln in out.splitlines() if ln.startswith("Generated password")]
    password = line.rsplit(" ", 1)[1]
    assert len(password) >= 16
    assert User.objects.get(username="ops").check_password(password)
    assert password not in run("init", "--username", "ops", "--no-input")


def test_init_refuses_a_weak_password_saying_which_and_why(db: None):
    with pytest.raises(CommandError, match=r"--password: This password is too short"):
        run("init", "--username", "root", "--password", "short")
    assert not User.objects.filter(username="root").exists()


def test_production_without_a_secret_key_fails_loudly(tmp_path: Path):
    env = environment(tmp_path, COURTIER_ENV="production")
    del env["COURTIER_SECRET_KEY"]
    result = subprocess.run(  # noqa: S603 - our own console script
        [COURTIER, "check"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "COURTIER_SECRET_KEY is not set" in result.stderr
    assert "production mode refuses to run without one" in result.stderr
    assert "Traceback" not in result.stderr


# token


def test_token_create_prints_a_working_token_once(alice: User):
    token = run("token", "create", "telephony", "--user", "alice").strip()
    assert token.startswith("ctr_")
    actor = staff.actor_for_token(token)
    assert actor is not None
    assert actor.user_id == alice.pk
    row = ApiToken.objects.get(name="telephony")
    assert token not in (row.token_hash, row.name)


def test_token_create_for_an_unknown_user_names_the_option(db: None):
    with pytest.raises(CommandError, match="--user: no staff member is called 'nobody'"):
        run("token", "create", "telephony", "--user", "nobody")


def test_token_list_shows_names_users_and_dates_never_secrets(alice: User, bob: User):
    first = run("token", "create", "telephony", "--user", "alice").strip()
    run("token", "create", "chat", "--user", "bob")
    staff.revoke_token(first)
    listing = run("token", "list")
    assert "ctr_" not in listing
    lines = listing.splitlines()
    assert lines[0].split() == ["id", "name", "user", "created", "revoked"]
    chat = next(ln for ln in lines if " chat " in ln)
    telephony = next(ln for ln in lines if " telephony " in ln)
    assert " bob " in chat
    assert chat.rstrip().endswith("-")
    assert " alice " in telephony
    assert not telephony.rstrip().endswith("-")


def test_token_revoke_by_secret_and_by_id(alice: User):
    by_secret = run("token", "create", "one", "--user", "alice").strip()
    by_id = run("token", "create", "two", "--user", "alice").strip()
    assert run("token", "revoke", by_secret).strip() == "Revoked."
    two = ApiToken.objects.get(name="two")
    assert run("token", "revoke", str(two.public_id)).strip() == "Revoked."
    staff._cache.clear()
    assert staff.actor_for_token(by_secret) is None
    assert staff.actor_for_token(by_id) is None
    with pytest.raises(CommandError, match="no live token matches"):
        run("token", "revoke", by_secret)
    with pytest.raises(CommandError, match="token: is neither a token"):
        run("token", "revoke", "not-an-id")


# serve


def test_serve_answers_the_api_docs_and_static_files_through_whitenoise(tmp_path: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--workers", "1", "--threads", "2"]
    with courtier(args, environment(tmp_path)) as server:
        assert server.wait_for("Serving on") == f"Serving on {base}/"
        wait_until_serving(base + "/")
        docs = httpx.get(base + "/api/v1/docs", timeout=10)
        assert docs.status_code == 200
        assert "text/html" in docs.headers["content-type"]
        assert "openapi.json" in docs.text
        schema = httpx.get(base + "/api/v1/openapi.json", timeout=10).json()
        assert schema["info"]["title"] == "Courtier API"
        assert "/api/v1/recognize" in schema["paths"]
        css = httpx.get(base + "/static/admin/css/base.css", timeout=10)
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        # Whitenoise, not Django, served it: Django serves no static files outside DEBUG.
        assert "max-age" in css.headers["cache-control"]
        assert (tmp_path / "static" / "admin" / "css" / "base.css").exists()
        missing = httpx.get(base + "/static/nothing-here.css", timeout=10)
        assert missing.status_code == 404


def _read_until(fd: int, text: bytes, timeout: float = 60) -> bytes:
    """Read from ``fd`` until ``text`` appears (a prompt), or fail after ``timeout``."""
    seen = b""
    deadline = time.monotonic() + timeout
    while text not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 4096) if ready else b""
        if not chunk:
            raise AssertionError(f"no {text!r} before the end; got {seen!r}")
        seen += chunk
    return seen


def test_init_on_a_fresh_installation_prompts_for_the_password_at_a_terminal(tmp_path: Path):
    # A pseudo-terminal as stdin, and a new session so getpass cannot reach a real /dev/tty.
    leader, follower = pty.openpty()
    env = environment(tmp_path)
    env.pop("COURTIER_ADMIN_PASSWORD", None)
    proc = subprocess.Popen(  # noqa: S603 - our own console script
        [COURTIER, "init", "--username", "owner"],
        env=env,
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    os.close(follower)
    assert proc.stderr is not None
    assert proc.stdout is not None
    try:
        # Type only once asked: getpass flushes whatever was typed before its prompt.
        _read_until(proc.stderr.fileno(), b"Password for the administrator: ")
        os.write(leader, b"typed at the keyboard 9\n")
        _read_until(proc.stderr.fileno(), b"Same password again: ")
        os.write(leader, b"typed at the keyboard 9\n")
        assert proc.wait(timeout=60) == 0
        out = proc.stdout.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        os.close(leader)
    assert "Database migrated." in out
    assert "Created administrator 'owner'" in out
    assert "Generated password" not in out
    with sqlite3.connect(tmp_path / "courtier.sqlite3") as db:
        (hashed,) = db.execute("SELECT password FROM auth_user WHERE username = 'owner'").fetchone()
    db.close()
    assert hashed.startswith("argon2$")
    assert check_password("typed at the keyboard 9", hashed)
