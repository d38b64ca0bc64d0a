"""Applying a chunk of checked import rows to the database, in bulk.

Called inside the caller's transaction. The chunk's existing identifiers, customers and
imported facts are read in a few queries; each row is then matched in memory (a row may
also match a customer an earlier row of the same chunk creates), and the new customers,
identifiers, facts and access-log entries are inserted with one bulk insert each.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from courtier.core.actor import Actor
from courtier.core.errors import Invalid, RowError
from courtier.core.ids import new_id
from courtier.customers.models import Customer, Fact, Identifier, SourceKind
from courtier.customers.services import import_sql as sql
from courtier.customers.services.import_file import FIELD_COLUMNS, Key, Row
from courtier.customers.services.records import clean_customer_fields


@dataclass(eq=False)
class Target:
    """A customer rows of the chunk resolve to: one already stored, or one to create."""

    public_id: uuid.UUID
    fields: dict[str, str]
    customer_id: int = 0  # known once inserted
    created_by: int = 0  # the line that creates it, 0 for a stored customer
    changed: set[str] = field(default_factory=set)
    facts: dict[tuple[str, str], str] = field(default_factory=dict)  # (key, source): value


def _load(rows: list[Row]) -> dict[Key, Target]:
    """Return who already owns each key of the chunk: a query per kind, then two more."""
    values: dict[str, set[str]] = {}
    for row in rows:
        for key, _ in row.identifiers:
            values.setdefault(key.kind, set()).add(key.value)
    ids = {row.public_id for row in rows if row.public_id}
    owner_ids: dict[Key, int] = {}
    for kind in sorted(values):
        # One query per kind: the unique index is (kind, value, system), so a lookup by
        # value alone would scan the whole table once per chunk.
        stored = Identifier.objects.filter(kind=kind, value__in=values[kind]).values_list(
            "value", "system", "customer_id"
        )
        for value, system, customer_id in stored:
            owner_ids[Key(kind, value, system)] = customer_id
    if ids:
        for public_id, customer_id in Customer.objects.filter(public_id__in=ids).values_list(
            "public_id", "id"
        ):
            owner_ids[Key("id", str(public_id))] = customer_id
    if not owner_ids:
        return {}
    targets: dict[int, Target] = {}
    for data in Customer.objects.filter(id__in=set(owner_ids.values())).values(
        "id", "public_id", *FIELD_COLUMNS
    ):
        customer_id, public_id = data.pop("id"), data.pop("public_id")
        targets[customer_id] = Target(public_id, data, customer_id)
    sources = {row.source for row in rows}
    names = {name for row in rows for name, _ in row.facts}
    if names:
        facts = (
            Fact.objects.filter(
                Q(customer_id__in=targets),
                source_kind=SourceKind.IMPORT,
                source__in=sources,
                key__in=names,
                retracted_at=None,
            )
            .order_by("observed_at", "id")
            .values_list("customer_id", "key", "source", "value")
        )
        for customer_id, name, source, value in facts:
            targets[customer_id].facts[(name, source)] = value
    return {key: targets[customer_id] for key, customer_id in owner_ids.items()}


def _describe(key: Key, column: str, target: Target) -> str:
    whose = f"customer {target.public_id}"
    if target.created_by:
        whose += f" (created from line {target.created_by})"
    shown = f"id {key.value}" if key.kind == "id" else f"{key.kind} {key.value}"
    return f"{column}: {shown} belongs to {whose}"


def _resolve(row: Row, keys: list[Key], owners: dict[Key, Target]) -> Target | None:
    """Return the one customer the row's keys lead to, None for a new one.

    Raises :class:`Invalid` naming both customers when the keys lead to two.
    """
    found: dict[int, tuple[Target, Key]] = {}
    for key in keys:
        target = owners.get(key)
        if target is not None:
            found.setdefault(id(target), (target, key))
    if len(found) > 1:
        parts = [
            _describe(key, row.columns.get(key, "id"), target) for target, key in found.values()
        ]
        raise Invalid(
            "conflict: " + "; ".join(parts) + ". Merge those customers or correct the row.",
        )
    return next(iter(found.values()))[0] if found else None


def _new_target(row: Row) -> Target:
    fields = dict(row.fields)
    if not fields.get("display_name"):
        names = {k: v for k, v in fields.items() if k in ("given_name", "family_name")}
        fields["display_name"] = clean_customer_fields(names, creating=True)["display_name"]
    return Target(row.public_id or new_id(), fields, created_by=row.line)


def apply_rows(rows: list[Row], actor: Actor, reason: str) -> list[str | RowError]:
    """Write the rows (inside the caller's transaction); return each row's outcome.

    An outcome is ``created``, ``updated``, ``unchanged`` or the :class:`RowError` that
    rejected the row; a rejected row changes nothing, in memory or in the database.
    """
    now = timezone.now()
    owners = _load(rows)
    outcomes: list[str | RowError] = []
    created: list[Target] = []
    identifiers: list[tuple[Target, Key, str, str]] = []
    facts: list[tuple[Target, str, str, str]] = []
    logs: list[tuple[Target, str]] = []
    for row in rows:
        keys = row.keys
        try:
            target = _resolve(row, keys, owners)
            is_new = target is None
            if target is None:
                target = _new_target(row)
        except Invalid as exc:
            outcomes.append(RowError(row.line, exc.detail, [e.field for e in exc.errors]))
            continue
        changed = False
        if is_new:
            created.append(target)
        else:
            for name, value in row.fields.items():
                if target.fields.get(name) != value:
                    target.fields[name] = value
                    target.changed.add(name)
                    changed = True
        if row.public_id and keys[0] not in owners:
            owners[keys[0]] = target
        for key, raw in row.identifiers:
            if key not in owners:
                owners[key] = target
                identifiers.append((target, key, raw, row.source))
                changed = True
        for name, value in row.facts:
            if target.facts.get((name, row.source)) != value:
                target.facts[(name, row.source)] = value
                facts.append((target, name, value, row.source))
                changed = True
        outcome = "created" if is_new else "updated" if changed else "unchanged"
        outcomes.append(outcome)
        if outcome != "unchanged":
            logs.append((target, "create" if is_new else "update"))
    _insert(created, identifiers, facts, logs, actor, reason, now)
    # A customer created in this chunk was inserted with its final fields already.
    _update([t for t in owners.values() if t.changed and not t.created_by], now)
    return outcomes


def _insert(
    created: list[Target],
    identifiers: list[tuple[Target, Key, str, str]],
    facts: list[tuple[Target, str, str, str]],
    logs: list[tuple[Target, str]],
    actor: Actor,
    reason: str,
    now: datetime,
) -> None:
    pks = sql.insert_customers([(t.public_id, t.fields) for t in created], now)
    for target, pk in zip(created, pks, strict=True):
        target.customer_id = pk
    sql.insert_identifiers(
        [
            (t.customer_id, key.kind, key.system, raw[:320], key.value, source[:100])
            for t, key, raw, source in identifiers
        ],
        now,
    )
    sql.insert_facts(
        [
            (t.customer_id, key, value, SourceKind.IMPORT, source[:100])
            for t, key, value, source in facts
        ],
        now,
    )
    sql.insert_access_log([(t.customer_id, action) for t, action in logs], actor, reason, now)


def _update(targets: list[Target], now: datetime) -> None:
    unique = list({id(t): t for t in targets}.values())
    if not unique:
        return
    names = sorted(set().union(*(t.changed for t in unique)))
    Customer.objects.bulk_update(
        [
            Customer(id=t.customer_id, updated_at=now, **{n: t.fields[n] for n in names})
            for t in unique
        ],
        [*names, "updated_at"],
        batch_size=500,
    )
