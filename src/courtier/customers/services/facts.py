"""Facts with provenance, and the profile derived from them.

A fact is one observation: ``postal_code = H2X 1Y4``, said by the billing system on a
date, perhaps verified later. Nothing overwrites anything. The profile is derived:

- per key, each source's newest observation stands for that source;
- the current value is the standing observation most recently verified (or, failing any
  verification, most recently observed);
- if standing observations from different sources disagree, the key is *in conflict* and
  every disagreeing value is shown with its source, never silently dropped;
- a value not verified or observed within ``FACT_STALE_DAYS`` is *stale*.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from courtier.audit.events import emit
from courtier.audit.services import log_access
from courtier.core.actor import Actor
from courtier.core.errors import Conflict, FieldError, Invalid, NotFound
from courtier.customers.models import Customer, Fact, SourceKind

_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_VALUE = 1000


class SourcedValue(TypedDict):
    """One source's standing value for a key."""

    id: str
    value: str
    source_kind: str
    source: str
    observed_at: str | None
    verified_at: str | None


class ProfileEntry(TypedDict):
    """The derived value of one key, with its provenance and health."""

    key: str
    value: str
    source_kind: str
    source: str
    observed_at: str | None
    verified_at: str | None
    stale: bool
    conflict: bool
    values: list[SourcedValue]


@dataclass(frozen=True)
class FactRow:
    """A fact as the profile derivation needs it, from the ORM or a raw query."""

    public_id: str
    key: str
    value: str
    source_kind: str
    source: str
    observed_at: datetime
    verified_at: datetime | None


@dataclass(frozen=True)
class NewFact:
    """A fact to record, as an API call or an import row gives it."""

    key: str
    value: str
    source: str = ""
    source_kind: str = ""
    observed_at: datetime | None = None
    verified_at: datetime | None = None


def _source_kind_for(actor: Actor) -> str:
    return {
        "staff": SourceKind.STAFF,
        "customer": SourceKind.CUSTOMER,
        "integration": SourceKind.SYSTEM,
    }.get(actor.kind, SourceKind.SYSTEM)


def clean_fact(key: str, value: str) -> tuple[str, str]:
    """Check a fact's key and value; raise :class:`Invalid` naming the field."""
    key = (key or "").strip()
    if not _KEY.fullmatch(key):
        raise Invalid.field("key", "must be lower-case letters, digits and _ (max 64)")
    value = (value or "").strip()
    if not value:
        raise Invalid.field("value", "is empty")
    if len(value) > MAX_VALUE:
        raise Invalid.field("value", f"is longer than {MAX_VALUE} characters")
    return key, value


@transaction.atomic
def record_fact(
    actor: Actor,
    customer: Customer,
    key: str,
    value: str,
    *,
    source: str = "",
    source_kind: str = "",
    observed_at: datetime | None = None,
    verified_at: datetime | None = None,
) -> Fact:
    """Record one observation of ``key`` for ``customer``, with its provenance.

    The source defaults to the actor (a staff member's edit is sourced to them). The same
    value from the same source again is not a new fact: it refreshes the existing one's
    verification date instead, so re-importing a file changes nothing.
    """
    key, value = clean_fact(key, value)
    kind = source_kind or _source_kind_for(actor)
    if kind not in SourceKind.values:
        raise Invalid.field("source_kind", f"must be one of {', '.join(SourceKind.values)}")
    now = timezone.now()
    observed = observed_at or now
    if observed > now + timedelta(minutes=5):
        raise Invalid.field("observed_at", "is in the future")
    src = (source or actor.label).strip()[:100]
    latest = (
        Fact.objects.filter(
            customer=customer, key=key, source_kind=kind, source=src, retracted_at=None
        )
        .order_by("-observed_at", "-id")
        .first()
    )
    if latest is not None and latest.value == value:
        newer = max(filter(None, [latest.verified_at, verified_at]), default=None)
        if newer != latest.verified_at:
            latest.verified_at = newer
            latest.save(update_fields=["verified_at"])
        return latest
    fact = Fact.objects.create(
        customer=customer,
        key=key,
        value=value,
        source_kind=kind,
        source=src,
        staff_id=actor.user_id if actor.kind == "staff" else None,
        observed_at=observed,
        verified_at=verified_at,
    )
    log_access(customer.pk, actor, "update", f"recorded {key}")
    emit("fact.changed", customer.pk, {"key": key, "value": value, "fact": str(fact.public_id)})
    return fact


def record_fact_as(actor: Actor, customer: Customer, fact: NewFact, field: str = "") -> Fact:
    """Record a :class:`NewFact`; errors name ``field`` (``facts[2].key``) when given."""
    try:
        return record_fact(
            actor,
            customer,
            fact.key,
            fact.value,
            source=fact.source,
            source_kind=fact.source_kind,
            observed_at=fact.observed_at,
            verified_at=fact.verified_at,
        )
    except Invalid as exc:
        if not field:
            raise
        errors = [FieldError(f"{field}.{e.field}", e.message) for e in exc.errors]
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors) from None


@transaction.atomic
def verify_fact(actor: Actor, fact: Fact, when: datetime | None = None) -> Fact:
    """Mark a fact as verified now (or at ``when``)."""
    if fact.retracted_at is not None:
        raise Conflict("This fact was retracted; record the value again instead.")
    fact.verified_at = when or timezone.now()
    fact.save(update_fields=["verified_at"])
    log_access(fact.customer_id, actor, "update", f"verified {fact.key}")
    return fact


@transaction.atomic
def retract_fact(actor: Actor, fact: Fact) -> Fact:
    """Withdraw a fact; it stays in the history but no longer counts in the profile."""
    if fact.retracted_at is None:
        fact.retracted_at = timezone.now()
        fact.save(update_fields=["retracted_at"])
        log_access(fact.customer_id, actor, "update", f"retracted {fact.key}")
    return fact


@transaction.atomic
def settle_conflict(actor: Actor, customer: Customer, key: str, chosen_fact: Fact) -> Fact:
    """Settle a conflict on ``key`` in favour of ``chosen_fact``'s value.

    The choice is recorded as a new fact sourced to the actor and verified now, and every
    standing fact for ``key`` that disagrees with it is retracted (kept as history). Facts
    that already agree stay as they are, so their sources keep counting. All or nothing;
    raises :class:`NotFound` if the fact is not this customer's, :class:`Invalid` if it is
    about another key, :class:`Conflict` if it was already retracted.
    """
    if chosen_fact.customer_id != customer.pk:
        raise NotFound("No fact of this customer has this id.")
    if chosen_fact.key != key:
        raise Invalid.field("key", f"the chosen fact is about {chosen_fact.key}, not {key}")
    if chosen_fact.retracted_at is not None:
        raise Conflict("The chosen fact was retracted; reload the page and choose again.")
    now = timezone.now()
    settled = record_fact(actor, customer, key, chosen_fact.value, observed_at=now, verified_at=now)
    Fact.objects.filter(customer=customer, key=key, retracted_at=None).exclude(
        value=chosen_fact.value
    ).update(retracted_at=now)
    log_access(customer.pk, actor, "update", f"settled {key}")
    return settled


def get_fact(public_id: uuid.UUID) -> Fact:
    """Return the fact with this public id, or raise :class:`NotFound`."""
    fact = Fact.objects.filter(public_id=public_id).first()
    if fact is None:
        raise NotFound("No fact has this id.")
    return fact


def fact_rows(customer: Customer) -> list[FactRow]:
    """Return the customer's standing (not retracted) facts, for :func:`derive_profile`."""
    return [
        FactRow(
            str(f.public_id),
            f.key,
            f.value,
            f.source_kind,
            f.source,
            f.observed_at,
            f.verified_at,
        )
        for f in customer.facts.filter(retracted_at=None).order_by("key", "observed_at", "id")
    ]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def derive_profile(rows: Iterable[FactRow], now: datetime | None = None) -> list[ProfileEntry]:
    """Derive the current profile from standing facts (see the module docstring)."""
    stale_before = (now or timezone.now()) - timedelta(days=settings.FACT_STALE_DAYS)
    standing: dict[str, dict[tuple[str, str], FactRow]] = {}
    for row in rows:
        per_source = standing.setdefault(row.key, {})
        current = per_source.get((row.source_kind, row.source))
        if current is None or row.observed_at >= current.observed_at:
            per_source[(row.source_kind, row.source)] = row
    profile: list[ProfileEntry] = []
    for key in sorted(standing):
        candidates = sorted(
            standing[key].values(),
            key=lambda r: (r.verified_at or r.observed_at, r.observed_at),
            reverse=True,
        )
        best = candidates[0]
        freshest = best.verified_at or best.observed_at
        values: list[SourcedValue] = [
            {
                "id": r.public_id,
                "value": r.value,
                "source_kind": r.source_kind,
                "source": r.source,
                "observed_at": _iso(r.observed_at),
                "verified_at": _iso(r.verified_at),
            }
            for r in candidates
        ]
        profile.append(
            {
                "key": key,
                "value": best.value,
                "source_kind": best.source_kind,
                "source": best.source,
                "observed_at": _iso(best.observed_at),
                "verified_at": _iso(best.verified_at),
                "stale": freshest < stale_before,
                "conflict": len({r.value for r in candidates}) > 1,
                "values": values,
            }
        )
    return profile


def profile_of(customer: Customer) -> list[dict[str, Any]]:
    """Return the derived profile of ``customer`` (see :func:`derive_profile`)."""
    return [dict(entry) for entry in derive_profile(fact_rows(customer))]
