"""Inbound email and SMS: onto the sender's timeline, attached to the case they answer.

Whatever arrives is first kept as received (``Inbound``, committed on its own), so a
message we cannot read is never lost: it is marked rejected with the reason, logged, and
stays for review. A readable one is recognised by its sender's address or number; an
unknown sender becomes a new contact flagged for review (a ``review`` fact). The case a
reply belongs to is found by whoever registered a case linker (the cases app does, in
its ``ready()``): messaging never imports cases, so either can ship without the other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from courtier.core.actor import Actor
from courtier.core.errors import DomainError, Invalid
from courtier.customers.models import Customer, Identifier
from courtier.customers.normalize import normalize
from courtier.customers.services.facts import NewFact
from courtier.customers.services.records import NewIdentifier, create_customer
from courtier.interactions.models import Interaction
from courtier.interactions.services import record_interaction
from courtier.messaging.models import Inbound, InboundStatus, Message
from courtier.messaging.services.bounces import OUR_ID, apply_bounce, parse_bounce
from courtier.messaging.services.preferences import change_preferences

log = logging.getLogger("courtier.messaging.inbound")
INBOUND = Actor.system("inbound")
MAX_RAW = 5_000_000
_STOP_WORDS = {"STOP", "ARRET", "ARRÊT", "UNSUBSCRIBE"}


class BadSignature(DomainError):
    """A webhook without a valid signature: refused before anything is read."""

    status = 401
    title = "Unauthorized"


@dataclass(frozen=True)
class Reply:
    """What a case linker sees: who wrote, about what, answering which of our messages."""

    customer: Customer
    interaction: Interaction
    subject: str
    # The context of each of our messages this one answers (In-Reply-To / References).
    answered: list[dict[str, Any]] = field(default_factory=list)


CaseLinker = Callable[[Reply], str | None]
_linkers: list[CaseLinker] = []


def register_case_linker(linker: CaseLinker) -> None:
    """Add a function that attaches a reply to an open case and returns its reference."""
    if linker not in _linkers:
        _linkers.append(linker)


def unregister_case_linker(linker: CaseLinker) -> None:
    """Remove a linker (tests, or an app being switched off)."""
    if linker in _linkers:
        _linkers.remove(linker)


def verify_signature(body: bytes, header: str) -> None:
    """Check ``X-Courtier-Signature: sha256=<hex HMAC of the body>``; raise BadSignature."""
    secret = settings.WEBHOOK_SECRET
    if not secret:
        raise BadSignature("Webhooks are off: set COURTIER_WEBHOOK_SECRET to accept them.")
    if not header:
        raise BadSignature("X-Courtier-Signature is missing: unsigned webhooks are refused.")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(header.removeprefix("sha256="), expected):
        raise BadSignature("X-Courtier-Signature does not match the body.")


def _keep(channel: str, raw: str, provider_id: str) -> tuple[Inbound, bool]:
    # Committed on its own (autocommit), before parsing: a crash later loses nothing.
    if provider_id:
        seen = Inbound.objects.filter(channel=channel, provider_id=provider_id).first()
        if seen is not None and seen.status == InboundStatus.RECORDED:
            return seen, False
    row = Inbound.objects.create(
        channel=channel,
        provider_id=provider_id[:200],
        raw=raw,
        status=InboundStatus.RECEIVED,
        received_at=timezone.now(),
    )
    return row, True


def _reject(row: Inbound, field_name: str, reason: str) -> Invalid:
    row.status = InboundStatus.REJECTED
    row.error = f"{field_name}: {reason}"[:500]
    row.save(update_fields=["status", "error"])
    log.warning("inbound %s %s rejected: %s: %s", row.channel, row.public_id, field_name, reason)
    return Invalid.field(field_name, reason + f" (kept as inbound {row.public_id})")


def _sender(kind: str, value: str, name: str, source: str) -> Customer:
    found = Identifier.objects.select_related("customer").filter(kind=kind, value=value).first()
    if found is not None:
        return found.customer
    return create_customer(
        INBOUND,
        {"display_name": (name or value)[:200]},
        identifiers=[NewIdentifier(kind, value, source=source)],
        facts=[NewFact("review", f"new contact from an inbound {source}", source="inbound")],
        reason=f"unknown sender of an inbound {source}",
    )


def _link(reply: Reply, row: Inbound) -> None:
    for linker in _linkers:
        ref = linker(reply)
        if ref:
            row.case_ref = ref[:100]
            return


def receive_email(raw: bytes) -> Inbound:
    """Record an inbound email (RFC 5322 bytes) on its sender's timeline; return the row.

    Raises :class:`Invalid` naming the header or part that is wrong; the raw email is
    kept (rejected, with the reason) either way. The same Message-ID twice is recorded
    once (providers retry webhooks).
    """
    if len(raw) > MAX_RAW:
        raise Invalid.field("body", f"is larger than {MAX_RAW} bytes")
    text = raw.decode("utf-8", errors="replace")
    try:
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        message_id = str(parsed.get("Message-ID", "")).strip()
    except Exception:  # the email package raises many types on hostile input
        message_id = ""
        parsed = None
    row, fresh = _keep("email", text, message_id)
    if not fresh:
        return row
    if parsed is None or (parsed.defects and not parsed.get("From")):
        raise _reject(row, "body", "is not an email message")
    try:
        bounce = parse_bounce(parsed)
    except Exception:  # a hostile report is read as an ordinary email below
        bounce = None
    if bounce is not None:
        # From a mail server about one of our emails: not a customer writing to us.
        row.customer = apply_bounce(bounce)
        row.status = InboundStatus.RECORDED
        row.save(update_fields=["customer", "status"])
        return row
    try:
        addresses: tuple[Address, ...] = parsed["From"].addresses if parsed["From"] else ()
    except Exception:
        addresses = ()
    if not addresses or not addresses[0].addr_spec or "@" not in addresses[0].addr_spec:
        raise _reject(row, "From", "has no sender address")
    try:
        sender = normalize("email", addresses[0].addr_spec, "From")
    except Invalid as exc:
        raise _reject(row, "From", exc.errors[0].message) from None
    subject = " ".join(str(parsed.get("Subject", "")).split())
    try:
        part = parsed.get_body(("plain", "html"))
        body = str(part.get_content()) if part is not None else ""
    except Exception:
        raise _reject(row, "body", "has no readable text part") from None
    refs = OUR_ID.findall(f"{parsed.get('In-Reply-To', '')} {parsed.get('References', '')}")
    with transaction.atomic():
        customer = _sender("email", sender, addresses[0].display_name, "email")
        interaction = record_interaction(
            INBOUND,
            customer,
            channel="email",
            direction="inbound",
            summary=(subject or body.strip().split("\n", 1)[0] or "(no subject)")[:300],
            body=body[:100_000],
            source="inbound email",
        )
        answered = list(
            Message.objects.filter(public_id__in=refs).values_list("context", flat=True)
        )
        _finish(row, Reply(customer, interaction, subject, answered))
    return row


def receive_sms(raw: bytes) -> Inbound:
    """Record an inbound SMS (JSON: ``from``, ``text``, provider ``id``) on the timeline.

    ``STOP`` (or ARRÊT) withdraws every SMS consent, recorded as a preference change from
    the inbound channel. Raises :class:`Invalid` naming the field; the body is kept.
    """
    if len(raw) > MAX_RAW:
        raise Invalid.field("body", f"is larger than {MAX_RAW} bytes")
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = None
    provider_id = str(payload.get("id") or "") if isinstance(payload, dict) else ""
    row, fresh = _keep("sms", raw.decode("utf-8", errors="replace"), provider_id)
    if not fresh:
        return row
    if not isinstance(payload, dict):
        raise _reject(row, "body", "is not a JSON object")
    number, text = payload.get("from"), payload.get("text")
    if not isinstance(number, str) or not number.strip():
        raise _reject(row, "from", "is missing")
    if not isinstance(text, str):
        raise _reject(row, "text", "is missing")
    try:
        sender = normalize("phone", number, "from")
    except Invalid as exc:
        raise _reject(row, "from", exc.errors[0].message) from None
    with transaction.atomic():
        customer = _sender("phone", sender, "", "sms")
        interaction = record_interaction(
            INBOUND,
            customer,
            channel="sms",
            direction="inbound",
            summary=(text.strip().split("\n", 1)[0] or "(empty SMS)")[:300],
            body=text[:100_000],
            source="inbound sms",
        )
        if text.strip().upper() in _STOP_WORDS:
            consents = {cat: {"sms": False} for cat in ("service", "proactive", "offers")}
            change_preferences(INBOUND, customer, {"consents": consents}, origin="inbound")
        _finish(row, Reply(customer, interaction, "", []))
    return row


def inbound_log(status: str = "") -> QuerySet[Inbound]:
    """Inbound messages newest first, optionally of one status (``rejected``: to review)."""
    qs = Inbound.objects.select_related("customer").order_by("-received_at", "-id")
    if status:
        if status not in InboundStatus.values:
            raise Invalid.field("status", f"must be one of {', '.join(InboundStatus.values)}")
        qs = qs.filter(status=status)
    return qs


def _finish(row: Inbound, reply: Reply) -> None:
    _link(reply, row)
    row.customer = reply.customer
    row.interaction_public_id = reply.interaction.public_id
    row.status = InboundStatus.RECORDED
    row.save(update_fields=["customer", "interaction_public_id", "status", "case_ref"])
