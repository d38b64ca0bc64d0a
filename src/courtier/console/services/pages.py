"""What the customer page reads, and the access-log entry every look writes.

Reads go through the customers and interactions services; the only write is the access
log row, so a page view can never change a record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from courtier.audit.services import log_access
from courtier.core.actor import Actor
from courtier.core.errors import Invalid
from courtier.core.pagination import paginate
from courtier.customers.card import card_for
from courtier.customers.models import Customer
from courtier.customers.services.records import get_customer
from courtier.interactions.models import Channel, Interaction
from courtier.interactions.services import timeline

TIMELINE_PAGE = 20


@dataclass
class TimelinePage:
    """One page of a customer's timeline and the cursor of the next one."""

    channel: str
    items: list[Interaction]
    next_cursor: str | None


def timeline_page(customer: Customer, channel: str = "", cursor: str | None = None) -> TimelinePage:
    """Return one page of the timeline, newest first, one indexed query (keyset).

    Raises :class:`Invalid` naming ``channel`` or ``cursor`` when either is not one we know.
    """
    if channel and channel not in Channel.values:
        raise Invalid.field("channel", f"must be one of {', '.join(Channel.values)}")
    page = paginate(
        timeline(customer, channel or None),
        sort="-occurred_at",
        allowed=("occurred_at",),
        cursor=cursor or None,
        limit=TIMELINE_PAGE,
    )
    return TimelinePage(channel, page.items, page.next_cursor)


def open_customer(
    actor: Actor, public_id: uuid.UUID, channel: str = "", cursor: str | None = None
) -> tuple[Customer, dict[str, Any], TimelinePage]:
    """Return the customer, their card and a timeline page, and log that ``actor`` looked.

    A fixed number of queries however long the history is. Raises :class:`NotFound` for an
    unknown id (nothing is logged then) and :class:`Invalid` for a bad filter or cursor.
    """
    customer = get_customer(public_id)
    page = timeline_page(customer, channel, cursor)
    card = card_for(customer)
    log_access(customer.pk, actor, "view", "console customer page")
    return customer, card, page


def more_timeline(
    actor: Actor, public_id: uuid.UUID, channel: str = "", cursor: str | None = None
) -> tuple[Customer, TimelinePage]:
    """Return a further timeline page (infinite scroll, filters) and log the look."""
    customer = get_customer(public_id)
    page = timeline_page(customer, channel, cursor)
    log_access(customer.pk, actor, "view", "console timeline")
    return customer, page
