"""Saving rules: every check that can be made before a rule runs is made here.

A rule is refused, naming the field, for an unknown trigger, a condition the language
does not accept (the path inside the condition is named), a bad action, or a loop that
can be seen from the rule alone (its action re-triggers it). Enabling a rule whose
preview reaches more customers than the threshold needs that audience confirmed.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from courtier.core.actor import Actor
from courtier.core.errors import Conflict, FieldError, Invalid, NotFound
from courtier.journeys.conditions import ALWAYS, check
from courtier.journeys.models import Firing, Rule
from courtier.journeys.services.actions import check_actions
from courtier.journeys.services.engine import confirm_threshold
from courtier.journeys.triggers import DATE_TRIGGERS, TRIGGERS

FIELDS = {"name", "description", "trigger", "days", "condition", "actions", "rate_per_hour"}
# (trigger, action type) pairs whose action is the trigger itself: an endless loop.
_SELF_LOOPS = {
    ("tag.added", "add_tag"): "adding a tag on tag.added would trigger this rule again",
    ("tag.removed", "remove_tag"): "removing a tag on tag.removed would trigger it again",
    ("message.failed", "send"): "sending a message on message.failed can fail and loop",
}


def clean_rule(data: Mapping[str, Any], current: Rule | None = None) -> dict[str, Any]:
    """Check a rule's fields (merged over ``current``); raise :class:`Invalid` naming each."""
    errors = [FieldError(k, "unknown field") for k in sorted(set(data) - FIELDS)]
    merged: dict[str, Any] = {}
    if current is not None:
        merged = {k: getattr(current, k) for k in FIELDS}
    merged.update({k: v for k, v in data.items() if k in FIELDS})
    merged.setdefault("description", "")
    merged.setdefault("days", 0)
    merged.setdefault("rate_per_hour", 1000)
    merged["condition"] = merged.get("condition") or dict(ALWAYS)
    name = merged.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors.append(FieldError("name", "must be text of 1 to 200 characters"))
    else:
        merged["name"] = name.strip()
    trigger = merged.get("trigger")
    if trigger not in TRIGGERS:
        errors.append(FieldError("trigger", f"must be one of {', '.join(TRIGGERS)}"))
    days = merged["days"]
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 366:
        errors.append(FieldError("days", "must be a whole number from 0 to 366"))
    rate = merged["rate_per_hour"]
    if not isinstance(rate, int) or isinstance(rate, bool) or not 1 <= rate <= 1_000_000:
        errors.append(FieldError("rate_per_hour", "must be a whole number from 1 to 1000000"))
    if not isinstance(merged["description"], str) or len(merged["description"]) > 2000:
        errors.append(FieldError("description", "must be text of at most 2000 characters"))
    errors.extend(FieldError(e.path, e.message) for e in check(merged["condition"]))
    action_errors = check_actions(merged.get("actions"))
    errors.extend(action_errors)
    if not action_errors:
        for i, action in enumerate(merged["actions"]):
            loop = _SELF_LOOPS.get((str(trigger), action["type"]))
            if loop:
                errors.append(FieldError(f"actions[{i}]", f"loop: {loop}"))
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return merged


@transaction.atomic
def save_rule(actor: Actor, data: Mapping[str, Any], rule: Rule | None = None) -> Rule:
    """Create a rule (disabled) or change one; a changed rule is disabled until re-enabled.

    Disabling on change means a new condition is previewed before it acts. Raises
    :class:`Invalid` naming each bad field and :class:`Conflict` for a taken name.
    """
    clean = clean_rule(data, rule)
    now = timezone.now()
    if rule is None:
        rule = Rule(created_at=now, webhook_secret=secrets.token_hex(32))
    for key, value in clean.items():
        setattr(rule, key, value)
    rule.enabled = False
    rule.confirmed_audience = 0
    rule.updated_by = actor.label[:150]
    rule.updated_at = now
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise Conflict(
            "name: another rule has this name", [FieldError("name", "is taken")]
        ) from None
    return rule


@transaction.atomic
def set_enabled(
    actor: Actor, rule: Rule, enabled: bool, *, confirm: int = 0, now: datetime | None = None
) -> Rule:
    """Enable or disable a rule. Enabling one whose preview reaches more customers than
    the threshold raises :class:`Conflict` unless ``confirm`` covers that many."""
    from courtier.journeys.services.preview import preview_rule

    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    if enabled:
        audience = preview_rule(rule, now=now, samples=0).count
        if audience > confirm_threshold() and confirm < audience:
            raise Conflict(
                f"confirm: this rule would act on {audience} customers now, more than "
                f"{confirm_threshold()}; enable it again with confirm={audience}",
                [FieldError("confirm", f"must be at least {audience} to enable")],
            )
        rule.confirmed_audience = max(confirm, 0)
    rule.enabled = enabled
    rule.updated_by = actor.label[:150]
    rule.updated_at = timezone.now()
    rule.save()
    return rule


def get_rule(public_id: uuid.UUID | str) -> Rule:
    """The rule with this public id, or :class:`NotFound`."""
    try:
        return Rule.objects.get(public_id=public_id)
    except (Rule.DoesNotExist, ValueError, Invalid):
        raise NotFound("No rule has this id.") from None


def rules() -> QuerySet[Rule]:
    """All rules, by name."""
    return Rule.objects.order_by("name", "id")


def history(rule: Rule, outcome: str = "") -> QuerySet[Firing]:
    """What the rule did, newest first: fired, suppressed (with why), failed."""
    qs = Firing.objects.filter(rule=rule).select_related("customer")
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs.order_by("-at", "-id")


def is_date_rule(rule: Rule) -> bool:
    """Whether the rule is run by the date evaluator rather than by events."""
    return rule.trigger in DATE_TRIGGERS
