"""REST endpoints for agreements, promises and the promise-kept report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from courtier.cases.schemas import Window
from courtier.cases.services.cases import get_case
from courtier.core.errors import Invalid
from courtier.core.pagination import paginate
from courtier.customers.schemas import Problem
from courtier.customers.services.records import get_customer
from courtier.promises.models import Agreement, Promise, State
from courtier.promises.schemas import (
    AgreementIn,
    AgreementOut,
    AgreementStatusIn,
    PromiseFilters,
    PromiseIn,
    PromiseOut,
    PromisePage,
    ReasonIn,
    SettleIn,
)
from courtier.promises.services import agreements, promises, reports
from courtier.staff.services import actor_of

router = Router(tags=["promises"])
ERRORS: dict[int, Any] = {400: Problem, 404: Problem, 409: Problem, 422: Problem}


def _out(promise: Promise, now: datetime | None = None) -> Promise:
    promise.overdue = promises.overdue(promise, now or timezone.now())  # type: ignore[attr-defined]
    return promise


def _dump(promise: Promise, now: datetime | None = None) -> Promise:
    return _out(promise, now)


@router.get("/customers/{customer_id}/agreements", response={200: list[AgreementOut], **ERRORS})
def list_agreements(request: HttpRequest, customer_id: uuid.UUID) -> Any:
    """What the customer holds, with signed and effective dates."""
    customer = get_customer(customer_id)
    return list(agreements.agreements_of(customer).select_related("customer"))


@router.post("/customers/{customer_id}/agreements", response={201: AgreementOut, **ERRORS})
def create_agreement(request: HttpRequest, customer_id: uuid.UUID, payload: AgreementIn) -> Any:
    """Record an agreement; the end date is the start plus the term."""
    customer = get_customer(customer_id)
    agreement = agreements.create_agreement(actor_of(request), customer, **payload.model_dump())
    return Status(201, agreements.get_agreement(agreement.public_id))


@router.get("/agreements/{agreement_id}", response={200: AgreementOut, **ERRORS})
def get_agreement(request: HttpRequest, agreement_id: uuid.UUID) -> Any:
    """One agreement."""
    return agreements.get_agreement(agreement_id)


@router.post("/agreements/{agreement_id}/status", response={200: AgreementOut, **ERRORS})
def set_agreement_status(
    request: HttpRequest, agreement_id: uuid.UUID, payload: AgreementStatusIn
) -> Any:
    """Mark the agreement active, ended or cancelled."""
    agreement = agreements.get_agreement(agreement_id)
    return agreements.set_agreement_status(actor_of(request), agreement, payload.status)


@router.get("/promises", response={200: PromisePage, **ERRORS}, summary="List promises")
def list_promises(request: HttpRequest, f: Query[PromiseFilters]) -> Any:
    """Promises filtered by state, owner (``me``), customer, and overdue."""
    now = timezone.now()
    qs = Promise.objects.select_related("customer", "case", "agreement", "made_by", "owner")
    if f.state:
        qs = qs.filter(state=f.state)
    if f.owner == "me":
        qs = qs.filter(owner_id=actor_of(request).user_id)
    elif f.owner:
        qs = qs.filter(owner__username=f.owner)
    if f.customer_id:
        qs = qs.filter(customer__public_id=f.customer_id)
    if f.overdue is not None:
        late = {"state": State.PENDING, "due_at__lt": now}
        qs = qs.filter(**late) if f.overdue else qs.exclude(**late)
    page = paginate(qs, sort=f.sort, allowed=("made_at", "due_at"), cursor=f.cursor, limit=f.limit)
    return {"items": [_dump(p, now) for p in page.items], "next_cursor": page.next_cursor}


@router.post("/cases/{case_id}/promises", response={201: PromiseOut, **ERRORS})
def make_promise(request: HttpRequest, case_id: uuid.UUID, payload: PromiseIn) -> Any:
    """Record a promise you make to the case's customer."""
    case = get_case(case_id)
    agreement = None
    if payload.agreement_id is not None:
        agreement = Agreement.objects.filter(public_id=payload.agreement_id).first()
        if agreement is None:
            raise Invalid.field("agreement_id", "no agreement has this id")
    data = payload.model_dump(exclude={"agreement_id"})
    made = promises.make_promise(actor_of(request), case, agreement=agreement, **data)
    return Status(201, _dump(promises.get_promise(made.public_id)))


@router.get("/promises/{promise_id}", response={200: PromiseOut, **ERRORS})
def get_promise(request: HttpRequest, promise_id: uuid.UUID) -> Any:
    """One promise, with who made it and how it was settled."""
    return _dump(promises.get_promise(promise_id))


@router.post("/promises/{promise_id}/keep", response={200: PromiseOut, **ERRORS})
def keep(request: HttpRequest, promise_id: uuid.UUID, payload: SettleIn) -> Any:
    """Mark the promise kept; an extension moves its agreement's effective dates."""
    done = promises.keep_promise(actor_of(request), promises.get_promise(promise_id), payload.note)
    return _dump(promises.get_promise(done.public_id))


@router.post("/promises/{promise_id}/break", response={200: PromiseOut, **ERRORS})
def break_(request: HttpRequest, promise_id: uuid.UUID, payload: ReasonIn) -> Any:
    """Record that the promise was not kept, and why."""
    done = promises.break_promise(
        actor_of(request), promises.get_promise(promise_id), payload.reason
    )
    return _dump(promises.get_promise(done.public_id))


@router.post("/promises/{promise_id}/cancel", response={200: PromiseOut, **ERRORS})
def cancel(request: HttpRequest, promise_id: uuid.UUID, payload: ReasonIn) -> Any:
    """Withdraw the promise, with the reason."""
    done = promises.cancel_promise(
        actor_of(request), promises.get_promise(promise_id), payload.reason
    )
    return _dump(promises.get_promise(done.public_id))


@router.get("/reports/promises", response={200: dict[str, Any], **ERRORS})
def kept_report(request: HttpRequest, w: Query[Window]) -> Any:
    """Promise-kept rate per staff member and overall, for promises made in the window."""
    return reports.kept_rate(timezone.now(), w.since, w.until)
