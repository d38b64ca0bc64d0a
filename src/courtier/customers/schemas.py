"""API shapes for customers, identifiers and facts. Write shapes refuse unknown fields."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

# "register" (vous/tu) cannot be a pydantic attribute: every model class already has a
# `register` (ABCMeta's), which pydantic would take as the field's default. Schemas call
# the attribute `register_` and use "register" as its alias in and out.
REGISTER = Field(None, alias="register", description="formal (vous) or informal (tu)")

IdentifierKindName = Literal["phone", "email", "handle", "account"]


class Strict(Schema):
    """A write shape: a field the API does not know is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class IdentifierIn(Strict):
    kind: IdentifierKindName
    value: str = Field(max_length=320)
    system: str = Field("", max_length=64)
    source: str = Field("", max_length=100)
    verified_at: datetime | None = None


class IdentifierPatch(Strict):
    verified_at: datetime | None = None
    source: str | None = Field(None, max_length=100)


class IdentifierOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    customer_id: uuid.UUID = Field(alias="customer.public_id")
    kind: str
    system: str
    raw_value: str
    value: str
    source: str
    verified_at: datetime | None
    created_at: datetime


class FactIn(Strict):
    key: str = Field(max_length=64)
    value: str = Field(max_length=1000)
    source: str = Field("", max_length=100)
    source_kind: Literal["system", "staff", "customer", "import", ""] = ""
    observed_at: datetime | None = None
    verified_at: datetime | None = None


class FactOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    customer_id: uuid.UUID = Field(alias="customer.public_id")
    key: str
    value: str
    source_kind: str
    source: str
    observed_at: datetime
    verified_at: datetime | None
    retracted_at: datetime | None


class CustomerFields(Strict):
    display_name: str | None = Field(None, max_length=200)
    given_name: str | None = Field(None, max_length=100)
    family_name: str | None = Field(None, max_length=100)
    preferred_name: str | None = Field(None, max_length=100)
    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)
    salutation: Literal["", "ms", "mr", "mx", "dr"] | None = None
    language: Literal["en", "fr"] | None = None
    register_: Literal["formal", "informal"] | None = REGISTER
    time_zone: str | None = Field(None, max_length=64)


class CustomerIn(CustomerFields):
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=50)
    facts: list[FactIn] = Field(default_factory=list, max_length=200)


class CustomerPatch(CustomerFields):
    status: Literal["active", "inactive"] | None = None


class CustomerOut(Schema):
    model_config = ConfigDict(serialize_by_alias=True)
    id: uuid.UUID = Field(validation_alias="public_id")
    display_name: str
    given_name: str
    family_name: str
    preferred_name: str
    salutation: str
    language: str
    register_: str = Field(alias="register")
    time_zone: str
    status: str
    created_at: datetime
    updated_at: datetime


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class Card(Schema):
    """The customer card (see ``customers/card.py``); sections are lists of objects."""

    model_config = ConfigDict(serialize_by_alias=True)

    id: uuid.UUID
    display_name: str
    given_name: str
    family_name: str
    preferred_name: str
    salutation: str
    language: str
    register_: str = Field(alias="register")
    time_zone: str
    status: str
    address: str = Field(description="How to address them: 'Madame Tremblay' or 'Marie'")
    greeting: str = Field(description="'Bonjour Madame Tremblay', 'Hi Marie'")
    identifiers: list[dict[str, Any]]
    profile: list[dict[str, Any]]
    interactions: list[dict[str, Any]]
    open_cases: list[dict[str, Any]]
    pending_promises: list[dict[str, Any]]
    agreements: list[dict[str, Any]] = Field(default_factory=list)
    messages: list[dict[str, Any]] = Field(default_factory=list)
    matched: dict[str, str] | None = None


class AccessOut(Schema):
    at: datetime
    actor_kind: str
    actor_label: str
    action: str
    reason: str


class Problem(Schema):
    """RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None
