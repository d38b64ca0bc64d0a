"""The screen pop a telephony or chat system opens, and creating a customer from it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courtier.console.htmx import redirect, staff_view
from courtier.core.actor import Actor
from courtier.core.errors import DomainError, NotFound
from courtier.customers.services import recognition, records
from courtier.customers.services.records import NewIdentifier

KINDS = ("phone", "email", "handle")
LAST_INTERACTIONS = 5


@require_GET
@staff_view
def incoming(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Show who is calling and how to greet them, or a short form to create them.

    Exactly one of ``phone``, ``email`` or ``handle``. Recognition logs the access.
    """
    given = [(k, request.GET[k]) for k in KINDS if request.GET.get(k, "").strip()]
    context: dict[str, Any] = {"kinds": KINDS}
    if len(given) != 1:
        context["error"] = "Give exactly one of phone, email or handle."
        return render(request, "console/incoming.html", context, status=400)
    kind, value = given[0]
    context.update(kind=kind, value=value[:320])
    try:
        card = recognition.recognize(actor, kind, value, reason=f"screen pop by {kind}")
    except NotFound:
        return render(request, "console/incoming.html", {**context, "unknown": True})
    except DomainError as exc:
        context["error"] = exc.detail
        return render(request, "console/incoming.html", context, status=exc.status)
    context["card"] = card
    context["last_interactions"] = card["interactions"][:LAST_INTERACTIONS]
    return render(request, "console/incoming.html", context)


@require_POST
@staff_view
def create(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Create a customer from the screen pop's form: a name and the identifier they used."""
    kind = request.POST.get("kind", "")
    value = request.POST.get("value", "")
    name = request.POST.get("display_name", "")
    identifiers = [NewIdentifier(kind, value)] if value.strip() else []
    try:
        customer = records.create_customer(
            actor,
            {"display_name": name},
            identifiers=identifiers,
            reason="created from the screen pop",
        )
    except DomainError as exc:
        context = {
            "kinds": KINDS,
            "kind": kind if kind in KINDS else "phone",
            "value": value[:320],
            "display_name": name[:200],
            "unknown": True,
            "form_errors": {e.field.split(".")[-1]: e.message for e in exc.errors},
            "form_error": exc.detail,
        }
        return render(request, "console/incoming.html", context, status=exc.status)
    return redirect(request, reverse("console:customer", args=[customer.public_id]))
