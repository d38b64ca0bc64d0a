"""Portal sessions: a cookie of their own, never Django's staff session.

The cookie holds 256 random bits; the database holds their hash. Every request checks
the session's expiry and its generation against the customer's portal account, so
"sign out everywhere" (one UPDATE of the generation) ends every browser at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from courtier.customers.models import Customer, CustomerStatus
from courtier.portal.models import PortalAccount, PortalSession

COOKIE = "courtier_portal"
SESSION_TTL = timedelta(hours=8)


@dataclass(frozen=True)
class SignedIn:
    """The customer behind a request and the session row it came with."""

    customer: Customer
    session: PortalSession


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def start_session(customer: Customer, old_key: str = "", language: str = "") -> str:
    """Create a session for ``customer`` and return its cookie value.

    Any session the browser held before is deleted: a signed-in browser always carries a
    fresh key (no session fixation).
    """
    now = timezone.now()
    if old_key:
        PortalSession.objects.filter(digest=_digest(old_key)).delete()
    account, _ = PortalAccount.objects.get_or_create(customer=customer)
    key = secrets.token_urlsafe(32)
    PortalSession.objects.create(
        digest=_digest(key),
        customer=customer,
        generation=account.generation,
        language=language,
        created_at=now,
        expires_at=now + SESSION_TTL,
    )
    return key


def resolve(key: str, now: datetime | None = None) -> SignedIn | None:
    """Return who a cookie belongs to, or None if unknown, expired or signed out (1 query)."""
    if not key or len(key) > 100:
        return None
    session = (
        PortalSession.objects.select_related("customer")
        .filter(
            digest=_digest(key),
            expires_at__gt=now or timezone.now(),
            customer__portal_account__generation=F("generation"),
            customer__status=CustomerStatus.ACTIVE,
        )
        .first()
    )
    return None if session is None else SignedIn(session.customer, session)


def end_session(key: str) -> None:
    """Sign this browser out."""
    if key:
        PortalSession.objects.filter(digest=_digest(key)).delete()


@transaction.atomic
def end_everywhere(customer: Customer) -> None:
    """Sign the customer out of every browser: bump the generation, drop the rows."""
    PortalAccount.objects.filter(customer=customer).update(generation=F("generation") + 1)
    PortalSession.objects.filter(customer=customer).delete()


def set_language(signed_in: SignedIn, language: str) -> None:
    """Remember the language this browser chose (the switch), for this session."""
    PortalSession.objects.filter(pk=signed_in.session.pk).update(language=language)
