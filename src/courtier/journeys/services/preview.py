"""Preview and dry run: whom a rule would act on now, with sample messages; writes nothing.

A date rule is previewed on today's candidates; an event rule on the events of its kind
from the last seven days (what it would have done had it been enabled). The same
evaluator code decides (conditions, already-fired occurrences), so the preview is what
a run would do, minus the rate limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from courtier.audit.models import Event
from courtier.customers.models import Customer
from courtier.journeys.models import Rule
from courtier.journeys.services.engine import BATCH, decide, not_yet_fired
from courtier.journeys.services.rules import clean_rule
from courtier.journeys.triggers import DATE_TRIGGERS, Candidate, date_candidates, event_candidate
from courtier.messaging.services.templates import (
    RenderError,
    find_template,
    render,
    template_index,
)

MAX_EVENTS = 10_000
CHANNELS = ("email", "sms", "portal")


@dataclass
class Preview:
    """How many customers a rule would act on now, which (a sample), and what they'd get."""

    count: int = 0
    not_matching: int = 0
    customers: list[dict[str, Any]] = field(default_factory=list)


def _candidates(rule: Rule, now: datetime) -> list[Candidate]:
    if rule.trigger in DATE_TRIGGERS:
        return list(date_candidates(rule.trigger, rule.days, now))
    events = Event.objects.filter(
        kind=rule.trigger, occurred_at__gte=now - timedelta(days=7)
    ).values_list("id", "customer_id", "payload")[:MAX_EVENTS]
    return [event_candidate(i, c, p) for i, c, p in events]


def dry_run(data: Mapping[str, Any], *, now: datetime | None = None, samples: int = 5) -> Preview:
    """Preview a rule that is not saved: checked like a save (raises :class:`Invalid`
    naming each field), then previewed; nothing is written."""
    clean = clean_rule(data)
    return preview_rule(Rule(**clean), now=now, samples=samples)


def _sample_message(customer: Customer, purpose: str, data: dict[str, Any]) -> dict[str, Any]:
    # Rendered strictly, as the outbox will: a template that reads something this trigger
    # does not provide shows here as the error the send would be suppressed with.
    available = template_index({purpose})
    for channel in CHANNELS:
        template, fallback = find_template(purpose, channel, customer.language, available)
        if template is None:
            continue
        sources = (template.subject, template.text, template.html)
        try:
            out = render(customer, channel, template.language, fallback, sources, data)
        except RenderError as exc:
            return {"purpose": purpose, "channel": channel, "error": f"would not render: {exc}"}
        return {"purpose": purpose, "channel": channel, "subject": out.subject, "text": out.text}
    return {"purpose": purpose, "error": "no template for this customer's language"}


def preview_rule(rule: Rule, *, now: datetime | None = None, samples: int = 5) -> Preview:
    """Count and sample the customers ``rule`` would act on at ``now``; no writes.

    ``rule`` may be unsaved (a dry run of a draft): then nothing has fired yet.
    """
    now = now or timezone.now()
    found = _candidates(rule, now)
    fresh = not_yet_fired(rule, found) if rule.pk is not None else found
    result = Preview()
    matched: list[Candidate] = []
    for start in range(0, len(fresh), BATCH):
        for d in decide(rule, fresh[start : start + BATCH])[0]:
            if d.matched:
                result.count += 1
                if len(matched) < samples:
                    matched.append(d.candidate)
            else:
                result.not_matching += 1
    customers = Customer.objects.in_bulk([c.customer_id for c in matched])
    sends = [a["purpose"] for a in rule.actions if a["type"] == "send"]
    for c in matched:
        customer = customers[c.customer_id]
        context = {"rule": rule.name, **c.data}
        result.customers.append(
            {
                "id": str(customer.public_id),
                "name": customer.display_name,
                "occurrence": c.occurrence,
                "messages": [_sample_message(customer, p, context) for p in sends],
            }
        )
    return result
