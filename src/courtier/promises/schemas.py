"""API shapes for agreements and promises. Write shapes refuse unknown fields."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from courtier.customers.schemas import Strict


class AgreementIn(Strict):
    product: str = Field(max_length=200)
    start_date: date
    term_months: int
    price: Decimal
    currency: str = Field("CAD", max_length=3)
    renewal_date: date | None = None


class AgreementStatusIn(Strict):
    status: Literal["active", "ended", "cancelled"]


class AgreementOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    customer_id: uuid.UUID = Field(alias="customer.public_id")
    product: str
    status: str
    start_date: date
    term_months: int
    end_date: date = Field(description="As signed; never moves")
    renewal_date: date = Field(description="As signed; never moves")
    extension_months: int = Field(description="Months added by kept extensions")
    effective_end_date: date = Field(description="The end date to use: signed + extensions")
    effective_renewal_date: date = Field(description="The renewal date to use everywhere")
    price: Decimal
    currency: str


class PromiseIn(Strict):
    kind: Literal["callback", "credit", "extension", "custom"]
    text: str = Field("", max_length=1000)
    amount: Decimal | None = None
    months: int | None = None
    due_at: datetime | None = None
    agreement_id: uuid.UUID | None = None
    owner: str | None = Field(None, max_length=150, description="Who keeps it (default: you)")


class SettleIn(Strict):
    note: str = Field("", max_length=1000)


class ReasonIn(Strict):
    reason: str = Field(max_length=1000)


class PromiseOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    customer_id: uuid.UUID = Field(alias="customer.public_id")
    case_id: uuid.UUID = Field(alias="case.public_id")
    agreement_id: uuid.UUID | None = None
    kind: str
    text: str
    amount: Decimal | None
    months: int | None
    due_at: datetime | None
    made_by: str = Field(alias="made_by.username")
    owner: str = Field(alias="owner.username")
    made_at: datetime
    state: str
    settled_at: datetime | None
    settled_by: str = Field(alias="settled_by_label")
    reason: str
    overdue: bool = False

    @staticmethod
    def resolve_agreement_id(obj: Any) -> uuid.UUID | None:
        return obj.agreement.public_id if obj.agreement_id else None


class PromiseFilters(Schema):
    model_config = ConfigDict(extra="forbid")
    state: Literal["pending", "kept", "broken", "cancelled"] | None = None
    owner: str | None = Field(None, max_length=150, description="A username, or 'me'")
    customer_id: uuid.UUID | None = None
    overdue: bool | None = None
    sort: str = Field("made_at", max_length=30)
    cursor: str | None = Field(None, max_length=500)
    limit: int = 50


class PromisePage(Schema):
    items: list[PromiseOut]
    next_cursor: str | None
