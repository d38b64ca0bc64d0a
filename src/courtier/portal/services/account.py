"""What a signed-in customer can change: facts, preferences, requests.

Every function takes a :class:`CustomerScope` and looks its target up through it first,
so another customer's id is refused (NotFound) before anything is written. Each runs in
one transaction: a refusal leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from courtier.cases.models import AccountOwner, Case
from courtier.cases.services.cases import open_case, record_on_case
from courtier.core.actor import Actor
from courtier.core.errors import FieldError, Invalid
from courtier.customers.models import Fact
from courtier.customers.services.facts import verify_fact
from courtier.customers.services.records import update_customer
from courtier.interactions.models import Interaction
from courtier.messaging.services.preferences import (
    Preferences,
    change_preferences,
    note_settings_changed,
)
from courtier.portal.scope import CustomerScope

MAX_SUBJECT = 200
MAX_TEXT = 5_000


def actor_for(scope: CustomerScope) -> Actor:
    """The customer acting in the portal, as the access log and provenance name them."""
    return Actor(kind="customer", label=f"{scope.customer.display_name} (portal)"[:150])


def _text(name: str, value: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Invalid.field(name, "is empty")
    if len(text) > limit:
        raise Invalid.field(name, f"is longer than {limit} characters")
    return text


def _opener(scope: CustomerScope) -> Actor:
    """Who takes a request opened in the portal when the customer has no account owner.

    Cases always have one owner (cases.services.first_owner): the account owner, else
    the staff member taking the contact. For the portal that taker is the desk named by
    ``COURTIER_PORTAL_DESK``; without it, such a request is refused with a clear reason.
    """
    actor = actor_for(scope)
    if AccountOwner.objects.filter(customer=scope.customer).exists():
        return actor
    desk = User.objects.filter(username=settings.PORTAL_DESK, is_active=True).first()
    if not settings.PORTAL_DESK or desk is None:
        raise Invalid.field("subject", "requests cannot be taken online yet; please call us")
    return Actor(kind="customer", label=actor.label, user_id=desk.pk)


@transaction.atomic
def open_request(scope: CustomerScope, subject: str, text: str) -> Case:
    """Open a request (a case with its owner) with the customer's first message."""
    subject = _text("subject", subject, MAX_SUBJECT)
    text = _text("text", text, MAX_TEXT)
    opener = _opener(scope)
    case = open_case(opener, scope.customer, subject=subject, channel="portal")
    record_on_case(
        actor_for(scope),
        case,
        channel="portal",
        direction="inbound",
        summary=subject[:300],
        body=text,
        source="portal",
    )
    return case


@transaction.atomic
def reply(scope: CustomerScope, case_id: Any, text: str) -> Interaction:
    """Add the customer's reply to one of their requests (reopens it if resolved)."""
    case = scope.case_by_id(case_id)
    text = _text("text", text, MAX_TEXT)
    summary = text.splitlines()[0][:120] or "Reply"
    return record_on_case(
        actor_for(scope),
        case,
        channel="portal",
        direction="inbound",
        summary=summary,
        body=text,
        source="portal",
    )


@transaction.atomic
def confirm_fact(scope: CustomerScope, fact_id: Any) -> Fact:
    """The customer says a fact is right: it is marked verified now, by them."""
    return verify_fact(actor_for(scope), scope.fact_by_id(fact_id))


@transaction.atomic
def correct_fact(scope: CustomerScope, fact_id: Any, note: str) -> Case:
    """The customer says a fact is wrong: a correction request (a case) is opened."""
    fact = scope.fact_by_id(fact_id)
    note = _text("note", note, MAX_TEXT)
    subject = f"Correction requested: {fact.key}"
    body = f"The customer says {fact.key} = {fact.value!r} (source {fact.source}) is wrong.\n\n"
    return open_request(scope, subject, body + note)


SETTINGS_FIELDS = ("language", "register")


@transaction.atomic
def change_settings(scope: CustomerScope, data: Mapping[str, Any]) -> Preferences:
    """Apply preferences, consents, language and register at once, with their history.

    Preferences and consents go through messaging's history (origin "portal");
    language and register are customer fields, recorded in that same history.
    """
    customer_fields = {k: data[k] for k in SETTINGS_FIELDS if k in data}
    prefs = {k: v for k, v in data.items() if k not in SETTINGS_FIELDS}
    errors: list[FieldError] = []
    try:
        result = change_preferences(actor_for(scope), scope.customer, prefs, origin="portal")
    except Invalid as exc:
        errors.extend(exc.errors)
    if customer_fields and not errors:
        before = {k: getattr(scope.customer, k) for k in customer_fields}
        changed = {k: v for k, v in customer_fields.items() if before[k] != v}
        if changed:
            update_customer(actor_for(scope), scope.customer, changed)
            note_settings_changed(
                actor_for(scope),
                scope.customer,
                {k: (before[k], v) for k, v in changed.items()},
                origin="portal",
            )
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return result
