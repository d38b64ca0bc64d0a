"""Messaging data: templates, preferences and consent with their history, the outbox."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q

from courtier.core.ids import new_id
from courtier.customers.models import Customer


class Category(models.TextChoices):
    """Why we write: consent and caps are given per category, not per template."""

    SERVICE = "service", "Service (about what the customer asked for)"
    PROACTIVE = "proactive", "Proactive information"
    OFFERS = "offers", "Offers"


class MessageChannel(models.TextChoices):
    """Where an outgoing message can go."""

    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    PORTAL = "portal", "Portal"


class Template(models.Model):
    """The words for one purpose on one channel in one language, written by staff."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    purpose = models.SlugField(max_length=64)
    category = models.CharField(max_length=10, choices=Category.choices)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    html = models.TextField(blank=True)
    updated_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "channel", "language"], name="template_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose}/{self.channel}/{self.language}"


class Preference(models.Model):
    """How and when a customer wants to be contacted; absent means the defaults."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="messaging_preference"
    )
    preferred_channel = models.CharField(max_length=10, choices=MessageChannel.choices, blank=True)
    quiet_start = models.TimeField(default=time(21, 0))
    quiet_end = models.TimeField(default=time(8, 0))
    do_not_contact = models.BooleanField(default=False)
    # {"offers": [1, 7]}: at most 1 message of that category in any 7 days.
    caps = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preferences of {self.customer_id}"


class Consent(models.Model):
    """Whether a customer agrees to hear about one category on one channel."""

    # No index of its own: an index or unique constraint in Meta starts with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="consents", db_index=False
    )
    category = models.CharField(max_length=10, choices=Category.choices)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    granted = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "category", "channel"], name="consent_one_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.channel}={self.granted}"


class Origin(models.TextChoices):
    """Where a preference change came from."""

    PORTAL = "portal", "The customer, in the portal"
    STAFF = "staff", "A staff member"
    IMPORT = "import", "An import"
    API = "api", "An integration"
    INBOUND = "inbound", "A reply from the customer (STOP)"
    EMAIL = "email", "The unsubscribe link in an email"


class PreferenceChange(models.Model):
    """One change of a preference or consent: what, from what to what, who, when, from where."""

    # No index of its own: an index or unique constraint in Meta starts with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="preference_changes", db_index=False
    )
    at = models.DateTimeField()
    field = models.CharField(max_length=64)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    actor_kind = models.CharField(max_length=20)
    actor_label = models.CharField(max_length=150)
    origin = models.CharField(max_length=10, choices=Origin.choices)

    class Meta:
        indexes = [models.Index(fields=["customer", "at"])]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} -> {self.new_value}"


class State(models.TextChoices):
    """Where a message is on its way out."""

    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Suppressed"


class Message(models.Model):
    """One outgoing message: the etiquette decision, the rendered words, the delivery state."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    # No index of its own: an index or unique constraint in Meta starts with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    purpose = models.SlugField(max_length=64)
    category = models.CharField(max_length=10, choices=Category.choices)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices, blank=True)
    language = models.CharField(max_length=8, blank=True)
    language_fallback = models.BooleanField(default=False)
    to_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # What makes two requests "the same message"; the caller's key or a hash of the request.
    dedupe_key = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices)
    suppressed_reason = models.CharField(max_length=30, blank=True)
    decision = models.CharField(max_length=300, blank=True)
    context = models.JSONField(default=dict, blank=True)
    send_after = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    queued_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # A receiving server's permanent bounce: ``to_address`` is not used again until the
    # customer verifies it anew (services/bounces.py, etiquette.load_circumstances).
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The same message twice is refused by the database itself, even from two
            # transactions racing; a suppressed attempt may repeat (it records the refusal).
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~Q(state="suppressed"),
                name="message_dedupe_live",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "created_at"]),
            models.Index(fields=["customer", "category", "created_at"]),
            # The worker's claim reads the next due rows in order and stops at its batch,
            # whatever the backlog (services/delivery.py), and finds expired leases in
            # the few rows being sent.
            models.Index(
                fields=["send_after", "id"],
                condition=Q(state="queued"),
                name="message_queued",
            ),
            models.Index(
                fields=["claimed_until"],
                condition=Q(state="sending"),
                name="message_leased",
            ),
            models.Index(
                fields=["customer"],
                condition=Q(bounced_at__isnull=False),
                name="message_bounced",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} to {self.customer_id} ({self.state})"

    @property
    def message_id(self) -> str:
        """The RFC 5322 Message-ID, stable across retries so receivers drop a repeat."""
        return f"<{self.public_id}@courtier>"


class InboundStatus(models.TextChoices):
    """What became of something a customer sent us."""

    RECEIVED = "received", "Received"
    RECORDED = "recorded", "Recorded on a timeline"
    REJECTED = "rejected", "Rejected (kept for review)"


class Inbound(models.Model):
    """A raw inbound email or SMS, kept as received before anything is done with it."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    provider_id = models.CharField(max_length=200, blank=True)
    raw = models.TextField()
    status = models.CharField(max_length=10, choices=InboundStatus.choices)
    error = models.CharField(max_length=500, blank=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    interaction_public_id = models.UUIDField(null=True, blank=True)
    case_ref = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["channel", "provider_id"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} {self.received_at:%Y-%m-%d %H:%M}"
