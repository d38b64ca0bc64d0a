"""The timeline: one row per contact, on any channel, never edited."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from courtier.core.ids import new_id
from courtier.customers.models import Customer


class Channel(models.TextChoices):
    """Where a contact happened."""

    PHONE = "phone", "Phone"
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    WEB = "web", "Web"
    PORTAL = "portal", "Portal"
    BRANCH = "branch", "Branch"
    LETTER = "letter", "Letter"


class Direction(models.TextChoices):
    """Who started the contact."""

    INBOUND = "inbound", "From the customer"
    OUTBOUND = "outbound", "To the customer"
    INTERNAL = "internal", "Internal note"


class Interaction(models.Model):
    """One contact with a customer; the timeline is append-only."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    # No index of its own: an index or unique constraint in Meta starts with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    occurred_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    source = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.channel} {self.summary}"
