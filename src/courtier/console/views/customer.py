"""The customer page: profile facts, identifiers, timeline; logging and editing in place."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courtier.console.htmx import htmx_target, redirect, staff_view
from courtier.console.services.pages import more_timeline, open_customer, timeline_page
from courtier.console.services.roles import SETTLE, permissions_of
from courtier.core.actor import Actor
from courtier.core.errors import DomainError, NotFound
from courtier.customers.card import card_for
from courtier.customers.models import Customer
from courtier.customers.services import facts
from courtier.customers.services.records import get_customer
from courtier.interactions.models import Channel, Direction
from courtier.interactions.services import record_interaction

# The two-click log: pick one of these, type a line, save.
QUICK_CHANNELS = [("phone", "Call note"), ("branch", "Branch visit"), ("email", "Email")]


def _error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "console/error.html", {"error": exc}, status=exc.status)


def _common(request: HttpRequest, customer: Customer, **extra: Any) -> dict[str, Any]:
    return {
        "customer": customer,
        "channels": Channel.choices,
        "directions": Direction.choices,
        "quick_channels": QUICK_CHANNELS,
        "can_settle": SETTLE in permissions_of(request),
        **extra,
    }


def _full_page(request: HttpRequest, customer: Customer, **errors: Any) -> HttpResponse:
    """The whole page again with a refused form's errors (no JavaScript, or a page load)."""
    context = _common(request, customer, card=card_for(customer), page=timeline_page(customer))
    return render(request, "console/customer.html", {**context, **errors}, status=422)


@require_GET
@staff_view
def customer_page(request: HttpRequest, actor: Actor, public_id: uuid.UUID) -> HttpResponse:
    """The whole page, or for htmx the timeline (filter) or its next rows (scrolling)."""
    channel = request.GET.get("channel", "")
    cursor = request.GET.get("cursor") or None
    target = htmx_target(request)
    try:
        if target in {"timeline", "timeline-more"}:
            customer, page = more_timeline(actor, public_id, channel, cursor)
            partial = "timeline" if target == "timeline" else "timeline_rows"
            context = _common(request, customer, page=page)
            return render(request, f"console/partials/{partial}.html", context)
        customer, card, page = open_customer(actor, public_id, channel, cursor)
    except DomainError as exc:
        return _error_page(request, exc)
    return render(
        request, "console/customer.html", _common(request, customer, card=card, page=page)
    )


@require_POST
@staff_view
def log_interaction(request: HttpRequest, actor: Actor, public_id: uuid.UUID) -> HttpResponse:
    """Append a contact; htmx gets the refreshed timeline, a page load a redirect."""
    try:
        customer = get_customer(public_id)
    except NotFound as exc:
        return _error_page(request, exc)
    errors: dict[str, str] = {}
    try:
        record_interaction(
            actor,
            customer,
            channel=request.POST.get("channel", ""),
            direction=request.POST.get("direction", "") or "inbound",
            summary=request.POST.get("summary", ""),
            body=request.POST.get("body", ""),
        )
    except DomainError as exc:
        errors = {e.field: e.message for e in exc.errors} or {"summary": exc.detail}
    if htmx_target(request) != "timeline":
        if errors:
            return _full_page(request, customer, log_errors=errors)
        return redirect(request, reverse("console:customer", args=[public_id]))
    page = timeline_page(customer)
    context = _common(request, customer, page=page, log_errors=errors)
    status = 422 if errors else 200
    return render(request, "console/partials/timeline.html", context, status=status)


@require_POST
@staff_view
def record_fact(request: HttpRequest, actor: Actor, public_id: uuid.UUID) -> HttpResponse:
    """Record a fact sourced to the staff member; htmx gets the refreshed facts."""
    try:
        customer = get_customer(public_id)
    except NotFound as exc:
        return _error_page(request, exc)
    errors: dict[str, str] = {}
    try:
        facts.record_fact(
            actor, customer, request.POST.get("key", ""), request.POST.get("value", "")
        )
    except DomainError as exc:
        errors = {e.field: e.message for e in exc.errors} or {"value": exc.detail}
    return _facts_answer(request, customer, errors)


@require_POST
@staff_view
def settle(request: HttpRequest, actor: Actor, public_id: uuid.UUID, key: str) -> HttpResponse:
    """Settle a conflict on ``key`` with the fact the staff member chose."""
    if SETTLE not in permissions_of(request):
        return render(request, "console/forbidden.html", status=403)
    try:
        customer = get_customer(public_id)
        chosen = facts.get_fact(uuid.UUID(request.POST.get("fact", "")))
        facts.settle_conflict(actor, customer, key, chosen)
    except ValueError:
        return _facts_answer(request, customer, {"fact": "choose one of the values"})
    except DomainError as exc:
        return _error_page(request, exc)
    return _facts_answer(request, customer, {})


def _facts_answer(request: HttpRequest, customer: Customer, errors: dict[str, str]) -> HttpResponse:
    if htmx_target(request) != "facts":
        if errors:
            return _full_page(request, customer, fact_errors=errors)
        return redirect(request, reverse("console:customer", args=[customer.public_id]))
    context = _common(request, customer, card=card_for(customer), fact_errors=errors)
    status = 422 if errors else 200
    return render(request, "console/partials/facts.html", context, status=status)
