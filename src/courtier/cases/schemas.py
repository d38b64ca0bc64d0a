"""API shapes for cases, hand-offs and tasks. Write shapes refuse unknown fields."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from courtier.customers.schemas import Strict

ChannelName = Literal["phone", "sms", "email", "chat", "web", "portal", "branch", "letter"]
StatusName = Literal["open", "waiting_customer", "waiting_us", "resolved", "closed"]
PriorityName = Literal["low", "normal", "high", "urgent"]


class CaseIn(Strict):
    customer_id: uuid.UUID
    subject: str = Field(max_length=200)
    channel: ChannelName
    priority: PriorityName = "normal"


class StatusIn(Strict):
    status: StatusName


class HandOffIn(Strict):
    to: str = Field(max_length=150, description="The username of the new owner")
    note: str = Field(max_length=4000, description="The context the new owner needs")


class CaseInteractionIn(Strict):
    channel: ChannelName
    direction: Literal["inbound", "outbound", "internal"]
    summary: str = Field(max_length=300)
    body: str = Field("", max_length=100_000)
    occurred_at: datetime | None = None
    source: str = Field("", max_length=100)


class AttachIn(Strict):
    interaction_id: uuid.UUID


class AccountOwnerIn(Strict):
    username: str = Field(max_length=150)


class AccountOwnerOut(Schema):
    customer_id: uuid.UUID
    username: str
    since: datetime


class CaseOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    customer_id: uuid.UUID = Field(alias="customer.public_id")
    subject: str
    channel: str
    status: str
    priority: str
    owner: str = Field(alias="owner.username")
    segment: str
    opened_at: datetime
    first_response_due_at: datetime
    first_response_at: datetime | None
    resolution_due_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    handoff_count: int
    reopened_count: int
    first_contact_resolution: bool | None
    sla: str = ""
    next_due_at: datetime | None = None


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class HandOffOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    case_id: uuid.UUID = Field(alias="case.public_id")
    from_user: str = Field(alias="from_user.username")
    to_user: str = Field(alias="to_user.username")
    by: str = Field(alias="by_label")
    note: str
    at: datetime


class CaseFilters(Schema):
    model_config = ConfigDict(extra="forbid")
    owner: str | None = Field(None, max_length=150, description="A username, or 'me'")
    customer_id: uuid.UUID | None = None
    status: StatusName | None = None
    active: bool | None = Field(None, description="Only open and waiting requests")
    sort: str = Field("resolution_due_at", max_length=30)
    cursor: str | None = Field(None, max_length=500)
    limit: int = 50


class TaskOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    subject: str
    due_at: datetime
    owner: str = Field(alias="owner.username")
    origin: str
    origin_id: uuid.UUID | None
    done_at: datetime | None


class Window(Schema):
    model_config = ConfigDict(extra="forbid")
    since: datetime | None = None
    until: datetime | None = None
