"""Requests with one owner, the hand-offs between owners, SLA targets and business hours."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from courtier.core.ids import new_id
from courtier.customers.models import Customer
from courtier.interactions.models import Channel, Interaction


class Status(models.TextChoices):
    """Where a request stands; only ``closed`` is final."""

    OPEN = "open", "Open"
    WAITING_CUSTOMER = "waiting_customer", "Waiting on customer"
    WAITING_US = "waiting_us", "Waiting on us"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


ACTIVE_STATUSES = (Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_US)


class Priority(models.TextChoices):
    """How fast the request must be answered and solved (see :class:`SlaTarget`)."""

    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class AccountOwner(models.Model):
    """The staff member who looks after a customer; new requests go to them first."""

    # Kept here rather than on Customer: ownership of requests is this app's concern, and
    # the customers app stays free of staff assignments.
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.customer_id} -> {self.user_id}"


class Case(models.Model):
    """A customer's request, owned by exactly one staff member from start to finish."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    # No index of its own: an index or unique constraint in Meta starts with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="cases", db_index=False
    )
    subject = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    segment = models.CharField(max_length=64, blank=True)
    opened_at = models.DateTimeField()
    first_response_due_at = models.DateTimeField()
    resolution_due_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    handoff_count = models.PositiveIntegerField(default=0)
    reopened_count = models.PositiveIntegerField(default=0)
    # Set when the case is resolved: solved at the first contact, by its first owner.
    first_contact_resolution = models.BooleanField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "status", "resolution_due_at"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["resolved_at"]),
            # Journeys' "waiting past its SLA" trigger: a range over due dates by status.
            models.Index(fields=["status", "resolution_due_at"]),
        ]

    def __str__(self) -> str:
        return self.subject


class CaseInteraction(models.Model):
    """An interaction of the timeline that belongs to a case (at most one case each)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    interaction = models.OneToOneField(Interaction, on_delete=models.CASCADE, related_name="+")
    # The "who owns your request now" notice is on the timeline but is no answer.
    notice = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["case", "id"])]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.interaction_id}"


class HandOff(models.Model):
    """A referral of a case from one owner to another, with the context note."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handoffs")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    by_label = models.CharField(max_length=150)
    note = models.TextField()
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_user_id} -> {self.to_user_id}"


class SlaTarget(models.Model):
    """Business minutes allowed to first answer and to resolve, per priority and segment."""

    priority = models.CharField(max_length=8, choices=Priority.choices)
    # Empty: every customer without a more specific target.
    segment = models.CharField(max_length=64, blank=True)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["priority", "segment"], name="sla_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.priority}/{self.segment or '*'}"


class BusinessCalendar(models.Model):
    """When the company is open; the one marked default counts every SLA clock."""

    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64)
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Form validation for the admin: an unknown zone would stop every SLA clock.
        if self.time_zone not in zoneinfo.available_timezones():
            raise ValidationError({"time_zone": f"{self.time_zone!r} is not a time zone name"})


class BusinessHours(models.Model):
    """One opening window on one weekday (two rows make a lunch break)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        # Form validation for the admin; the services refuse such a calendar anyway.
        if self.opens is not None and self.closes is not None and self.opens >= self.closes:
            raise ValidationError({"closes": "must be after the opening time"})


class Holiday(models.Model):
    """A date on which the company is closed all day."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Task(models.Model):
    """Something a staff member must do by a date, such as keeping a promise."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=300)
    due_at = models.DateTimeField()
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE)
    # What made the task ("promise") and its public id: apps above this one (promises)
    # link their rows here without this app importing them.
    origin = models.CharField(max_length=20, blank=True)
    origin_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "origin_id"],
                condition=Q(origin_id__isnull=False),
                name="task_once_per_origin",
            )
        ]
        indexes = [models.Index(fields=["owner", "done_at", "due_at"])]

    def __str__(self) -> str:
        return self.subject
