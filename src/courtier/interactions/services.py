"""Recording contacts and reading the timeline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from courtier.audit.services import log_access
from courtier.core.actor import Actor
from courtier.core.errors import FieldError, Invalid
from courtier.core.sql import HotQuery, iso, uid
from courtier.customers.models import Customer
from courtier.interactions.models import Channel, Direction, Interaction

MAX_BODY = 100_000
CARD_INTERACTIONS = 20


@transaction.atomic
def record_interaction(
    actor: Actor,
    customer: Customer,
    *,
    channel: str,
    direction: str,
    summary: str,
    body: str = "",
    occurred_at: datetime | None = None,
    source: str = "",
) -> Interaction:
    """Append one contact to ``customer``'s timeline and log who recorded it.

    Raises :class:`Invalid` naming every bad field; nothing is written then.
    """
    errors: list[FieldError] = []
    if channel not in Channel.values:
        errors.append(FieldError("channel", f"must be one of {', '.join(Channel.values)}"))
    if direction not in Direction.values:
        errors.append(FieldError("direction", f"must be one of {', '.join(Direction.values)}"))
    summary = (summary or "").strip()
    if not summary:
        errors.append(FieldError("summary", "is empty"))
    elif len(summary) > 300:
        errors.append(FieldError("summary", "is longer than 300 characters"))
    if len(body or "") > MAX_BODY:
        errors.append(FieldError("body", f"is longer than {MAX_BODY} characters"))
    now = timezone.now()
    if occurred_at is not None and occurred_at > now + timedelta(minutes=5):
        errors.append(FieldError("occurred_at", "is in the future"))
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    interaction = Interaction.objects.create(
        customer=customer,
        channel=channel,
        direction=direction,
        summary=summary,
        body=body or "",
        occurred_at=occurred_at or now,
        staff_id=actor.user_id if actor.kind == "staff" else None,
        source=(source or actor.label)[:100],
    )
    log_access(customer.pk, actor, "update", f"recorded {channel} contact")
    return interaction


def timeline(customer: Customer, channel: str | None = None) -> QuerySet[Interaction]:
    """Return ``customer``'s timeline, newest first, optionally for one channel."""
    qs = Interaction.objects.filter(customer=customer).select_related("staff")
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("-occurred_at", "-id")


_CARD = HotQuery(
    "SELECT i.public_id, i.channel, i.direction, DT(i.occurred_at), i.summary, u.username "
    f"FROM {Interaction._meta.db_table} i "
    "LEFT JOIN auth_user u ON u.id = i.staff_id "
    "WHERE i.customer_id = %s ORDER BY i.occurred_at DESC, i.id DESC LIMIT "
    f"{CARD_INTERACTIONS}"
)


def card_interactions(customer_id: int) -> list[dict[str, Any]]:
    """Return the last interactions for the customer card (one indexed query)."""
    return [
        {
            "id": uid(public_id),
            "channel": channel,
            "direction": direction,
            "occurred_at": iso(occurred_at),
            "summary": summary,
            "staff": staff,
        }
        for public_id, channel, direction, occurred_at, summary, staff in _CARD.fetchall(
            (customer_id,)
        )
    ]
