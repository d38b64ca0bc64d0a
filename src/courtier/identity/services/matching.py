"""Real-time matching: from the details of an inbound contact to ranked candidates.

``match`` is read-only and is what the recognition endpoint and the console's screen pop
call when no identifier matches exactly. ``resolve`` acts on the answer: link the contact
to the customer above the link threshold, queue it for review between the thresholds,
propose a new customer below.

Candidates come only from the blocking-key index (two indexed queries), never from a scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction

from courtier.core.actor import Actor
from courtier.core.errors import FieldError, Invalid
from courtier.core.sql import uid
from courtier.customers.models import Customer, CustomerStatus
from courtier.identity import block
from courtier.identity.compare import compare
from courtier.identity.models import BlockingKey, MatchProposal, MatchRecord
from courtier.identity.prepare import Prepared, prepare
from courtier.identity.score import probability
from courtier.identity.services.model import current_scorer

# Ranked by shared keys, the person is among the first few; at 200k generated records the
# right customer came first as often with 20 compared as with 40 (95.8 % of 1,000 held-out
# duplicates), and each call did half the work, which is what a busy machine's p99 pays.
MAX_COMPARED = 20
# Phone, email, postcode or street + initial, birth date + initial, birth date + home.
_STRONG = frozenset("peasdgh")
# Only model table names, numbers and placeholders are formatted in, never input.
# One sub-query per key, each limited, in one round trip: a key shared by thousands (a
# company switchboard) must not crowd the others out, and is recognised as too common.
_KEY_PART = (
    "SELECT * FROM (SELECT key, customer_id FROM "  # noqa: S608
    f"{BlockingKey._meta.db_table} WHERE key = %s LIMIT {{limit}}) AS k{{n}}"
)
_RECORDS = (
    "SELECT r.customer_id, r.data, c.public_id, c.display_name "  # noqa: S608
    f"FROM {MatchRecord._meta.db_table} r JOIN {Customer._meta.db_table} c "
    "ON c.id = r.customer_id WHERE r.customer_id IN ({})"
)


def link_threshold() -> float:
    return float(getattr(settings, "IDENTITY_LINK_THRESHOLD", 0.99))


def review_threshold() -> float:
    return float(getattr(settings, "IDENTITY_REVIEW_THRESHOLD", 0.5))


def cluster_threshold() -> float:
    """Lower than the link threshold: a batch cluster is proposed to staff, never acted on."""
    return float(getattr(settings, "IDENTITY_CLUSTER_THRESHOLD", 0.9))


@dataclass
class Candidate:
    """A customer who may be the person described, with why."""

    customer_id: str  # public id
    display_name: str
    probability: float
    weight: float
    reasons: list[dict[str, Any]]
    internal_id: int = field(repr=False, default=0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "display_name": self.display_name,
            "probability": round(self.probability, 6),
            "weight": round(self.weight, 2),
            "reasons": self.reasons,
        }


def prepared_or_refuse(details: Mapping[str, Any]) -> Prepared:
    """Prepare the details; raise :class:`Invalid` naming each junk field if none is usable."""
    record = prepare(details)
    if not record.usable():
        errors = list(record.problems) or [
            FieldError("details", "give a name, phone, email, birth date or address")
        ]
        raise Invalid(
            "Nothing usable to match on: " + "; ".join(f"{e.field}: {e.message}" for e in errors),
            errors,
        )
    return record


def _most_supported(members: dict[str, list[int]]) -> list[int]:
    """The customers sharing the most blocking keys (strong keys first), at most MAX_COMPARED.

    A person who is really there shares several keys (name sound and birth year, name
    sound and postcode, a phone); a namesake shares one. Comparing only the best-supported
    candidates bounds the cost of a call however common the name, which is what keeps the
    99th percentile flat at a million customers.
    """
    support: dict[int, int] = {}
    for key, ids in members.items():
        if len(ids) > block.MAX_BLOCK:
            continue  # "too common to say anything": skipped, as in the batch
        strength = 2 if key[0] in _STRONG else 1
        for customer_id in ids:
            support[customer_id] = support.get(customer_id, 0) + strength
    ranked = sorted(support, key=lambda c: (-support[c], c))
    return sorted(ranked[:MAX_COMPARED])


def candidates_for(record: Prepared, limit: int = 10) -> list[Candidate]:
    """Ranked candidates for an already prepared record (best first, at most ``limit``)."""
    keys = block.keys(record)
    if not keys:
        return []
    with connection.cursor() as cursor:
        sql = " UNION ALL ".join(
            _KEY_PART.format(limit=block.MAX_BLOCK + 1, n=n) for n in range(len(keys))
        )
        cursor.execute(sql, keys)
        members: dict[str, list[int]] = {}
        for key, customer_id in cursor.fetchall():
            members.setdefault(key, []).append(customer_id)
        ids = _most_supported(members)
        if not ids:
            return []
        cursor.execute(_RECORDS.format(", ".join(["%s"] * len(ids))), ids)
        rows = cursor.fetchall()
    scorer = current_scorer()
    scored = []
    for customer_id, data, public_id, display_name in rows:
        other = Prepared.from_row(orjson.loads(data) if isinstance(data, str | bytes) else data)
        levels = compare(record, other)
        scored.append((scorer.weight(levels), customer_id, public_id, display_name, levels))
    # Reasons and public ids only for the candidates returned: they cost more than the
    # comparison itself, and most compared candidates are namesakes that are dropped.
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [
        Candidate(
            uid(public_id),
            display_name,
            probability(weight),
            weight,
            scorer.reasons(levels),
            customer_id,
        )
        for weight, customer_id, public_id, display_name, levels in scored[:limit]
    ]


def match(details: Mapping[str, Any], limit: int = 10) -> list[Candidate]:
    """Ranked candidates for a person's details, with probability and reasons.

    ``details`` takes ``given_name``, ``family_name`` (or ``name``), ``phone(s)``,
    ``email(s)``, ``birth_date``, ``postal_code``, ``postal_address``. Junk fields (a
    one-letter name, a phone of zeros, ``test@test``) are ignored; if nothing usable is
    left, raises :class:`Invalid` naming each field. Read-only; no transaction needed.
    """
    return candidates_for(prepared_or_refuse(details), limit)


@dataclass
class Resolution:
    """What ``resolve`` did with a contact."""

    outcome: str  # "linked", "review" or "new"
    candidates: list[Candidate]
    customer_id: str | None = None
    proposal_id: str | None = None
    problems: list[FieldError] = field(default_factory=list)


def _can_auto_link(record: Prepared, best: Candidate) -> bool:
    # One strong field alone (a shared landline) is not enough to act without a person;
    # neither is a record that arrived with junk in it.
    agreeing = sum(1 for r in best.reasons if r["weight"] > 0)
    return not record.problems and agreeing >= 2 and best.probability >= link_threshold()


@transaction.atomic
def resolve(
    actor: Actor, details: Mapping[str, Any], new_customer: Customer | None = None
) -> Resolution:
    """Decide what a contact with no exact identifier match is, and record the decision.

    - ``linked``: the best candidate is at or above the link threshold, at least two
      fields agree and nothing was junk; the contact is that customer (nothing written).
    - ``review``: between the thresholds (or junk blocked a link); when ``new_customer``
      (the record the contact was filed under) is given, a proposal pairing it with the
      best candidate joins the review queue.
    - ``new``: below the review threshold; a new customer is proposed.
    """
    record = prepared_or_refuse(details)
    found = candidates_for(record)
    if new_customer is not None:
        found = [c for c in found if c.internal_id != new_customer.pk]
    problems = list(record.problems)
    if not found or found[0].probability < review_threshold():
        return Resolution("new", found, problems=problems)
    best = found[0]
    if _can_auto_link(record, best):
        return Resolution("linked", found, customer_id=best.customer_id, problems=problems)
    proposal_id = None
    if new_customer is not None and new_customer.status != CustomerStatus.MERGED:
        proposal = propose(
            new_customer.pk, best.internal_id, best.probability, best.reasons, "recognition"
        )
        proposal_id = str(proposal.public_id)
    return Resolution("review", found, proposal_id=proposal_id, problems=problems)


def propose(
    a: int, b: int, probability: float, reasons: list[dict[str, Any]], source: str
) -> MatchProposal:
    """Queue a pair for review (once per pair; a repeat refreshes the score)."""
    left, right = min(a, b), max(a, b)
    proposal, _ = MatchProposal.objects.update_or_create(
        left_id=left,
        right_id=right,
        defaults={"probability": probability, "reasons": reasons, "source": source},
    )
    return proposal
