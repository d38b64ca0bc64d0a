"""Staff accounts and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from courtier.core.actor import Actor
from courtier.core.errors import Invalid
from courtier.staff.models import ApiToken

TOKEN_PREFIX = "ctr_"  # noqa: S105 - a marker, not a secret
# Tokens are checked on every API call; a short in-process memory saves a query per call.
# A revoked token therefore keeps working for at most this many seconds in a running worker.
TOKEN_CACHE_SECONDS = 30.0
_cache: dict[str, tuple[float, Actor | None]] = {}


def _digest(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is as safe as a slow one here.
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(user: User, name: str) -> str:
    """Create an API token for ``user`` and return it; only its hash is stored."""
    name = name.strip()
    if not name:
        raise Invalid.field("name", "is empty")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name[:100], token_hash=_digest(token))
    return token


def revoke_token(token: str) -> bool:
    """Revoke a token; return whether it existed and was live."""
    _cache.pop(_digest(token), None)
    return bool(
        ApiToken.objects.filter(token_hash=_digest(token), revoked_at=None).update(
            revoked_at=timezone.now()
        )
    )


def actor_for_token(token: str) -> Actor | None:
    """Return who a bearer token acts for, or None if it is unknown, revoked or inactive."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = _digest(token)
    now = time.monotonic()
    hit = _cache.get(digest)
    if hit and hit[0] > now:
        return hit[1]
    row = (
        ApiToken.objects.filter(token_hash=digest, revoked_at=None, user__is_active=True)
        .values_list("name", "user_id", "user__username")
        .first()
    )
    actor = None
    if row:
        actor = Actor(kind="integration", label=f"{row[2]} via token {row[0]}", user_id=row[1])
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[digest] = (now + TOKEN_CACHE_SECONDS, actor)
    return actor


def actor_for_user(user: AbstractBaseUser) -> Actor:
    """Return the actor for a signed-in staff member."""
    return Actor.staff(int(user.pk), user.get_username())


@transaction.atomic
def create_admin(username: str, password: str, email: str = "") -> AbstractBaseUser:
    """Create (or reset) a superuser; the password is hashed with Argon2."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
    user.set_password(password)
    user.is_staff = True
    user.is_superuser = True
    user.is_active = True
    user.save()
    return user


def actor_of(request: HttpRequest) -> Actor:
    """Return the actor behind an authenticated API or console request."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, Actor):
        return auth
    return actor_for_user(request.user)  # type: ignore[arg-type]


def list_tokens() -> list[ApiToken]:
    """Return every API token with its user, newest first; the secrets are not stored."""
    return list(ApiToken.objects.select_related("user").order_by("-created_at", "-id"))


def revoke_token_by_id(public_id: str) -> bool:
    """Revoke the token with this public id (as ``courtier token list`` shows it).

    Returns whether a live token was revoked. Running workers may accept it for up to
    ``TOKEN_CACHE_SECONDS`` more, as with :func:`revoke_token`.
    """
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        raise Invalid.field("token", "is neither a token (ctr_…) nor a token id") from None
    _cache.clear()
    return bool(
        ApiToken.objects.filter(public_id=key, revoked_at=None).update(revoked_at=timezone.now())
    )
