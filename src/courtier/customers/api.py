"""REST endpoints for customers, identifiers, facts, recognition and the access log."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from ninja import Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict, Field

from courtier.audit.services import accesses, log_access
from courtier.core.errors import Invalid, NotFound
from courtier.core.pagination import paginate
from courtier.core.problem import CONTENT_TYPE, refuse_unknown_params
from courtier.customers.card import card_for
from courtier.customers.models import Customer, Fact, Identifier
from courtier.customers.schemas import (
    AccessOut,
    Card,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    FactIn,
    FactOut,
    IdentifierIn,
    IdentifierOut,
    IdentifierPatch,
    Problem,
)
from courtier.customers.services import facts, recognition, records
from courtier.customers.services.facts import NewFact
from courtier.customers.services.records import NewIdentifier
from courtier.staff.services import actor_of

router = Router(tags=["customers"])
ERRORS: dict[int, Any] = {400: Problem, 404: Problem, 409: Problem, 422: Problem}


def _json(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")


class RecognizeQuery(BaseModel):
    # A plain pydantic model, not a ninja Schema: Schema's validator, which reads Django
    # model attributes, cost more than validating the nine strings themselves.
    model_config = ConfigDict(extra="forbid")
    phone: str | None = Field(None, max_length=320, description="Any format: (514) 555 0199")
    email: str | None = Field(None, max_length=320, description="Any letter case")
    handle: str | None = Field(None, max_length=320)
    account: str | None = Field(None, max_length=320)
    system: str | None = Field(None, max_length=64, description="The account's system")
    reason: str = Field("", max_length=200, description="Why the record is opened")
    name: str | None = Field(None, max_length=320, description="Fuzzy fallback: the name given")
    birth_date: str | None = Field(None, max_length=32, description="Fuzzy fallback")
    postal_code: str | None = Field(None, max_length=32, description="Fuzzy fallback")


@router.get("/recognize", response={200: Card, **ERRORS}, summary="Recognize a customer")
def recognize(request: HttpRequest, q: Query[RecognizeQuery]) -> HttpResponse:
    """Find the customer behind one identifier and return their card.

    Give exactly one of ``phone``, ``email``, ``handle`` or ``account``. Each call is written
    to the customer's access log with the caller and the ``reason``.
    """
    refuse_unknown_params(request.GET, RecognizeQuery.model_fields)
    identifiers = {"phone": q.phone, "email": q.email, "handle": q.handle, "account": q.account}
    try:
        card = recognition.recognize_one(
            actor_of(request), identifiers, system=q.system, reason=q.reason
        )
    except NotFound as exc:
        if not (q.name or q.birth_date or q.postal_code):
            raise
        kind, value = next((k, v) for k, v in identifiers.items() if v)
        return _candidates_problem(exc, kind, value, q)
    # Returned as bytes, not through the response schema: this is the hottest endpoint and
    # validating a card with pydantic would halve its throughput.
    return _json(card)


def _candidates_problem(exc: NotFound, kind: str, value: str, q: RecognizeQuery) -> HttpResponse:
    """404 with the identity matcher's ranked candidates, for when nothing matches exactly."""
    # identity sits above customers; imported here so customers never depends on it.
    from courtier.identity.services import match

    details = {kind: value, "name": q.name or "", "birth_date": q.birth_date or ""}
    details["postal_code"] = q.postal_code or ""
    body = {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": exc.detail + " Candidates are ranked by match probability.",
        "candidates": [c.as_dict() for c in match(details)],
    }
    return HttpResponse(orjson.dumps(body), status=404, content_type=CONTENT_TYPE)


class CustomerFilters(Schema):
    model_config = ConfigDict(extra="forbid")
    status: str | None = Field(None, max_length=10)
    language: str | None = Field(None, max_length=8)
    name: str | None = Field(None, max_length=200, description="Part of the display name")
    created_after: str | None = None
    sort: str = Field("-created_at", max_length=30)
    cursor: str | None = Field(None, max_length=500)
    limit: int = 50


@router.get("/customers", response={200: CustomerPage, **ERRORS}, summary="List customers")
def list_customers(request: HttpRequest, f: Query[CustomerFilters]) -> Any:
    """List customers, newest first by default, with cursor pagination."""
    refuse_unknown_params(request.GET, CustomerFilters.model_fields)
    qs = Customer.objects.all()
    if f.status:
        qs = qs.filter(status=f.status)
    if f.language:
        qs = qs.filter(language=f.language)
    if f.name:
        qs = qs.filter(display_name__icontains=f.name)
    if f.created_after:
        when = parse_datetime(f.created_after)
        if when is None:
            raise Invalid.field("created_after", "is not an ISO 8601 date-time")
        qs = qs.filter(created_at__gt=when)
    page = paginate(
        qs,
        sort=f.sort,
        allowed=("created_at", "updated_at", "display_name"),
        cursor=f.cursor,
        limit=f.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/customers", response={201: CustomerOut, **ERRORS}, summary="Create a customer")
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    """Create a customer with identifiers and facts in one step, all or nothing."""
    fields = payload.model_dump(exclude={"identifiers", "facts"}, exclude_none=True)
    customer = records.create_customer(
        actor_of(request),
        fields,
        identifiers=[NewIdentifier(**i.model_dump()) for i in payload.identifiers],
        facts=[NewFact(**f.model_dump()) for f in payload.facts],
    )
    return Status(201, customer)


@router.get("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def get_customer(request: HttpRequest, customer_id: uuid.UUID) -> Any:
    """Return one customer's record (logged as a view)."""
    customer = records.get_customer(customer_id)
    log_access(customer.pk, actor_of(request), "view", "read through the API")
    return customer


@router.get("/customers/{customer_id}/card", response={200: Card, **ERRORS})
def get_card(request: HttpRequest, customer_id: uuid.UUID) -> HttpResponse:
    """Return one customer's card, as recognition does (logged as a view)."""
    customer = records.get_customer(customer_id)
    log_access(customer.pk, actor_of(request), "view", "card through the API")
    return _json(card_for(customer))


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def update_customer(request: HttpRequest, customer_id: uuid.UUID, payload: CustomerPatch) -> Any:
    """Change some of a customer's fields; fields not sent are left as they are."""
    customer = records.get_customer(customer_id)
    return records.update_customer(
        actor_of(request), customer, payload.model_dump(exclude_unset=True)
    )


@router.delete("/customers/{customer_id}", response={204: None, **ERRORS})
def delete_customer(request: HttpRequest, customer_id: uuid.UUID) -> Any:
    """Erase a customer and everything held about them (the access log stays)."""
    records.delete_customer(actor_of(request), records.get_customer(customer_id))
    return Status(204, None)


@router.get("/customers/{customer_id}/access-log", response={200: list[AccessOut], **ERRORS})
def access_log(request: HttpRequest, customer_id: uuid.UUID, limit: int = 100) -> Any:
    """Who looked at or changed this record, newest first."""
    customer = records.get_customer(customer_id)
    return list(accesses(customer.pk)[: max(1, min(limit, 500))])


# Identifiers


@router.get("/customers/{customer_id}/identifiers", response={200: list[IdentifierOut], **ERRORS})
def list_identifiers(request: HttpRequest, customer_id: uuid.UUID) -> Any:
    """The identifiers that lead to this customer."""
    customer = records.get_customer(customer_id)
    return list(customer.identifiers.select_related("customer").order_by("kind", "id"))


@router.post(
    "/customers/{customer_id}/identifiers",
    response={201: IdentifierOut, 200: IdentifierOut, **ERRORS},
)
def add_identifier(request: HttpRequest, customer_id: uuid.UUID, payload: IdentifierIn) -> Any:
    """Attach an identifier; 409 if another customer already uses it."""
    customer = records.get_customer(customer_id)
    identifier, created = records.add_identifier(
        actor_of(request), customer, NewIdentifier(**payload.model_dump())
    )
    return Status((201 if created else 200), identifier)


def _identifier(identifier_id: uuid.UUID) -> Identifier:
    found = Identifier.objects.select_related("customer").filter(public_id=identifier_id).first()
    if found is None:
        raise NotFound("No identifier has this id.")
    return found


@router.get("/identifiers/{identifier_id}", response={200: IdentifierOut, **ERRORS})
def get_identifier(request: HttpRequest, identifier_id: uuid.UUID) -> Any:
    """One identifier."""
    return _identifier(identifier_id)


@router.patch("/identifiers/{identifier_id}", response={200: IdentifierOut, **ERRORS})
def update_identifier(
    request: HttpRequest, identifier_id: uuid.UUID, payload: IdentifierPatch
) -> Any:
    """Mark an identifier verified (send ``verified_at``) or change its source."""
    data = payload.model_dump(exclude_unset=True)
    identifier = _identifier(identifier_id)
    return records.update_identifier(
        actor_of(request),
        identifier,
        verified_at=data.get("verified_at", identifier.verified_at),
        source=data.get("source"),
    )


@router.delete("/identifiers/{identifier_id}", response={204: None, **ERRORS})
def remove_identifier(request: HttpRequest, identifier_id: uuid.UUID) -> Any:
    """Detach an identifier from its customer."""
    records.remove_identifier(actor_of(request), _identifier(identifier_id))
    return Status(204, None)


# Facts


@router.get("/customers/{customer_id}/facts", response={200: list[FactOut], **ERRORS})
def list_facts(
    request: HttpRequest, customer_id: uuid.UUID, include_retracted: bool = False
) -> Any:
    """Every observation held about the customer, oldest first, with its provenance."""
    customer = records.get_customer(customer_id)
    qs = Fact.objects.filter(customer=customer).select_related("customer")
    if not include_retracted:
        qs = qs.filter(retracted_at=None)
    return list(qs.order_by("key", "observed_at", "id"))


@router.get("/customers/{customer_id}/profile", response={200: list[dict[str, Any]], **ERRORS})
def profile(request: HttpRequest, customer_id: uuid.UUID) -> Any:
    """The current value of each key, with source, freshness and any conflict."""
    return facts.profile_of(records.get_customer(customer_id))


@router.post("/customers/{customer_id}/facts", response={201: FactOut, **ERRORS})
def record_fact(request: HttpRequest, customer_id: uuid.UUID, payload: FactIn) -> Any:
    """Record an observation; the source defaults to the caller."""
    customer = records.get_customer(customer_id)
    fact = facts.record_fact_as(actor_of(request), customer, NewFact(**payload.model_dump()))
    return Status(201, fact)


@router.get("/facts/{fact_id}", response={200: FactOut, **ERRORS})
def get_fact(request: HttpRequest, fact_id: uuid.UUID) -> Any:
    """One fact."""
    return facts.get_fact(fact_id)


@router.post("/facts/{fact_id}/verify", response={200: FactOut, **ERRORS})
def verify_fact(request: HttpRequest, fact_id: uuid.UUID) -> Any:
    """Mark a fact verified now."""
    return facts.verify_fact(actor_of(request), facts.get_fact(fact_id))


@router.delete("/facts/{fact_id}", response={200: FactOut, **ERRORS})
def retract_fact(request: HttpRequest, fact_id: uuid.UUID) -> Any:
    """Retract a fact: it leaves the profile but stays in the history."""
    return facts.retract_fact(actor_of(request), facts.get_fact(fact_id))
