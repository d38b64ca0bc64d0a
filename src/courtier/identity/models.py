"""Matching data per customer, the trained model, match proposals and merge records."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from courtier.core.ids import new_id
from courtier.customers.models import Customer


class MatchRecord(models.Model):
    """A customer's details prepared for matching (see ``prepare.Prepared.to_row``)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="match_record"
    )
    data = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"match record of customer #{self.customer_id}"


class BlockingKey(models.Model):
    """One blocking key of one customer: the index real-time candidates come from."""

    # No index of its own: the unique (customer, key) constraint starts with it.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=120)

    class Meta:
        indexes = [models.Index(fields=["key", "customer"])]
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], name="blocking_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class MatchModel(models.Model):
    """A trained Fellegi-Sunter model (m, u, prior); the newest one is in use."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    parameters = models.JSONField()
    trained_at = models.DateTimeField(auto_now_add=True)
    records = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"model trained {self.trained_at:%Y-%m-%d %H:%M} on {self.records} records"


class ProposalStatus(models.TextChoices):
    """Where a proposal stands in review."""

    PENDING = "pending", "Waiting for review"
    MERGED = "merged", "Merged"
    REJECTED = "rejected", "Not the same person"


class MatchProposal(models.Model):
    """Two customer records that may be one person, with the score and its reasons."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    left = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    reasons = models.JSONField(default=list)
    source = models.CharField(max_length=20)  # "dedupe" or "recognition"
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            # One proposal per pair, stored with the lower internal id on the left.
            models.UniqueConstraint(fields=["left", "right"], name="proposal_unique_pair")
        ]
        indexes = [models.Index(fields=["status", "probability"])]

    def __str__(self) -> str:
        return f"#{self.left_id} ~ #{self.right_id} p={self.probability:.3f} ({self.status})"


class Merge(models.Model):
    """One merge: what moved from the merged record to the survivor, so it can be undone."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    survivor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(MatchProposal, null=True, blank=True, on_delete=models.SET_NULL)
    # {"identifiers": [ids], "facts": [ids], "rows": {repointer: [ids]}, "merged_status": ...}
    moved = models.JSONField()
    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.CharField(max_length=150)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.CharField(max_length=150, blank=True)

    class Meta:
        indexes = [models.Index(fields=["merged", "unmerged_at"])]

    def __str__(self) -> str:
        return f"#{self.merged_id} into #{self.survivor_id}"
