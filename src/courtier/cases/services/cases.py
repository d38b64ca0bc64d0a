"""Opening requests, changing their status, and attaching the conversation to them."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from courtier.audit.events import emit
from courtier.audit.services import log_access
from courtier.cases.models import (
    ACTIVE_STATUSES,
    AccountOwner,
    Case,
    CaseInteraction,
    Priority,
    Status,
)
from courtier.cases.services.calendars import deadlines
from courtier.core.actor import Actor
from courtier.core.errors import Conflict, FieldError, Invalid, NotFound
from courtier.customers.models import Customer, CustomerStatus, Fact
from courtier.interactions.models import Channel, Direction, Interaction
from courtier.interactions.services import record_interaction

SEGMENT_FACT = "segment"


def staff_user(username: str, field: str) -> User:
    """Return the active staff member with this username, or raise naming ``field``."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise Invalid.field(field, f"no staff member is called {username!r}")
    if not user.is_active:
        raise Invalid.field(field, f"{username} is not an active staff member")
    return user


def get_case(public_id: uuid.UUID) -> Case:
    """Return the case with this public id, or raise :class:`NotFound`."""
    case = Case.objects.select_related("customer", "owner").filter(public_id=public_id).first()
    if case is None:
        raise NotFound("No case has this id.")
    return case


def _segment_of(customer: Customer) -> str:
    value = (
        Fact.objects.filter(customer=customer, key=SEGMENT_FACT, retracted_at=None)
        .order_by("-observed_at", "-id")
        .values_list("value", flat=True)
        .first()
    )
    return (value or "")[:64]


def first_owner(actor: Actor, customer: Customer) -> User:
    """Return who owns a new request: the account owner, else whoever took the contact."""
    link = AccountOwner.objects.select_related("user").filter(customer=customer).first()
    if link is not None and link.user.is_active:
        return link.user
    if actor.user_id is not None:
        taker = User.objects.filter(pk=actor.user_id, is_active=True).first()
        if taker is not None:
            return taker
    raise Invalid.field(
        "owner", "the customer has no account owner and no staff member took the contact"
    )


@transaction.atomic
def set_account_owner(
    actor: Actor, customer: Customer, username: str, now: datetime | None = None
) -> AccountOwner:
    """Make ``username`` the customer's account owner (replacing any previous one)."""
    user = staff_user(username, "owner")
    link, _ = AccountOwner.objects.update_or_create(
        customer=customer, defaults={"user": user, "since": now or timezone.now()}
    )
    log_access(customer.pk, actor, "update", f"account owner set to {username}")
    return link


@transaction.atomic
def open_case(
    actor: Actor,
    customer: Customer,
    *,
    subject: str,
    channel: str,
    priority: str = Priority.NORMAL,
    now: datetime | None = None,
) -> Case:
    """Open a request with its owner and SLA deadlines already set.

    The owner is the customer's account owner, else the staff member acting: there is no
    unowned request. Raises :class:`Invalid` naming each bad field; nothing is written then.
    """
    now = now or timezone.now()
    errors: list[FieldError] = []
    subject = (subject or "").strip()
    if not subject:
        errors.append(FieldError("subject", "is empty"))
    elif len(subject) > 200:
        errors.append(FieldError("subject", "is longer than 200 characters"))
    if channel not in Channel.values:
        errors.append(FieldError("channel", f"must be one of {', '.join(Channel.values)}"))
    if priority not in Priority.values:
        errors.append(FieldError("priority", f"must be one of {', '.join(Priority.values)}"))
    if customer.status == CustomerStatus.MERGED:
        errors.append(FieldError("customer_id", "was merged into another customer"))
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    owner = first_owner(actor, customer)
    segment = _segment_of(customer)
    due = deadlines(priority, segment, now)
    case = Case.objects.create(
        customer=customer,
        subject=subject,
        channel=channel,
        priority=priority,
        owner=owner,
        opened_by_id=actor.user_id,
        segment=segment,
        opened_at=now,
        first_response_due_at=due.first_response,
        resolution_due_at=due.resolution,
    )
    log_access(customer.pk, actor, "update", f"opened case {case.public_id}")
    return case


def lock_case(case: Case) -> Case:
    """Re-read ``case`` under a row lock (inside a transaction) so two agents acting at
    once see each other's change."""
    return Case.objects.select_for_update().select_related("customer", "owner").get(pk=case.pk)


def _mark_resolved(case: Case, now: datetime) -> None:
    inbound = CaseInteraction.objects.filter(
        case=case, interaction__direction=Direction.INBOUND
    ).count()
    case.resolved_at = now
    if case.first_response_at is None:
        case.first_response_at = now
    case.first_contact_resolution = (
        case.handoff_count == 0 and case.reopened_count == 0 and inbound <= 1
    )


@transaction.atomic
def set_status(actor: Actor, case: Case, status: str, now: datetime | None = None) -> Case:
    """Move a case to ``status``; resolving records first-contact resolution.

    A closed case stays closed (:class:`Conflict`); reopening a resolved one counts.
    """
    now = now or timezone.now()
    if status not in Status.values:
        raise Invalid.field("status", f"must be one of {', '.join(Status.values)}")
    case = lock_case(case)
    if case.status == Status.CLOSED:
        raise Conflict(
            "status: the case is closed; open a new one",
            [FieldError("status", "the case is closed")],
        )
    if status == case.status:
        return case
    if case.status == Status.RESOLVED and status in ACTIVE_STATUSES:
        case.reopened_count += 1
        case.resolved_at = None
        case.first_contact_resolution = None
    if status == Status.RESOLVED:
        _mark_resolved(case, now)
        emit("case.resolved", case.customer_id, {"case": str(case.public_id)}, at=now)
    if status == Status.CLOSED:
        if case.resolved_at is None:
            _mark_resolved(case, now)
        case.closed_at = now
    case.status = status
    case.save()
    log_access(case.customer_id, actor, "update", f"case {case.public_id} is now {status}")
    return case


def _attach(case: Case, interaction: Interaction, *, notice: bool = False) -> None:
    if interaction.customer_id != case.customer_id:
        raise Invalid.field("interaction_id", "belongs to another customer")
    if CaseInteraction.objects.filter(interaction=interaction).exists():
        raise Conflict(
            "interaction_id: already belongs to a case",
            [FieldError("interaction_id", "already belongs to a case")],
        )
    CaseInteraction.objects.create(case=case, interaction=interaction, notice=notice)
    if notice:
        return
    if interaction.direction == Direction.INBOUND:
        customer_replied(case, interaction.occurred_at)
    elif interaction.direction == Direction.OUTBOUND and case.first_response_at is None:
        case.first_response_at = interaction.occurred_at
        case.save(update_fields=["first_response_at"])


def customer_replied(case: Case, at: datetime) -> None:
    """Reopen a case that waited on the customer (or was resolved) because they replied.

    Called inside the transaction that recorded the reply; the caller holds the row lock.
    """
    if case.status == Status.CLOSED:
        raise Conflict(
            "case_id: the case is closed; open a new one for this contact",
            [FieldError("case_id", "the case is closed")],
        )
    if case.status == Status.RESOLVED:
        case.reopened_count += 1
        case.resolved_at = None
        case.first_contact_resolution = None
    if case.status in (Status.WAITING_CUSTOMER, Status.RESOLVED):
        case.status = Status.OPEN
        case.save()


@transaction.atomic
def record_on_case(
    actor: Actor,
    case: Case,
    *,
    channel: str,
    direction: str,
    summary: str,
    body: str = "",
    occurred_at: datetime | None = None,
    source: str = "",
) -> Interaction:
    """Record a contact on the customer's timeline as part of ``case``.

    This is the recording path for a case's conversation: a reply from the customer
    reopens a waiting or resolved case, our first answer stops the first-response clock.
    All in one transaction; a refused contact leaves neither the row nor the link.
    """
    case = lock_case(case)
    if case.status == Status.CLOSED:
        raise Conflict(
            "case_id: the case is closed; open a new one for this contact",
            [FieldError("case_id", "the case is closed")],
        )
    interaction = record_interaction(
        actor,
        case.customer,
        channel=channel,
        direction=direction,
        summary=summary,
        body=body,
        occurred_at=occurred_at,
        source=source,
    )
    _attach(case, interaction)
    return interaction


@transaction.atomic
def attach_interaction(actor: Actor, case: Case, interaction: Interaction) -> Case:
    """Attach a contact already on the timeline to ``case`` (with the same effects)."""
    case = lock_case(case)
    _attach(case, interaction)
    log_access(case.customer_id, actor, "update", f"attached a contact to case {case.public_id}")
    return case


def conversation(case: Case) -> list[Interaction]:
    """Return the case's interactions, oldest first (one query)."""
    return list(
        Interaction.objects.filter(
            pk__in=CaseInteraction.objects.filter(case=case).values("interaction_id")
        )
        .select_related("staff")
        .order_by("occurred_at", "id")
    )
