"""Creating, changing and removing customers and their identifiers."""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from courtier.audit.events import emit
from courtier.audit.services import log_access
from courtier.core.actor import Actor
from courtier.core.errors import Conflict, FieldError, Invalid, NotFound
from courtier.customers.models import (
    Customer,
    CustomerStatus,
    Identifier,
    IdentifierKind,
    Register,
    Salutation,
)
from courtier.customers.normalize import normalize
from courtier.customers.services.facts import NewFact, record_fact_as

CUSTOMER_FIELDS = {
    "display_name": 200,
    "given_name": 100,
    "family_name": 100,
    "preferred_name": 100,
    "salutation": 8,
    "language": 8,
    "register": 10,
    "time_zone": 64,
    "status": 10,
}
_CHOICES: dict[str, list[str]] = {
    "salutation": list(Salutation.values),
    "language": [code for code, _ in settings.LANGUAGES],
    "register": list(Register.values),
    "status": list(CustomerStatus.values),
}


@dataclass(frozen=True)
class NewIdentifier:
    """An identifier to attach: its kind, the value as given, and where it came from."""

    kind: str
    value: str
    system: str = ""
    source: str = ""
    verified_at: datetime | None = None


def clean_customer_fields(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """Check customer fields and return them trimmed; raise :class:`Invalid` naming each."""
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for name, value in data.items():
        if name not in CUSTOMER_FIELDS:
            errors.append(FieldError(name, "is not a customer field"))
            continue
        text = "" if value is None else str(value).strip()
        if len(text) > CUSTOMER_FIELDS[name]:
            errors.append(FieldError(name, f"is longer than {CUSTOMER_FIELDS[name]} characters"))
        elif name in _CHOICES and text not in _CHOICES[name] and (text or name != "salutation"):
            errors.append(FieldError(name, f"must be one of {', '.join(_CHOICES[name])}"))
        elif name == "time_zone" and text and text not in zoneinfo.available_timezones():
            errors.append(FieldError(name, f"{text!r} is not a time zone name"))
        clean[name] = text
    if creating and not clean.get("display_name"):
        joined = " ".join(p for p in (clean.get("given_name"), clean.get("family_name")) if p)
        if joined:
            clean["display_name"] = joined[:200]
        elif not errors:
            errors.append(FieldError("display_name", "a name is needed (or given/family name)"))
    if not creating and "display_name" in clean and not clean["display_name"]:
        errors.append(FieldError("display_name", "cannot be emptied"))
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return clean


@transaction.atomic
def create_customer(
    actor: Actor,
    fields: Mapping[str, Any],
    identifiers: Iterable[NewIdentifier] = (),
    facts: Iterable[NewFact] = (),
    reason: str = "created",
) -> Customer:
    """Create a customer with its identifiers and facts, all or nothing, and log it.

    Raises :class:`Invalid` for a bad field or identifier and :class:`Conflict` when an
    identifier already belongs to someone else; nothing is written in either case.
    """
    customer = Customer.objects.create(**clean_customer_fields(fields, creating=True))
    for index, new in enumerate(identifiers):
        add_identifier(actor, customer, new, field=f"identifiers[{index}]", log=False)
    for index, fact in enumerate(facts):
        record_fact_as(actor, customer, fact, field=f"facts[{index}]")
    log_access(customer.pk, actor, "create", reason)
    emit("customer.created", customer.pk, {"customer": str(customer.public_id)})
    return customer


@transaction.atomic
def update_customer(actor: Actor, customer: Customer, fields: Mapping[str, Any]) -> Customer:
    """Change the given fields of ``customer`` and log the change."""
    clean = clean_customer_fields(fields, creating=False)
    for name, value in clean.items():
        setattr(customer, name, value)
    customer.save()
    log_access(customer.pk, actor, "update", "changed " + ", ".join(sorted(clean)) or "nothing")
    return customer


@transaction.atomic
def delete_customer(actor: Actor, customer: Customer) -> None:
    """Erase a customer with their identifiers, facts and timeline; the access log remains."""
    log_access(customer.pk, actor, "delete", "record erased")
    customer.delete()


def add_identifier(
    actor: Actor,
    customer: Customer,
    new: NewIdentifier,
    field: str = "",
    log: bool = True,
) -> tuple[Identifier, bool]:
    """Attach an identifier to ``customer``; return it and whether it is new.

    Attaching one the customer already has is a no-op that returns the existing row; one
    that belongs to another customer raises :class:`Conflict`.
    """
    prefix = f"{field}." if field else ""
    if new.kind not in IdentifierKind.values:
        raise Invalid.field(prefix + "kind", f"must be one of {', '.join(IdentifierKind.values)}")
    system = (new.system or "").strip()[:64]
    value = normalize(new.kind, new.value, prefix + "value")
    with transaction.atomic():
        existing = Identifier.objects.filter(kind=new.kind, value=value, system=system).first()
        if existing is not None:
            if existing.customer_id != customer.pk:
                raise Conflict(
                    f"{prefix}value: {new.kind} {value} already belongs to another customer",
                    [FieldError(prefix + "value", "already belongs to another customer")],
                )
            return existing, False
        try:
            with transaction.atomic():
                identifier = Identifier.objects.create(
                    customer=customer,
                    kind=new.kind,
                    system=system,
                    raw_value=new.value.strip()[:320],
                    value=value,
                    source=(new.source or actor.label)[:100],
                    verified_at=new.verified_at,
                )
        except IntegrityError:
            # Another writer attached the same value between our check and our insert.
            raise Conflict(
                f"{prefix}value: {new.kind} {value} already belongs to another customer",
                [FieldError(prefix + "value", "already belongs to another customer")],
            ) from None
        if log:
            log_access(customer.pk, actor, "update", f"added {new.kind}")
    return identifier, True


@transaction.atomic
def update_identifier(
    actor: Actor, identifier: Identifier, *, verified_at: datetime | None, source: str | None
) -> Identifier:
    """Mark an identifier verified (or not) and record where it came from."""
    identifier.verified_at = verified_at
    if source is not None:
        identifier.source = source.strip()[:100]
    identifier.save(update_fields=["verified_at", "source"])
    log_access(identifier.customer_id, actor, "update", f"changed {identifier.kind}")
    return identifier


@transaction.atomic
def remove_identifier(actor: Actor, identifier: Identifier) -> None:
    """Detach an identifier from its customer."""
    log_access(identifier.customer_id, actor, "update", f"removed {identifier.kind}")
    identifier.delete()


def get_customer(public_id: uuid.UUID) -> Customer:
    """Return the customer with this public id, or raise :class:`NotFound`."""
    customer = Customer.objects.filter(public_id=public_id).first()
    if customer is None:
        raise NotFound("No customer has this id.")
    return customer
