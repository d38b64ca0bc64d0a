"""Feeding the evaluator: claiming domain events, and running the date triggers.

Events are claimed like messages are: a conditional UPDATE that sets a lease, committed
before the work starts, so several workers share the table and one that dies leaves its
events to be claimed again when the lease runs out (the firings make the retry harmless).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from django.db import connection
from django.utils import timezone

from courtier.audit.models import Event
from courtier.identity.services import survivors
from courtier.journeys.models import Firing, Outcome, Rule
from courtier.journeys.services.claims import claim
from courtier.journeys.services.engine import (
    MAX_CHAIN,
    Decision,
    Report,
    commit,
    decide,
    fired_last_hour,
    not_yet_fired,
    note_run,
    run_rule,
)
from courtier.journeys.triggers import DATE_TRIGGERS, date_candidates, event_candidate

# Unhandled, and not leased by a live worker; oldest first.
_DUE = "handled_at IS NULL AND (claimed_until IS NULL OR claimed_until < %s) ORDER BY id LIMIT %s"


def claim_events(limit: int = 200, lease: float = 60.0, now: datetime | None = None) -> list[Event]:
    """Lease up to ``limit`` unhandled events, oldest first, and return them (committed)."""
    now = now or timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    ids = claim(Event._meta.db_table, "", _DUE, [stamp, limit], lease, now)
    return list(Event.objects.filter(id__in=ids).order_by("id")) if ids else []


def _suppress(rule: Rule, event: Event, customer_id: int, reason: str, now: datetime) -> None:
    Firing.objects.bulk_create(
        [
            Firing(
                rule=rule,
                customer_id=customer_id,
                occurrence=f"event:{event.pk}",
                outcome=Outcome.SUPPRESSED,
                reason=reason[:300],
                event_id=event.pk,
                at=now,
            )
        ],
        ignore_conflicts=True,
    )


def _ancestors(event: Event) -> list[int]:
    """The events that caused ``event``, nearest first (at most ``MAX_CHAIN`` lookups)."""
    found: list[int] = []
    cause = event.cause_id
    while cause is not None and len(found) <= MAX_CHAIN:
        found.append(cause)
        cause = Event.objects.filter(pk=cause).values_list("cause_id", flat=True).first()
    return found


def loop_reason(rule: Rule, event: Event) -> str:
    """Why acting on ``event`` would be a loop for ``rule``, or ``""`` when it is not.

    Two rules that undo each other (one adds a tag the other removes) would run forever:
    a rule never acts on an event its own earlier action caused, however far up the
    chain, and no rule acts on a chain deeper than ``MAX_CHAIN``. Only events caused by
    rules have a chain, so the common event costs no query here.
    """
    if event.cause_id is None:
        return ""
    if event.depth >= MAX_CHAIN:
        return f"loop: this event is {event.depth} rule actions deep (cause #{event.cause_id})"
    earlier = (
        Firing.objects.filter(rule=rule, event_id__in=_ancestors(event), outcome=Outcome.FIRED)
        .values_list("event_id", flat=True)
        .first()
    )
    if earlier is not None:
        return f"loop: caused by this rule's own action on event #{earlier}"
    return ""


def handle_events(
    rule: Rule, events: Sequence[Event], now: datetime, merged: Mapping[int, int] | None = None
) -> Report:
    """Run one enabled rule over the events of its trigger's kind, in batches.

    An event about a record merged away before it was handled is about the survivor
    (``merged``: merged id → survivor id, from :func:`survivors` when not given): the
    merged record has no contact points left and the person lives on in the survivor.
    An event that would make the rule loop (see :func:`loop_reason`) records a
    suppression with the reason instead of acting; so does one past the rule's hourly
    rate (an event does not come back later). Events the rule already settled (a worker
    that died after acting, before marking its events handled) are skipped.
    """
    report = Report()
    if merged is None:
        merged = survivors(e.customer_id for e in events)
    by_occurrence = {f"event:{e.pk}": e for e in events}
    candidates = not_yet_fired(
        rule,
        [
            event_candidate(e.pk, merged.get(e.customer_id, e.customer_id), e.payload)
            for e in events
        ],
    )
    acting = []
    for c in candidates:
        loop = loop_reason(rule, by_occurrence[c.occurrence])
        if loop:
            _suppress(rule, by_occurrence[c.occurrence], c.customer_id, loop, now)
            report.suppressed += 1
        else:
            acting.append(c)
    decisions: list[Decision] = decide(rule, acting)[0] if acting else []
    room = max(rule.rate_per_hour - fired_last_hour(rule, now), 0)
    kept = []
    for d in decisions:
        if d.matched and room == 0:
            event = by_occurrence[d.candidate.occurrence]
            reason = f"rate limit: {rule.rate_per_hour} per hour"
            _suppress(rule, event, d.candidate.customer_id, reason, now)
            report.suppressed += 1
            continue
        room -= 1 if d.matched else 0
        kept.append(d)
    report.add(commit(rule, kept, now, causes=by_occurrence))
    return report


def consume_events(limit: int = 200, now: datetime | None = None, lease: float = 60.0) -> int:
    """Claim a batch of events, run the rules they trigger, mark them handled.

    Returns how many events were handled. Safe to run in any number of workers: a
    claim is a lease, and the firings' unique key makes a repeated event harmless.
    """
    events = claim_events(limit, lease, now=now)
    if not events:
        return 0
    now = now or timezone.now()
    by_kind: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_kind[event.kind].append(event)
    merged = survivors(e.customer_id for e in events)
    for rule in Rule.objects.filter(enabled=True, trigger__in=list(by_kind)).order_by("id"):
        handle_events(rule, by_kind[rule.trigger], now, merged)
    Event.objects.filter(pk__in=[e.pk for e in events]).update(handled_at=timezone.now())
    return len(events)


def evaluate_dates(now: datetime | None = None) -> dict[str, Report]:
    """Run every enabled date rule once; return each rule's report by name."""
    now = now or timezone.now()
    reports = {}
    for rule in Rule.objects.filter(enabled=True, trigger__in=list(DATE_TRIGGERS)).order_by("id"):
        reports[rule.name] = run_rule(rule, date_candidates(rule.trigger, rule.days, now), now)
    return reports


__all__ = ["consume_events", "evaluate_dates", "note_run"]
