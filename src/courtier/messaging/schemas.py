"""API shapes for templates, preferences, messages and webhooks; write shapes are strict."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from courtier.customers.schemas import Strict

ChannelName = Literal["email", "sms", "portal"]
CategoryName = Literal["service", "proactive", "offers"]


class TemplateIn(Strict):
    purpose: str = Field(max_length=64)
    channel: ChannelName
    language: Literal["en", "fr"]
    category: Literal["service", "proactive", "offers", ""] = ""
    subject: str = Field("", max_length=300)
    text: str = Field(max_length=20_000)
    html: str = Field("", max_length=100_000)


class TemplateOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    purpose: str
    category: str
    channel: str
    language: str
    subject: str
    text: str
    html: str
    updated_by: str
    updated_at: datetime


class PreviewIn(Strict):
    customer_id: uuid.UUID
    purpose: str = Field(max_length=64)
    channel: ChannelName
    language: Literal["en", "fr"] | None = None
    # Unsaved words to try; leave all empty to preview the saved template.
    subject: str = Field("", max_length=300)
    text: str = Field("", max_length=20_000)
    html: str = Field("", max_length=100_000)
    context: dict[str, Any] = Field(default_factory=dict)


class PreviewOut(Schema):
    subject: str
    text: str
    html: str
    language: str
    language_fallback: bool
    sms_encoding: str | None = None
    sms_segments: int | None = None


class CapIn(Strict):
    count: int = Field(ge=1, le=1000)
    days: int = Field(ge=1, le=366)


class PreferencesIn(Strict):
    preferred_channel: Literal["email", "sms", "portal", ""] | None = None
    quiet_start: str | None = Field(None, max_length=8)
    quiet_end: str | None = Field(None, max_length=8)
    do_not_contact: bool | None = None
    caps: dict[CategoryName, CapIn | None] | None = None
    consents: dict[CategoryName, dict[ChannelName, bool]] | None = None


class PreferencesOut(Schema):
    preferred_channel: str
    quiet_start: str
    quiet_end: str
    do_not_contact: bool
    time_zone: str
    caps: dict[str, dict[str, int]]
    consents: dict[str, dict[str, bool]]


class PreferenceChangeOut(Schema):
    at: datetime
    field: str
    old_value: str
    new_value: str
    actor_kind: str
    actor_label: str
    origin: str


class MessageIn(Strict):
    purpose: str = Field(max_length=64)
    context: dict[str, Any] = Field(default_factory=dict)
    key: str = Field("", max_length=200)
    channel: Literal["email", "sms", "portal", ""] = ""


class MessageOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    customer_id: uuid.UUID = Field(alias="customer.public_id")
    purpose: str
    category: str
    channel: str
    language: str
    language_fallback: bool
    to_address: str
    subject: str
    text: str
    state: str
    suppressed_reason: str
    decision: str
    send_after: datetime
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    failed_at: datetime | None


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class InboundOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    channel: str
    status: str
    customer_id: uuid.UUID | None = Field(None, alias="customer.public_id")
    interaction_id: uuid.UUID | None = Field(None, alias="interaction_public_id")
    case_ref: str


class InboundRawOut(InboundOut):
    provider_id: str
    error: str
    received_at: datetime
    raw: str
