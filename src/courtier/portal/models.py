"""Portal sign-in: one-time tokens, the requests that asked for them, and portal sessions.

Nothing here holds a secret in clear: tokens, codes and session keys are stored as hashes.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from courtier.core.ids import new_id
from courtier.customers.models import Customer, Identifier


class TokenKind(models.TextChoices):
    """How the customer proves they hold the identifier."""

    LINK = "link", "One-time link by email"
    CODE = "code", "Six-digit code by SMS"


class SignInToken(models.Model):
    """A one-time link or code sent to one verified identifier; stored only as a hash."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    identifier = models.ForeignKey(Identifier, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=4, choices=TokenKind.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer token for the same identifier was issued, or the code was locked.
    revoked_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["identifier", "kind"],
                condition=Q(used_at=None, revoked_at=None),
                name="portal_token_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.identifier_id}"


class SignInRequest(models.Model):
    """One "send me a link/code" request, counted for the rate limits (kept a day)."""

    at = models.DateTimeField()
    ip = models.CharField(max_length=45)
    # The normalised identifier with any +tag removed: variants of one address count as one.
    subject = models.CharField(max_length=320)

    class Meta:
        indexes = [models.Index(fields=["subject", "at"]), models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.subject} from {self.ip}"


class PortalAccount(models.Model):
    """Per-customer portal state: the session generation that "sign out everywhere" bumps."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="portal_account"
    )
    generation = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"portal account of {self.customer_id} (gen {self.generation})"


class PortalSession(models.Model):
    """A signed-in portal browser; separate from staff sessions, keyed by a hashed cookie."""

    digest = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    generation = models.PositiveIntegerField()
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["customer"])]

    def __str__(self) -> str:
        return f"portal session of {self.customer_id}"
