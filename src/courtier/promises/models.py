"""What customers hold (agreements) and what staff promised them (promises)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from courtier.cases.models import Case
from courtier.core.ids import new_id
from courtier.customers.models import Customer


class AgreementStatus(models.TextChoices):
    """Whether the agreement is running."""

    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"


class Agreement(models.Model):
    """A product or service a customer holds: its term, dates and price.

    ``end_date`` and ``renewal_date`` are the dates as signed and never change; the
    effective dates add every kept extension and are the ones used everywhere else.
    """

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    # No index of its own: an index or unique constraint in Meta starts with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="agreements", db_index=False
    )
    product = models.CharField(max_length=200)
    start_date = models.DateField()
    term_months = models.PositiveIntegerField()
    end_date = models.DateField()
    renewal_date = models.DateField()
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="CAD")
    status = models.CharField(
        max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    # Kept in step with the kept extensions by promises.services, in the same transaction,
    # so "renewals in the next 30 days" is one indexed range query.
    extension_months = models.PositiveIntegerField(default=0)
    effective_end_date = models.DateField()
    effective_renewal_date = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["effective_renewal_date"]),
        ]

    def __str__(self) -> str:
        return self.product


class Kind(models.TextChoices):
    """What was promised."""

    CALLBACK = "callback", "Call back"
    CREDIT = "credit", "Credit"
    EXTENSION = "extension", "Extension"
    CUSTOM = "custom", "Other"


class State(models.TextChoices):
    """Where a promise stands; only ``pending`` can change."""

    PENDING = "pending", "Pending"
    KEPT = "kept", "Kept"
    BROKEN = "broken", "Broken"
    CANCELLED = "cancelled", "Cancelled"


class Promise(models.Model):
    """A commitment a staff member made to a customer, as part of a case."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    # No index of its own: an index or unique constraint in Meta starts with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="promises", db_index=False
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="promises")
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="promises"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=1000, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    months = models.PositiveIntegerField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="promises_made"
    )
    # Who must keep it; the maker unless given to someone else.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="promises_owned"
    )
    made_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_by_label = models.CharField(max_length=150, blank=True)
    reason = models.CharField(max_length=1000, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "state"]),
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["owner", "state", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.customer_id}"
