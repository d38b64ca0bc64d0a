"""Signing in without a password: a one-time link by email or a six-digit code by SMS.

Guarantees:

- a link or code goes only to a verified identifier already on an active customer's
  record, through the outbox (``queue_message``; the worker delivers it);
- links carry 256 random bits and codes 6 digits, both from ``secrets``; only an HMAC of
  them is stored; each is single-use, dies after ten minutes, and dies when a newer one
  is issued for the same identifier; a code is locked after five wrong tries;
- asking for a link answers the same, in the same time, whether the identifier exists
  or not (same lookups and hashing in both branches, then a fixed response floor);
- requests are counted in the database per identifier (case and +tags folded) and per
  client address; past the limit they are refused before anything else is done.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from courtier.core.actor import Actor
from courtier.core.errors import DomainError, Invalid
from courtier.core.ids import new_id
from courtier.customers.models import Customer, CustomerStatus, Identifier, IdentifierKind
from courtier.customers.normalize import normalize
from courtier.messaging.services.outbox import queue_message
from courtier.portal.models import SignInRequest, SignInToken, TokenKind

TOKEN_TTL = timedelta(minutes=10)
MAX_CODE_TRIES = 5
RATE_WINDOW = timedelta(minutes=15)
PER_IDENTIFIER = 5
PER_IP = 30
# Every answer to "send me a link" takes at least this long, so the extra writes of the
# branch where the identifier exists (token row, outbox row) cannot be timed.
RESPONSE_FLOOR = 0.25
SYSTEM = Actor.system("portal")


class RateLimited(DomainError):
    """Too many sign-in requests for this identifier or from this address."""

    status = 429
    title = "Too many requests"


@dataclass(frozen=True)
class Claim:
    """What a visitor typed, normalised: the kind, the stored form, the rate-limit subject."""

    kind: str
    value: str
    subject: str


def _hash(purpose: str, secret: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"portal:{purpose}:{secret}".encode(), hashlib.sha256).hexdigest()


def parse_claim(raw: str) -> Claim:
    """Read an email address or phone number; raise :class:`Invalid` naming ``identifier``.

    The rate-limit subject drops an email's ``+tag``: ``marie+1@`` and ``Marie+2@`` count
    against one mailbox, since most providers deliver them to the same person, while the
    lookup keeps the address exactly as stored (the tag may be what the customer gave us).
    """
    text = (raw or "").strip()
    if not text:
        raise Invalid.field("identifier", "is empty: type your email address or phone number")
    kind = IdentifierKind.EMAIL if "@" in text else IdentifierKind.PHONE
    value = normalize(kind, text, "identifier")
    subject = value
    if kind == IdentifierKind.EMAIL:
        local, _, domain = value.partition("@")
        subject = f"{local.split('+', 1)[0]}@{domain}"
    return Claim(kind, value, subject)


def _check_rate(claim: Claim, ip: str, now: datetime) -> None:
    since = now - RATE_WINDOW
    recent = SignInRequest.objects.filter(at__gte=since)
    if recent.filter(subject=claim.subject).count() >= PER_IDENTIFIER:
        raise RateLimited("Too many sign-in requests for this address; try again later.")
    if recent.filter(ip=ip).count() >= PER_IP:
        raise RateLimited("Too many sign-in requests from your network; try again later.")


def _verified(claim: Claim) -> Identifier | None:
    return (
        Identifier.objects.select_related("customer")
        .filter(
            kind=claim.kind,
            value=claim.value,
            verified_at__isnull=False,
            customer__status=CustomerStatus.ACTIVE,
        )
        .first()
    )


def link_url(token: str) -> str:
    """The sign-in link: always from ``settings.BASE_URL``, never the request's Host."""
    return f"{settings.BASE_URL}/portal/sign-in/link/{token}"


@transaction.atomic
def _issue(claim: Claim, ip: str, now: datetime) -> None:
    _check_rate(claim, ip, now)
    SignInRequest.objects.create(at=now, ip=ip[:45], subject=claim.subject[:320])
    identifier = _verified(claim)
    kind = "link" if claim.kind == IdentifierKind.EMAIL else "code"
    secret = secrets.token_urlsafe(32) if kind == "link" else f"{secrets.randbelow(10**6):06d}"
    token_id = new_id()
    digest = _hash(f"code:{token_id}" if kind == "code" else "link", secret)
    if identifier is None:
        return
    live = SignInToken.objects.filter(identifier=identifier, used_at=None, revoked_at=None)
    live.update(revoked_at=now)
    token = SignInToken.objects.create(
        public_id=token_id,
        customer=identifier.customer,
        identifier=identifier,
        kind=kind,
        digest=digest,
        created_at=now,
        expires_at=now + TOKEN_TTL,
    )
    minutes = int(TOKEN_TTL.total_seconds() // 60)
    if kind == "link":
        queue_message(
            SYSTEM,
            identifier.customer,
            "portal_link",
            {"link": link_url(secret), "minutes": minutes},
            key=f"portal:{token.public_id}",
            channel="email",
            to_address=identifier.value,
            now=now,
        )
    else:
        queue_message(
            SYSTEM,
            identifier.customer,
            "portal_code",
            {"code": secret, "minutes": minutes},
            key=f"portal:{token.public_id}",
            channel="sms",
            to_address=identifier.value,
            now=now,
        )


def request_sign_in(raw: str, ip: str, now: datetime | None = None) -> Claim:
    """Send a link (email) or code (SMS) if ``raw`` is a verified identifier; say nothing.

    Returns the parsed claim whatever happened, so the caller's answer cannot depend on
    whether a customer was found. Raises :class:`Invalid` for input that is not an email
    or phone number and :class:`RateLimited` past the limits (neither reveals existence).
    The answer takes at least ``RESPONSE_FLOOR`` seconds in every branch.
    """
    started = time.monotonic()
    try:
        claim = parse_claim(raw)
        _issue(claim, ip, now or timezone.now())
        return claim
    finally:
        left = RESPONSE_FLOOR - (time.monotonic() - started)
        if left > 0:
            time.sleep(left)


def _spend(token: SignInToken, now: datetime) -> bool:
    # A conditional UPDATE: of two racing posts of the same link, exactly one wins.
    return (
        SignInToken.objects.filter(
            pk=token.pk, used_at=None, revoked_at=None, expires_at__gt=now
        ).update(used_at=now)
        == 1
    )


@transaction.atomic
def redeem_link(secret: str, now: datetime | None = None) -> Customer | None:
    """Spend a link token; return its customer, or None when it is unknown, forged,
    used, revoked or expired (the caller says the same thing in every case)."""
    now = now or timezone.now()
    if not secret or len(secret) > 100:
        return None
    token = (
        SignInToken.objects.select_related("customer")
        .filter(digest=_hash("link", secret), kind=TokenKind.LINK)
        .first()
    )
    if token is None or token.customer.status != CustomerStatus.ACTIVE:
        return None
    return token.customer if _spend(token, now) else None


def redeem_code(raw_identifier: str, code: str, now: datetime | None = None) -> Customer | None:
    """Check a six-digit code for an identifier; return the customer or None.

    A wrong code counts against the live code; the fifth wrong one revokes it, so a
    guesser has 5 in 1,000,000 chances per code sent (and codes are rate-limited). The
    failure count is committed even though the caller refuses the sign-in.
    """
    now = now or timezone.now()
    try:
        claim = parse_claim(raw_identifier)
    except Invalid:
        return None
    with transaction.atomic():
        token = (
            SignInToken.objects.select_for_update()
            .select_related("customer")
            .filter(
                identifier__kind=claim.kind,
                identifier__value=claim.value,
                kind=TokenKind.CODE,
                used_at=None,
                revoked_at=None,
                expires_at__gt=now,
            )
            .order_by("-created_at")
            .first()
        )
        guess = (code or "").strip()
        expected = token.digest if token is not None else _hash("code:none", "x")
        given = _hash(f"code:{token.public_id if token else 'none'}", guess[:6])
        ok = len(guess) == 6 and guess.isdigit() and hmac.compare_digest(expected, given)
        if token is None:
            return None
        if not ok:
            SignInToken.objects.filter(pk=token.pk).update(failures=F("failures") + 1)
            if token.failures + 1 >= MAX_CODE_TRIES:
                SignInToken.objects.filter(pk=token.pk).update(revoked_at=now)
            return None
        if token.customer.status != CustomerStatus.ACTIVE:
            return None
        return token.customer if _spend(token, now) else None


def forget_old_requests(now: datetime | None = None) -> int:
    """Delete rate-limit rows older than a day and dead tokens older than a day."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    n, _ = SignInRequest.objects.filter(at__lt=cutoff).delete()
    m, _ = SignInToken.objects.filter(expires_at__lt=cutoff).delete()
    return n + m
