"""The evaluator: from trigger candidates to firings and actions, exactly once.

Exactly once rests on one unique constraint, (rule, customer, occurrence) on ``Firing``,
and on writing the firing in the same transaction as the action's effects. A batch that
dies half-way (the process killed) rolls back whole; the next run finds no firing for it
and acts; a batch that committed is found and skipped. Two evaluators racing insert the
same firing, one loses on the constraint and retries its batch without that row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from courtier.audit.models import Event
from courtier.core.errors import DomainError
from courtier.customers.models import Customer
from courtier.journeys.conditions import evaluate
from courtier.journeys.models import Firing, Outcome, Rule
from courtier.journeys.services import context
from courtier.journeys.services.actions import perform
from courtier.journeys.triggers import Candidate

BATCH = 500
# Events caused by rules' actions deeper than this are not acted on: the chain is a loop.
MAX_CHAIN = 3


def confirm_threshold() -> int:
    """Above this many customers in one run a rule needs an explicit confirmation."""
    return int(settings.RULES_CONFIRM_ABOVE)


@dataclass
class Report:
    """What one evaluation did, per outcome; ``held`` explains a run that did nothing."""

    fired: int = 0
    suppressed: int = 0
    failed: int = 0
    deferred: int = 0
    held: str = ""
    samples: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the rule's page and the command line."""
        return self.held or (
            f"fired {self.fired}, suppressed {self.suppressed}, failed {self.failed}, "
            f"deferred by the rate limit {self.deferred}"
        )

    def add(self, other: Report) -> None:
        self.fired += other.fired
        self.suppressed += other.suppressed
        self.failed += other.failed
        self.deferred += other.deferred


@dataclass(frozen=True)
class Decision:
    """What the evaluator decided for one candidate, before anything is written."""

    candidate: Candidate
    matched: bool
    reason: str = ""


def decide(rule: Rule, candidates: Sequence[Candidate]) -> tuple[list[Decision], dict[int, Any]]:
    """Evaluate the condition for each candidate; pure reads, nothing written."""
    data = context.load((c.customer_id for c in candidates), rule.condition)
    out = []
    for c in candidates:
        if c.customer_id not in data:
            continue  # erased since the trigger saw it
        merged = {**data[c.customer_id], **c.data}
        matched = evaluate(rule.condition, merged) if rule.condition else True
        out.append(Decision(c, matched, "" if matched else "condition not met"))
    return out, data


def not_yet_fired(rule: Rule, candidates: Iterable[Candidate]) -> list[Candidate]:
    """Drop the candidates this rule already has a firing for (any outcome)."""
    wanted = list(candidates)
    done: set[tuple[int, str]] = set()
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        done.update(
            Firing.objects.filter(
                rule=rule, occurrence__in={c.occurrence for c in chunk}
            ).values_list("customer_id", "occurrence")
        )
    return [c for c in wanted if (c.customer_id, c.occurrence) not in done]


def fired_last_hour(rule: Rule, now: datetime) -> int:
    """How many times the rule acted in the last hour, for its rate limit."""
    since = now - timedelta(hours=1)
    return Firing.objects.filter(rule=rule, outcome=Outcome.FIRED, at__gt=since).count()


def _firing(rule: Rule, d: Decision, outcome: str, reason: str, now: datetime) -> Firing:
    event_id = None
    if d.candidate.occurrence.startswith("event:"):
        event_id = int(d.candidate.occurrence.split(":", 1)[1])
    return Firing(
        rule=rule,
        customer_id=d.candidate.customer_id,
        occurrence=d.candidate.occurrence,
        outcome=outcome,
        reason=reason[:300],
        event_id=event_id,
        at=now,
    )


def _commit_batch(
    rule: Rule, decisions: Sequence[Decision], now: datetime, causes: Mapping[str, Event] | None
) -> Report:
    """Write the firings and perform the actions of one batch in one transaction."""
    report = Report()
    matched = [d for d in decisions if d.matched]
    customers = Customer.objects.in_bulk([d.candidate.customer_id for d in matched])
    with transaction.atomic():
        items = [
            (customers[d.candidate.customer_id], d.candidate.occurrence, d.candidate.data)
            for d in matched
        ]
        suppressed = perform(rule, items, now, causes) if items else {}
        rows = []
        for d in decisions:
            key = (d.candidate.customer_id, d.candidate.occurrence)
            if not d.matched:
                rows.append(_firing(rule, d, Outcome.SUPPRESSED, d.reason, now))
            elif key in suppressed:
                rows.append(_firing(rule, d, Outcome.SUPPRESSED, suppressed[key], now))
            else:
                rows.append(_firing(rule, d, Outcome.FIRED, "", now))
        Firing.objects.bulk_create(rows)
    for row in rows:
        if row.outcome == Outcome.FIRED:
            report.fired += 1
        else:
            report.suppressed += 1
    return report


def _record_failure(rule: Rule, d: Decision, reason: str, now: datetime) -> None:
    try:
        with transaction.atomic():
            _firing(rule, d, Outcome.FAILED, reason, now).save(force_insert=True)
    except IntegrityError:
        pass  # another evaluator settled this occurrence meanwhile


def commit(
    rule: Rule,
    decisions: Sequence[Decision],
    now: datetime,
    causes: Mapping[str, Event] | None = None,
) -> Report:
    """Act on decisions in batches; a refused batch is retried one decision at a time.

    One at a time, a decision whose action is refused (no template, no owner) is recorded
    as failed with the reason, and one already settled by a racing evaluator is skipped.
    """
    report = Report()
    for start in range(0, len(decisions), BATCH):
        batch = decisions[start : start + BATCH]
        try:
            report.add(_commit_batch(rule, batch, now, causes))
            continue
        except (IntegrityError, DomainError):
            pass
        for d in batch:
            try:
                report.add(_commit_batch(rule, [d], now, causes))
            except IntegrityError:
                continue
            except DomainError as exc:
                _record_failure(rule, d, exc.detail, now)
                report.failed += 1
    return report


def guard(rule: Rule, decisions: list[Decision], now: datetime) -> tuple[list[Decision], Report]:
    """Apply the confirmation threshold and the rate limit to a run's matched decisions.

    Over the threshold without a confirmation as large, nothing is done and the run is
    held with the reason. Past the hourly rate, the rest waits for a later run.
    """
    report = Report()
    matched = sum(1 for d in decisions if d.matched)
    limit = max(confirm_threshold(), rule.confirmed_audience)
    if matched > limit:
        report.held = (
            f"held: would act on {matched} customers at once, over the confirmed {limit}; "
            "confirm the audience on the rule to proceed"
        )
        return [], report
    room = max(rule.rate_per_hour - fired_last_hour(rule, now), 0)
    kept: list[Decision] = []
    for d in decisions:
        if d.matched:
            if room == 0:
                report.deferred += 1
                continue
            room -= 1
        kept.append(d)
    return kept, report


def note_run(rule: Rule, report: Report, now: datetime) -> None:
    """Remember on the rule what its last evaluation did (shown on its page)."""
    note = report.summary()
    Rule.objects.filter(pk=rule.pk).update(last_run_at=now, last_run_note=note[:300])


def run_rule(rule: Rule, candidates: Iterable[Candidate], now: datetime | None = None) -> Report:
    """Evaluate one rule over trigger candidates and act on the ones not yet settled."""
    now = now or timezone.now()
    fresh = not_yet_fired(rule, candidates)
    decisions: list[Decision] = []
    for start in range(0, len(fresh), BATCH):
        decisions.extend(decide(rule, fresh[start : start + BATCH])[0])
    kept, report = guard(rule, decisions, now)
    if kept:
        report.add(commit(rule, kept, now))
    note_run(rule, report, now)
    return report
