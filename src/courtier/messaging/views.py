"""Staff pages for messaging (template editor with preview, preferences, message log) and
the customer's one-click unsubscribe. Thin: parse, call one service, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from courtier.core.errors import DomainError, Invalid
from courtier.customers.models import Customer
from courtier.customers.services.records import get_customer
from courtier.messaging import forms
from courtier.messaging.models import Category, MessageChannel, State
from courtier.messaging.services import outbox, preferences, templates
from courtier.messaging.services.style import sms_segments
from courtier.staff.services import actor_of


def _errors(exc: DomainError) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors} or {"general": exc.detail}


@staff_member_required
@require_http_methods(["GET", "POST"])
def template_editor(request: HttpRequest, template_id: uuid.UUID | None = None) -> HttpResponse:
    """List templates; create or edit one, with a preview for a real customer."""
    found = templates.get_template(template_id) if template_id else None
    data = forms.template_data(request.POST) if request.method == "POST" else {}
    if found is not None and not data:
        data = {name: str(getattr(found, name)) for name in forms.TEMPLATE_FIELDS}
    errors: dict[str, str] = {}
    rendered: Any = None
    preview_for = request.POST.get("preview_customer", "")
    if request.method == "POST":
        try:
            if "preview" in request.POST:
                rendered = _preview(data, preview_for)
            else:
                saved = templates.save_template(actor_of(request), data, found)
                return redirect("messaging:template", template_id=saved.public_id)
        except DomainError as exc:
            errors = _errors(exc)
    context = {
        "templates": templates.templates(),
        "current": found,
        "data": data,
        "errors": errors,
        "rendered": rendered,
        "preview_customer": preview_for,
        "channels": MessageChannel.values,
        "categories": Category.values,
        "languages": ["en", "fr"],
    }
    return render(request, "messaging/templates.html", context)


def _preview(data: dict[str, str], customer_ref: str) -> dict[str, Any]:
    try:
        customer = get_customer(uuid.UUID(customer_ref.strip()))
    except ValueError:
        raise Invalid.field("preview_customer", "give a customer's id") from None
    out = templates.preview(
        customer,
        purpose=data["purpose"],
        channel=data["channel"],
        language=data["language"] or None,
        sources=(data["subject"], data["text"], data["html"]),
    )
    result: dict[str, Any] = {**out.__dict__, "customer": customer.display_name}
    if data["channel"] == "sms":
        result["encoding"], result["segments"] = sms_segments(out.text)
    return result


@staff_member_required
@require_http_methods(["GET", "POST"])
def customer_preferences(request: HttpRequest, customer_id: uuid.UUID) -> HttpResponse:
    """A customer's preferences and consents, their history, and the form to change them."""
    customer = get_customer(customer_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            preferences.change_preferences(
                actor_of(request),
                customer,
                forms.preference_changes(request.POST),
                origin="staff",
            )
            return redirect("messaging:preferences", customer_id=customer.public_id)
        except DomainError as exc:
            errors = _errors(exc)
    context = {
        "customer": customer,
        "prefs": preferences.preferences_of(customer).as_dict(),
        "history": preferences.preference_history(customer)[:100],
        "errors": errors,
        "channels": MessageChannel.values,
    }
    return render(request, "messaging/preferences.html", context)


@staff_member_required
def message_log(request: HttpRequest) -> HttpResponse:
    """Messages with their decision and delivery state, newest first (one customer's or all)."""
    customer: Customer | None = None
    if request.GET.get("customer"):
        try:
            customer = get_customer(uuid.UUID(request.GET["customer"]))
        except ValueError:
            customer = None
    state = request.GET.get("state", "")
    state = state if state in State.values else ""
    rows = outbox.message_log(customer, state).order_by("-created_at", "-id")[:200]
    context = {"messages_": rows, "customer": customer, "state": state, "states": State.values}
    return render(request, "messaging/log.html", context)


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a form; the token is signed
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm (GET) and withdraw (POST) email consent for the category the link names."""
    done = False
    error = ""
    category = ""
    if request.method == "POST":
        try:
            _, category = preferences.unsubscribe(token)
            done = True
        except Invalid as exc:
            error = exc.errors[0].message
    status = 400 if error else 200
    context = {"done": done, "error": error, "category": category}
    return render(request, "messaging/unsubscribe.html", context, status=status)
