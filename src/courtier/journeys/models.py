"""Rules (trigger, condition, actions), what each did to whom (firings), tags, webhooks."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from courtier.core.ids import new_id
from courtier.customers.models import Customer


class Rule(models.Model):
    """A proactive rule: when the trigger happens and the condition holds, run the actions."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    # An event kind ("promise.kept") or a date trigger ("agreement.renewal"); see triggers.py.
    trigger = models.CharField(max_length=40)
    # Days before a date (renewal, end) or after one (a case resolved); 0 for events.
    days = models.IntegerField(default=0)
    condition = models.JSONField(default=dict, blank=True)
    actions = models.JSONField(default=list)
    enabled = models.BooleanField(default=False)
    # Above the guard's threshold a rule acts only on as many customers as someone
    # confirmed after seeing the preview; and never faster than rate_per_hour.
    confirmed_audience = models.PositiveIntegerField(default=0)
    rate_per_hour = models.PositiveIntegerField(default=1000)
    webhook_secret = models.CharField(max_length=64, blank=True)
    starter = models.SlugField(max_length=64, null=True, blank=True, unique=True)
    updated_by = models.CharField(max_length=150, blank=True)
    # What the last evaluation did, shown on the rule's page ("held: 12,000 customers ...").
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["enabled", "trigger"])]
        # Everyone in the console may read rules; changing what the company says on its
        # own initiative is a manager's decision.
        permissions = [("manage_rules", "Can edit, enable and disable proactive rules")]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    """What a rule did for one customer and occurrence."""

    FIRED = "fired", "Fired"
    SUPPRESSED = "suppressed", "Suppressed"
    FAILED = "failed", "Failed"


class Firing(models.Model):
    """One (rule, customer, occurrence): at most one row ever, so a rule acts once."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    # "event:812", "agreement:<uuid>:2027-03-01": what happened, once.
    occurrence = models.CharField(max_length=200)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    event_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "customer", "occurrence"], name="firing_once_per_occurrence"
            )
        ]
        indexes = [models.Index(fields=["rule", "at"]), models.Index(fields=["rule", "outcome"])]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.occurrence} {self.outcome}"


class CustomerTag(models.Model):
    """A label on a customer ("vip", "renewal-called") that rules add, remove and test."""

    # No index of its own: an index or unique constraint in Meta starts with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="tags", db_index=False
    )
    tag = models.SlugField(max_length=64)
    added_by = models.CharField(max_length=150, blank=True)
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "tag"], name="customer_tag_once")
        ]
        indexes = [models.Index(fields=["tag"])]

    def __str__(self) -> str:
        return self.tag


class WebhookState(models.TextChoices):
    """Where a webhook call is on its way out."""

    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class WebhookCall(models.Model):
    """One signed POST a rule asked for, delivered by the worker with retries."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="webhook_calls")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500)
    body = models.TextField()
    state = models.CharField(
        max_length=10, choices=WebhookState.choices, default=WebhookState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    send_after = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["send_after"],
                condition=Q(state__in=["queued", "sending"]),
                name="webhook_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.state})"
