"""Console sign-in with a failure limit per username and per address.

Failures are rows (:class:`SignInFailure`), not cache entries, so the limit holds across
every worker process and host, and an operator can see who was hammered from where. A
username is refused after ``CONSOLE_SIGNIN_MAX_PER_USER`` failures within the window and an
address after ``CONSOLE_SIGNIN_MAX_PER_IP`` (higher: an office shares one address). While
refused, not even the right password gets in, so guessing cannot continue unnoticed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone

from courtier.console.models import SignInFailure
from courtier.console.services.roles import USE, console_permissions
from courtier.core.errors import DomainError, FieldError

logger = logging.getLogger("courtier.console.signin")


class TooManyAttempts(DomainError):
    """Too many failed sign-ins for this username or from this address; try later."""

    status = 429
    title = "Too many attempts"


class BadCredentials(DomainError):
    """The username and password do not match an active staff member allowed in."""

    status = 401
    title = "Not signed in"


def client_ip(request: HttpRequest) -> str | None:
    """Return the address the request came from (the proxy sets REMOTE_ADDR via granian)."""
    return request.META.get("REMOTE_ADDR") or None


def _window_start() -> timedelta:
    return timedelta(minutes=settings.CONSOLE_SIGNIN_WINDOW_MINUTES)


def is_limited(username: str, ip: str | None) -> bool:
    """Return whether sign-in is refused for this username or address right now."""
    since = timezone.now() - _window_start()
    recent = SignInFailure.objects.filter(at__gte=since)
    if recent.filter(username=username).count() >= settings.CONSOLE_SIGNIN_MAX_PER_USER:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= settings.CONSOLE_SIGNIN_MAX_PER_IP


def check_credentials(request: HttpRequest, username: str, password: str) -> User:
    """Return the staff member these credentials name, or raise.

    Raises :class:`TooManyAttempts` while the username or address is limited (recording
    nothing new), :class:`BadCredentials` for a wrong password, an inactive account or an
    account without the ``console.use_console`` permission; each refusal is recorded and
    logged with the username and address. A success clears the username's failures.
    Deliberately not one transaction: the refusal is raised after the failure row is
    written, and that row must survive the error.
    """
    username = (username or "").strip()[:150]
    ip = client_ip(request)
    if not username or not password:
        field = "username" if not username else "password"
        raise BadCredentials(f"{field}: is empty", [FieldError(field, "is empty")])
    if is_limited(username, ip):
        logger.warning("console sign-in refused (rate limited): user=%r ip=%s", username, ip)
        raise TooManyAttempts(
            f"Too many failed sign-ins; wait {settings.CONSOLE_SIGNIN_WINDOW_MINUTES} "
            "minutes and try again."
        )
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or USE not in console_permissions(user):
        SignInFailure.objects.create(username=username, ip=ip, at=timezone.now())
        logger.warning("console sign-in failed: user=%r ip=%s", username, ip)
        raise BadCredentials(
            "Wrong username or password.",
            [FieldError("password", "does not match this username")],
        )
    SignInFailure.objects.filter(username=username).delete()
    return user
