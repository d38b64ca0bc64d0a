"""REST endpoints for the timeline."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from courtier.core.errors import NotFound
from courtier.core.pagination import paginate
from courtier.core.problem import refuse_unknown_params
from courtier.customers.schemas import Problem, Strict
from courtier.customers.services.records import get_customer
from courtier.interactions import services
from courtier.interactions.models import Interaction
from courtier.staff.services import actor_of

router = Router(tags=["interactions"])
ERRORS: dict[int, Any] = {400: Problem, 404: Problem, 409: Problem, 422: Problem}
ChannelName = Literal["phone", "sms", "email", "chat", "web", "portal", "branch", "letter"]


class InteractionIn(Strict):
    channel: ChannelName
    direction: Literal["inbound", "outbound", "internal"]
    summary: str = Field(max_length=300)
    body: str = Field("", max_length=services.MAX_BODY)
    occurred_at: datetime | None = None
    source: str = Field("", max_length=100)


class InteractionOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    customer_id: uuid.UUID = Field(alias="customer.public_id")
    channel: str
    direction: str
    occurred_at: datetime
    summary: str
    body: str
    staff: str | None = Field(None, alias="staff.username")
    source: str
    created_at: datetime


class InteractionPage(Schema):
    items: list[InteractionOut]
    next_cursor: str | None


class TimelineFilters(Schema):
    model_config = ConfigDict(extra="forbid")
    channel: ChannelName | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: str = Field("-occurred_at", max_length=30)
    cursor: str | None = Field(None, max_length=500)
    limit: int = 50


def _page(request: HttpRequest, qs: Any, f: TimelineFilters) -> dict[str, Any]:
    refuse_unknown_params(request.GET, TimelineFilters.model_fields)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.since:
        qs = qs.filter(occurred_at__gte=f.since)
    if f.until:
        qs = qs.filter(occurred_at__lt=f.until)
    page = paginate(
        qs.select_related("customer", "staff"),
        sort=f.sort,
        allowed=("occurred_at", "created_at"),
        cursor=f.cursor,
        limit=f.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/customers/{customer_id}/interactions",
    response={200: InteractionPage, **ERRORS},
    summary="A customer's timeline",
)
def customer_timeline(
    request: HttpRequest, customer_id: uuid.UUID, f: Query[TimelineFilters]
) -> Any:
    """Every contact with the customer on every channel, newest first."""
    customer = get_customer(customer_id)
    return _page(request, Interaction.objects.filter(customer=customer), f)


@router.post(
    "/customers/{customer_id}/interactions",
    response={201: InteractionOut, **ERRORS},
    summary="Record a contact",
)
def record(request: HttpRequest, customer_id: uuid.UUID, payload: InteractionIn) -> Any:
    """Append a contact to the timeline (the timeline is never edited)."""
    customer = get_customer(customer_id)
    interaction = services.record_interaction(actor_of(request), customer, **payload.model_dump())
    return Status(201, interaction)


@router.get("/interactions", response={200: InteractionPage, **ERRORS}, summary="All contacts")
def all_interactions(request: HttpRequest, f: Query[TimelineFilters]) -> Any:
    """Contacts across all customers, filtered by channel and time."""
    return _page(request, Interaction.objects.all(), f)


@router.get("/interactions/{interaction_id}", response={200: InteractionOut, **ERRORS})
def get_interaction(request: HttpRequest, interaction_id: uuid.UUID) -> Any:
    """One contact."""
    found = (
        Interaction.objects.select_related("customer", "staff")
        .filter(public_id=interaction_id)
        .first()
    )
    if found is None:
        raise NotFound("No interaction has this id.")
    return found
