"""REST endpoints for cases, their conversation, hand-offs, tasks and case reports."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from courtier.audit.services import log_access
from courtier.cases.models import ACTIVE_STATUSES, AccountOwner, Case
from courtier.cases.schemas import (
    AccountOwnerIn,
    AccountOwnerOut,
    AttachIn,
    CaseFilters,
    CaseIn,
    CaseInteractionIn,
    CaseOut,
    CasePage,
    HandOffIn,
    HandOffOut,
    StatusIn,
    TaskOut,
    Window,
)
from courtier.cases.services import cases, clocks, handoffs, reports, tasks
from courtier.core.errors import Invalid, NotFound
from courtier.core.pagination import paginate
from courtier.customers.schemas import Problem
from courtier.customers.services.records import get_customer
from courtier.interactions.api import InteractionOut
from courtier.interactions.models import Interaction
from courtier.staff.services import actor_of

router = Router(tags=["cases"])
ERRORS: dict[int, Any] = {400: Problem, 404: Problem, 409: Problem, 422: Problem}


def _with_clock(case: Case) -> Case:
    state = clocks.case_clock(case, timezone.now())
    case.sla = state.state  # type: ignore[attr-defined]
    case.next_due_at = state.next_due_at  # type: ignore[attr-defined]
    return case


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="List requests")
def list_cases(request: HttpRequest, f: Query[CaseFilters]) -> Any:
    """Requests filtered by owner (``me`` for yourself), customer and status."""
    qs = Case.objects.select_related("customer", "owner")
    if f.owner == "me":
        qs = qs.filter(owner_id=actor_of(request).user_id)
    elif f.owner:
        qs = qs.filter(owner__username=f.owner)
    if f.customer_id:
        qs = qs.filter(customer__public_id=f.customer_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.active:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    page = paginate(
        qs,
        sort=f.sort,
        allowed=("resolution_due_at", "first_response_due_at", "opened_at"),
        cursor=f.cursor,
        limit=f.limit,
    )
    return {"items": [_with_clock(c) for c in page.items], "next_cursor": page.next_cursor}


@router.post("/cases", response={201: CaseOut, **ERRORS}, summary="Open a request")
def open_case(request: HttpRequest, payload: CaseIn) -> Any:
    """Open a request; its owner is the account owner, else you. Deadlines are set."""
    customer = get_customer(payload.customer_id)
    case = cases.open_case(
        actor_of(request),
        customer,
        subject=payload.subject,
        channel=payload.channel,
        priority=payload.priority,
    )
    return Status(201, _with_clock(cases.get_case(case.public_id)))


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS}, summary="One request")
def get_case(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """A request with its SLA state."""
    return _with_clock(cases.get_case(case_id))


@router.post("/cases/{case_id}/status", response={200: CaseOut, **ERRORS})
def set_status(request: HttpRequest, case_id: uuid.UUID, payload: StatusIn) -> Any:
    """Move a request to another status (closed is final)."""
    case = cases.set_status(actor_of(request), cases.get_case(case_id), payload.status)
    return _with_clock(cases.get_case(case.public_id))


@router.get("/cases/{case_id}/handoffs", response={200: list[HandOffOut], **ERRORS})
def list_handoffs(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """The request's hand-offs, newest first."""
    return handoffs.handoffs_of(cases.get_case(case_id))


@router.post("/cases/{case_id}/handoffs", response={201: HandOffOut, **ERRORS})
def hand_off(request: HttpRequest, case_id: uuid.UUID, payload: HandOffIn) -> Any:
    """Hand the request to another staff member, with a note; the customer is told."""
    done = handoffs.hand_off(
        actor_of(request), cases.get_case(case_id), to=payload.to, note=payload.note
    )
    return Status(201, done)


@router.get("/cases/{case_id}/interactions", response={200: list[InteractionOut], **ERRORS})
def list_conversation(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """The request's conversation, oldest first (logged as a view of the customer)."""
    case = cases.get_case(case_id)
    log_access(case.customer_id, actor_of(request), "view", "case conversation through the API")
    return cases.conversation(case)


@router.post("/cases/{case_id}/interactions", response={201: InteractionOut, **ERRORS})
def record_on_case(request: HttpRequest, case_id: uuid.UUID, payload: CaseInteractionIn) -> Any:
    """Record a contact as part of the request; a customer's reply reopens a waiting one."""
    interaction = cases.record_on_case(
        actor_of(request), cases.get_case(case_id), **payload.model_dump()
    )
    return Status(
        201, Interaction.objects.select_related("customer", "staff").get(pk=interaction.pk)
    )


@router.post("/cases/{case_id}/attach", response={200: CaseOut, **ERRORS})
def attach(request: HttpRequest, case_id: uuid.UUID, payload: AttachIn) -> Any:
    """Attach a contact already on the customer's timeline to the request."""
    interaction = Interaction.objects.filter(public_id=payload.interaction_id).first()
    if interaction is None:
        raise Invalid.field("interaction_id", "no interaction has this id")
    case = cases.attach_interaction(actor_of(request), cases.get_case(case_id), interaction)
    return _with_clock(cases.get_case(case.public_id))


@router.put("/customers/{customer_id}/account-owner", response={200: AccountOwnerOut, **ERRORS})
def set_account_owner(request: HttpRequest, customer_id: uuid.UUID, payload: AccountOwnerIn) -> Any:
    """Name the staff member who looks after this customer's new requests."""
    customer = get_customer(customer_id)
    link = cases.set_account_owner(actor_of(request), customer, payload.username)
    return {"customer_id": customer.public_id, "username": payload.username, "since": link.since}


@router.get("/customers/{customer_id}/account-owner", response={200: AccountOwnerOut, **ERRORS})
def get_account_owner(request: HttpRequest, customer_id: uuid.UUID) -> Any:
    """Who looks after this customer (404 when nobody does)."""
    customer = get_customer(customer_id)
    link = AccountOwner.objects.select_related("user").filter(customer=customer).first()
    if link is None:
        raise NotFound("This customer has no account owner.")
    return {"customer_id": customer.public_id, "username": link.user.username, "since": link.since}


@router.get("/tasks", response={200: list[TaskOut], **ERRORS}, summary="My open tasks")
def my_tasks(request: HttpRequest) -> Any:
    """Your open tasks, soonest due first."""
    user_id = actor_of(request).user_id
    if user_id is None:
        return []
    return list(tasks.open_tasks(user_id).select_related("owner")[:200])


@router.get("/reports/cases", response={200: dict[str, Any], **ERRORS}, summary="Case report")
def case_report(request: HttpRequest, w: Query[Window]) -> Any:
    """Hand-offs per case (cases opened in the window) and first-contact resolution
    (cases resolved in the window)."""
    return {
        "handoffs": reports.handoff_report(w.since, w.until),
        "first_contact_resolution": reports.first_contact_resolution(w.since, w.until),
    }
