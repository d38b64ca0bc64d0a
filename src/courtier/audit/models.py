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


class Event(models.Model):
    """A domain event (a case resolved, a promise kept), written with the change it reports.

    An outbox: the row commits or rolls back with the change, and consumers (journeys)
    claim unhandled rows with a conditional UPDATE, like the message worker does.
    """

    kind = models.CharField(max_length=40)
    # A plain column like the access log's: events outlive nothing, but the bottom layer
    # must not depend on the customers app.
    customer_id = models.BigIntegerField()
    payload = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    # The causation chain: an event caused by a rule's action carries the depth of the
    # event that fired the rule plus one, so a rule that re-triggers itself is stopped.
    depth = models.PositiveSmallIntegerField(default=0)
    cause_id = models.BigIntegerField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer_id", "occurred_at"]),
            models.Index(fields=["kind", "occurred_at"]),
            # The consumer scans only what is still to be handled.
            models.Index(
                fields=["id"],
                condition=models.Q(handled_at__isnull=True),
                name="event_unhandled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.customer_id} at {self.occurred_at:%Y-%m-%d %H:%M}"
