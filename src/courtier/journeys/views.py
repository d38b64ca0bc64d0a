"""Console pages for rules: list, edit, enable and disable, preview, history. Thin: the
services decide; these parse the form, call one service, render."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courtier.console.htmx import htmx_target, redirect, staff_view
from courtier.core.actor import Actor
from courtier.core.errors import DomainError, FieldError, Invalid
from courtier.journeys.conditions import ATTRIBUTES, OPS
from courtier.journeys.models import Outcome, Rule
from courtier.journeys.services import rules
from courtier.journeys.services.actions import ACTION_TYPES
from courtier.journeys.services.engine import confirm_threshold
from courtier.journeys.services.preview import preview_rule
from courtier.journeys.triggers import DATE_TRIGGERS, TRIGGERS

MANAGE = "journeys.manage_rules"
HISTORY_PAGE = 50


def _can_manage(request: HttpRequest) -> bool:
    return isinstance(request.user, User) and request.user.has_perm(MANAGE)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "console/forbidden.html", status=403)


def _error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "console/error.html", {"error": exc}, status=exc.status)


@require_GET
@staff_view
def rule_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Every rule with its trigger, whether it is on, and what its last run did."""
    context = {"rules": list(rules.rules()), "can_manage": _can_manage(request)}
    return render(request, "journeys/list.html", context)


def _form_data(request: HttpRequest) -> tuple[dict[str, Any], list[FieldError]]:
    """The rule fields from the form; JSON fields that do not parse are named."""
    post = request.POST
    data: dict[str, Any] = {k: post.get(k, "") for k in ("name", "description", "trigger")}
    errors: list[FieldError] = []
    for key in ("days", "rate_per_hour"):
        raw = post.get(key, "").strip()
        data[key] = int(raw) if raw.lstrip("-").isdigit() else raw
    for key in ("condition", "actions"):
        raw = post.get(key, "").strip()
        try:
            data[key] = json.loads(raw) if raw else ({} if key == "condition" else [])
        except json.JSONDecodeError as exc:
            errors.append(FieldError(key, f"is not JSON: {exc.msg} at line {exc.lineno}"))
    return data, errors


def _form_context(rule: Rule | None, data: dict[str, Any] | None = None) -> dict[str, Any]:
    source: dict[str, Any] = data or {}
    if rule is not None and data is None:
        source = {k: getattr(rule, k) for k in rules.FIELDS}
    return {
        "rule": rule,
        "form": {
            **{k: source.get(k, "") for k in ("name", "description", "trigger")},
            "days": source.get("days", 0),
            "rate_per_hour": source.get("rate_per_hour", 1000),
            "condition": json.dumps(source.get("condition") or {}, indent=2, ensure_ascii=False),
            "actions": json.dumps(source.get("actions") or [], indent=2, ensure_ascii=False),
        },
        "triggers": [(k, v, k in DATE_TRIGGERS) for k, v in TRIGGERS.items()],
        "attributes": [*ATTRIBUTES, "facts.<key>", "event.<key>"],
        "ops": OPS,
        "action_types": ACTION_TYPES,
    }


@require_http_methods(["GET", "POST"])
@staff_view
def edit(request: HttpRequest, actor: Actor, public_id: uuid.UUID | None = None) -> HttpResponse:
    """The rule form; a refused save shows the form again with each field's reason."""
    if not _can_manage(request):
        return _forbidden(request)
    try:
        rule = rules.get_rule(public_id) if public_id else None
    except DomainError as exc:
        return _error_page(request, exc)
    if request.method == "GET":
        return render(request, "journeys/form.html", _form_context(rule))
    data, errors = _form_data(request)
    try:
        if errors:
            raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
        saved = rules.save_rule(actor, data, rule)
    except DomainError as exc:
        context = _form_context(rule, data)
        if errors:  # keep what was typed, even when it is not JSON
            context["form"].update({k: request.POST.get(k, "") for k in ("condition", "actions")})
        # Keyed by the form field: "condition.and[1].attr" marks the condition box.
        invalid = {e.field.split(".")[0].split("[")[0]: e.message for e in exc.errors}
        context.update(error=exc.detail, errors=exc.errors, field_errors=invalid)
        return render(request, "journeys/form.html", context, status=exc.status)
    return redirect(request, reverse("journeys:detail", args=[saved.public_id]))


def _history(rule: Rule, outcome: str) -> list[Any]:
    return list(rules.history(rule, outcome if outcome in Outcome.values else "")[:HISTORY_PAGE])


@require_GET
@staff_view
def detail(request: HttpRequest, actor: Actor, public_id: uuid.UUID) -> HttpResponse:
    """A rule: what it does, whom it would act on now (preview), and its history.

    For htmx's outcome filter, only the history table.
    """
    try:
        rule = rules.get_rule(public_id)
    except DomainError as exc:
        return _error_page(request, exc)
    outcome = request.GET.get("outcome", "")
    context: dict[str, Any] = {
        "rule": rule,
        # The same JSON staff write in the form, not Python's repr of it.
        "condition": json.dumps(rule.condition, indent=2, ensure_ascii=False),
        "outcome": outcome,
        "outcomes": Outcome.choices,
        "firings": _history(rule, outcome),
    }
    if htmx_target(request) == "history":
        return render(request, "journeys/partials/history.html", context)
    preview = preview_rule(rule)
    context.update(
        preview=preview,
        can_manage=_can_manage(request),
        needs_confirm=preview.count > confirm_threshold(),
        threshold=confirm_threshold(),
        error=request.GET.get("error", "")[:500],
    )
    return render(request, "journeys/detail.html", context)


@require_POST
@staff_view
def switch(request: HttpRequest, actor: Actor, public_id: uuid.UUID, on: bool) -> HttpResponse:
    """Enable (with the confirmed audience, when large) or disable a rule."""
    if not _can_manage(request):
        return _forbidden(request)
    try:
        rule = rules.get_rule(public_id)
        raw = request.POST.get("confirm", "0")
        confirm = int(raw) if raw.isdigit() else 0
        rules.set_enabled(actor, rule, on, confirm=confirm)
    except DomainError as exc:
        url = reverse("journeys:detail", args=[public_id])
        return redirect(request, f"{url}?{urlencode({'error': exc.detail})}")
    return redirect(request, reverse("journeys:detail", args=[public_id]))
