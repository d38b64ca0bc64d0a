"""The demo's staff login and API token, so a visitor can sign in and call the API at once."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from courtier.core.demo.build import DEMO_USERNAME
from courtier.staff.models import ApiToken
from courtier.staff.services import create_admin, create_token

TOKEN_NAME = "demo"  # noqa: S105 - the token's label, not a secret


def _password_file() -> Path:
    # Kept beside the development secret key: the demo is a local, throwaway installation.
    return Path(settings.DATA_DIR) / "demo_password"


@transaction.atomic
def ensure_demo_login() -> tuple[User, str]:
    """Return the demo staff account and its password, creating or repairing it.

    The password is generated once, hashed with Argon2 in the database and kept in the
    data directory (mode 600) so that running the demo again shows the same one and does
    not sign out a browser that is already in.
    """
    path = _password_file()
    user = User.objects.filter(username=DEMO_USERNAME).first()
    if path.exists() and user is not None and user.is_superuser:
        known = path.read_text().strip()
        if known and user.check_password(known):
            return user, known
    password = secrets.token_urlsafe(12)
    admin = create_admin(DEMO_USERNAME, password, email="demo@example.com")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return User.objects.get(pk=admin.pk), password


@transaction.atomic
def issue_demo_token(user: User) -> str:
    """Revoke the demo login's previous demo tokens and return a fresh one.

    Tokens are stored only as hashes, so an old one cannot be shown again; rotating keeps
    exactly one live demo token however often the demo is started.
    """
    ApiToken.objects.filter(user=user, name=TOKEN_NAME, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    return create_token(user, TOKEN_NAME)
