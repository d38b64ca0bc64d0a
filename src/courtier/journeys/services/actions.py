"""What rules do: send a template, create a task, add or remove a tag, call a webhook.

Each action is checked when the rule is saved (:func:`check_actions`) and performed by
:func:`perform` inside the evaluator's transaction, the one that also writes the firing,
so an action and the record that it happened commit together or not at all.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson
from django.db import transaction
from django.utils import timezone

from courtier.audit.events import emit
from courtier.audit.models import Event
from courtier.cases.models import AccountOwner, Case
from courtier.cases.services.tasks import NewTask, create_tasks_once
from courtier.core.actor import Actor
from courtier.core.errors import FieldError, Invalid
from courtier.customers.models import Customer
from courtier.journeys.models import CustomerTag, Rule, WebhookCall
from courtier.messaging.models import MessageChannel
from courtier.messaging.services.outbox import MessageRequest, queue_messages
from courtier.messaging.services.templates import category_of

ACTION_TYPES = ("send", "task", "add_tag", "remove_tag", "webhook")
_TAG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
TASK_ORIGIN = "rule"
_FIELDS = {
    "send": {"type", "purpose", "channel"},
    "task": {"type", "subject", "due_days"},
    "add_tag": {"type", "tag"},
    "remove_tag": {"type", "tag"},
    "webhook": {"type", "url"},
}


def _check_one(action: Any, at: str) -> list[FieldError]:
    if not isinstance(action, Mapping):
        return [FieldError(at, "must be an object")]
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        return [FieldError(f"{at}.type", f"must be one of {', '.join(ACTION_TYPES)}")]
    errors = [FieldError(f"{at}.{k}", "unknown field") for k in sorted(set(action) - _FIELDS[kind])]
    if kind == "send":
        purpose = action.get("purpose")
        if not isinstance(purpose, str) or category_of(purpose) is None:
            errors.append(FieldError(f"{at}.purpose", f"{purpose!r} has no templates"))
        channel = action.get("channel", "")
        if channel and channel not in MessageChannel.values:
            errors.append(FieldError(f"{at}.channel", f"must be one of {MessageChannel.values}"))
    elif kind == "task":
        subject = action.get("subject")
        if not isinstance(subject, str) or not subject.strip() or len(subject) > 300:
            errors.append(FieldError(f"{at}.subject", "must be text of 1 to 300 characters"))
        due = action.get("due_days", 0)
        if not isinstance(due, int) or isinstance(due, bool) or not 0 <= due <= 365:
            errors.append(FieldError(f"{at}.due_days", "must be a whole number from 0 to 365"))
    elif kind in ("add_tag", "remove_tag"):
        tag = action.get("tag")
        if not isinstance(tag, str) or not _TAG.fullmatch(tag):
            errors.append(FieldError(f"{at}.tag", "must be a slug: a-z, 0-9, - and _"))
    else:
        url = action.get("url")
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            errors.append(FieldError(f"{at}.url", "must be an http or https URL"))
        elif len(str(url)) > 500:
            errors.append(FieldError(f"{at}.url", "is longer than 500 characters"))
    return errors


def check_actions(actions: Any) -> list[FieldError]:
    """Every problem in a rule's action list, each naming ``actions[i].field``."""
    if not isinstance(actions, list) or not actions:
        return [FieldError("actions", "must be a non-empty list")]
    if len(actions) > 10:
        return [FieldError("actions", "at most 10 actions")]
    return [e for i, a in enumerate(actions) for e in _check_one(a, f"actions[{i}]")]


def rule_actor(rule: Rule) -> Actor:
    """Who the access log and the outbox name for a rule's work."""
    return Actor.system(f"rule:{rule.name}"[:150])


def _owners(items: Sequence[tuple[Customer, str, Mapping[str, Any]]]) -> dict[int, int]:
    """Who gets each customer's task: the account owner, else the request's owner.

    Two queries for the whole batch. Raises :class:`Invalid` when someone has neither
    (the evaluator then retries one by one and records that customer as failed).
    """
    customer_ids = [c.pk for c, _, _ in items]
    owners = dict(
        AccountOwner.objects.filter(customer_id__in=customer_ids).values_list(
            "customer_id", "user_id"
        )
    )
    cases = {str(d["case"]["id"]) for c, _, d in items if c.pk not in owners and "case" in d}
    by_case = {
        str(k): v
        for k, v in Case.objects.filter(public_id__in=cases).values_list("public_id", "owner_id")
    }
    for customer, _, data in items:
        if customer.pk not in owners and "case" in data:
            found = by_case.get(str(data["case"]["id"]))
            if found is not None:
                owners[customer.pk] = found
        if customer.pk not in owners:
            raise Invalid.field("task", "the customer has no account owner to give the task to")
    return owners


@transaction.atomic
def perform(
    rule: Rule,
    items: Sequence[tuple[Customer, str, Mapping[str, Any]]],
    now: datetime,
    causes: Mapping[str, Event] | None = None,
) -> dict[tuple[int, str], str]:
    """Run the rule's actions for each (customer, occurrence, data); return suppressions.

    All or nothing for the batch (the caller retries one at a time when something is
    refused). Idempotent per occurrence even without the firing row: messages carry a key
    from the rule and occurrence, tasks a uuid5 origin, tags a unique pair.
    """
    actor = rule_actor(rule)
    suppressed: dict[tuple[int, str], str] = {}
    for action in rule.actions:
        kind = action["type"]
        if kind == "send":
            requests = [
                MessageRequest(
                    customer,
                    action["purpose"],
                    {"rule": rule.name, **data},
                    key=f"rule:{rule.public_id}:{customer.pk}:{occ}"[:200],
                    channel=action.get("channel", ""),
                )
                for customer, occ, data in items
            ]
            for (customer, occ, _), message in zip(
                items, queue_messages(actor, requests, now), strict=True
            ):
                if message.suppressed_reason:
                    suppressed[(customer.pk, occ)] = f"message {message.suppressed_reason}"
        elif kind == "task":
            owners = _owners(items)
            create_tasks_once(
                [
                    NewTask(
                        owner_id=owners[customer.pk],
                        subject=f"{action['subject']}: {customer.display_name}",
                        due_at=now + timedelta(days=action.get("due_days", 0)),
                        origin=TASK_ORIGIN,
                        origin_id=uuid.uuid5(rule.public_id, f"{customer.pk}:{occ}"),
                    )
                    for customer, occ, data in items
                ],
                now,
            )
        elif kind in ("add_tag", "remove_tag"):
            for customer, occ, _ in items:
                cause = (causes or {}).get(occ)
                change_tag(actor, customer, action["tag"], add=kind == "add_tag", cause=cause)
        else:
            WebhookCall.objects.bulk_create(
                WebhookCall(
                    rule=rule,
                    customer=customer,
                    url=action["url"],
                    body=orjson.dumps(
                        {
                            "rule": rule.name,
                            "occurrence": occ,
                            "customer": str(customer.public_id),
                            "data": data,
                            "at": now.isoformat(),
                        },
                        default=str,
                    ).decode(),
                    send_after=now,
                    created_at=now,
                )
                for customer, occ, data in items
            )
    return suppressed


@transaction.atomic
def change_tag(
    actor: Actor, customer: Customer, tag: str, *, add: bool, cause: Event | None = None
) -> bool:
    """Add or remove one tag; emit ``tag.added``/``tag.removed`` only when it changed.

    ``cause`` (the event that fired a rule) carries the causation chain, so rules that
    re-trigger each other are stopped at run time.
    """
    if not _TAG.fullmatch(tag):
        raise Invalid.field("tag", "must be a slug: a-z, 0-9, - and _")
    if add:
        _, created = CustomerTag.objects.get_or_create(
            customer=customer,
            tag=tag,
            defaults={"added_by": actor.label[:150], "added_at": timezone.now()},
        )
        changed = created
    else:
        changed = CustomerTag.objects.filter(customer=customer, tag=tag).delete()[0] > 0
    if changed:
        emit("tag.added" if add else "tag.removed", customer.pk, {"tag": tag}, cause=cause)
    return changed
