"""API shapes for rules, their previews and their history. Write shapes refuse unknown fields."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from courtier.customers.schemas import Strict


class RuleIn(Strict):
    name: str = Field(max_length=200)
    description: str = Field("", max_length=2000)
    trigger: str = Field(max_length=40, description="An event kind or a date trigger")
    days: int = Field(0, description="Days before (renewal, end) or after (resolved) the date")
    condition: dict[str, Any] = Field(default_factory=dict, description="See docs/journeys.md")
    actions: list[dict[str, Any]]
    rate_per_hour: int = 1000


class RulePatch(Strict):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=2000)
    trigger: str | None = Field(None, max_length=40)
    days: int | None = None
    condition: dict[str, Any] | None = None
    actions: list[dict[str, Any]] | None = None
    rate_per_hour: int | None = None


class EnableIn(Strict):
    confirm: int = Field(0, description="The audience you saw in the preview, when it is large")


class RuleOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    name: str
    description: str
    trigger: str
    days: int
    condition: dict[str, Any]
    actions: list[dict[str, Any]]
    enabled: bool
    starter: str | None
    rate_per_hour: int
    confirmed_audience: int
    last_run_at: datetime | None
    last_run_note: str
    updated_by: str
    updated_at: datetime


class PreviewOut(Schema):
    count: int = Field(description="Customers the rule would act on now")
    not_matching: int = Field(description="Found by the trigger, refused by the condition")
    customers: list[dict[str, Any]] = Field(description="A sample, with rendered messages")


class FiringOut(Schema):
    customer_id: uuid.UUID = Field(alias="customer.public_id")
    customer: str = Field(alias="customer.display_name")
    occurrence: str
    outcome: str
    reason: str
    at: datetime


class HistoryFilters(Schema):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["fired", "suppressed", "failed"] | None = None
    cursor: str | None = Field(None, max_length=500)
    limit: int = 50


class HistoryPage(Schema):
    items: list[FiringOut]
    next_cursor: str | None


class TriggerOut(Schema):
    name: str
    kind: Literal["event", "date"]
    description: str
