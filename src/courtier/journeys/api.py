"""REST endpoints for proactive rules: edit, preview, dry run, enable, and what each did."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from courtier.core.pagination import paginate
from courtier.customers.schemas import Problem
from courtier.journeys.schemas import (
    EnableIn,
    HistoryFilters,
    HistoryPage,
    PreviewOut,
    RuleIn,
    RuleOut,
    RulePatch,
    TriggerOut,
)
from courtier.journeys.services import rules
from courtier.journeys.services.preview import dry_run, preview_rule
from courtier.journeys.triggers import DATE_TRIGGERS, TRIGGERS
from courtier.staff.services import actor_of

router = Router(tags=["rules"])
ERRORS: dict[int, Any] = {400: Problem, 404: Problem, 409: Problem, 422: Problem}


@router.get("/rules/triggers", response={200: list[TriggerOut], **ERRORS})
def list_triggers(request: HttpRequest) -> Any:
    """What can start a rule: domain events and dates."""
    return [
        {"name": k, "kind": "date" if k in DATE_TRIGGERS else "event", "description": v}
        for k, v in TRIGGERS.items()
    ]


@router.get("/rules", response={200: list[RuleOut], **ERRORS})
def list_rules(request: HttpRequest) -> Any:
    """Every rule, by name, with what its last run did."""
    return list(rules.rules())


@router.post("/rules", response={201: RuleOut, **ERRORS})
def create_rule(request: HttpRequest, payload: RuleIn) -> Any:
    """Create a rule, disabled: preview it, then enable it."""
    return Status(201, rules.save_rule(actor_of(request), payload.model_dump()))


@router.post("/rules/dry-run", response={200: PreviewOut, **ERRORS})
def dry_run_rule(request: HttpRequest, payload: RuleIn) -> Any:
    """Whom an unsaved rule would act on now, with sample messages; nothing is written."""
    return dry_run(payload.model_dump())


@router.get("/rules/{rule_id}", response={200: RuleOut, **ERRORS})
def get_rule(request: HttpRequest, rule_id: uuid.UUID) -> Any:
    """One rule."""
    return rules.get_rule(rule_id)


@router.patch("/rules/{rule_id}", response={200: RuleOut, **ERRORS})
def change_rule(request: HttpRequest, rule_id: uuid.UUID, payload: RulePatch) -> Any:
    """Change a rule; a changed rule is disabled until it is enabled again."""
    changes = payload.model_dump(exclude_unset=True)
    return rules.save_rule(actor_of(request), changes, rules.get_rule(rule_id))


@router.get("/rules/{rule_id}/preview", response={200: PreviewOut, **ERRORS})
def preview(request: HttpRequest, rule_id: uuid.UUID) -> Any:
    """How many and which customers the rule would act on now, with sample messages."""
    return preview_rule(rules.get_rule(rule_id))


@router.post("/rules/{rule_id}/enable", response={200: RuleOut, **ERRORS})
def enable(request: HttpRequest, rule_id: uuid.UUID, payload: EnableIn) -> Any:
    """Enable a rule; a large audience needs ``confirm`` set to it (409 says how many)."""
    rule = rules.get_rule(rule_id)
    return rules.set_enabled(actor_of(request), rule, True, confirm=payload.confirm)


@router.post("/rules/{rule_id}/disable", response={200: RuleOut, **ERRORS})
def disable(request: HttpRequest, rule_id: uuid.UUID) -> Any:
    """Disable a rule: it stops acting at once."""
    return rules.set_enabled(actor_of(request), rules.get_rule(rule_id), False)


@router.get("/rules/{rule_id}/history", response={200: HistoryPage, **ERRORS})
def history(request: HttpRequest, rule_id: uuid.UUID, f: Query[HistoryFilters]) -> Any:
    """What the rule did, newest first: fired, suppressed (and why), failed."""
    qs = rules.history(rules.get_rule(rule_id), f.outcome or "")
    page = paginate(qs, sort="-at", allowed=("at",), cursor=f.cursor, limit=f.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}
