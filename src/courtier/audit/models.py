"""The access log: every look at and change to a customer's record."""

from __future__ import annotations

from django.db import models


class AccessLog(models.Model):
    """One access to one customer's record: who, when, what they did, and why."""

    # A plain column, not a foreign key: the log is the bottom layer, it outlives the
    # record it describes, and every recognition appends one row without a join.
    customer_id = models.BigIntegerField()
    at = models.DateTimeField()
    actor_kind = models.CharField(max_length=12)
    actor_label = models.CharField(max_length=150)
    user_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=20)  # recognize, view, create, update, delete, export
    reason = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["customer_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} #{self.customer_id}"
