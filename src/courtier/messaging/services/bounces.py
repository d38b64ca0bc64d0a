"""Bounces: a delivery status notification (RFC 3464) about one of our emails.

A receiving server that accepted a message can still fail to deliver it later, and says
so by mail: ``multipart/report; report-type=delivery-status``, with a
``message/delivery-status`` part (per recipient: ``Action``, ``Status``,
``Diagnostic-Code``) and the returned message or its headers, which carry our stable
Message-ID (``<public_id@courtier>``). A permanent failure (``Action: failed``, status
5.x.x) makes that message ``failed`` with the server's reason and marks it bounced, so
the etiquette decision stops choosing that address (until the customer verifies it
again); a delay (4.x.x) changes nothing, the server is still trying. Bounces arrive on
the inbound email path (webhook or ``courtier inbound-smtp``) and are never mistaken for
a customer writing: the sender is a mail server, not a new contact.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.message import Message as MimeMessage

from django.db import transaction
from django.utils import timezone

from courtier.customers.models import Customer
from courtier.messaging.models import Message, State
from courtier.messaging.services.delivery import announce_failed

log = logging.getLogger("courtier.messaging.bounces")
# Our Message-ID (models.Message.message_id); the group is the public id.
OUR_ID = re.compile(r"<([0-9a-f-]{36})@courtier>")
_RETURNED = ("message/rfc822", "text/rfc822-headers", "message/global-headers")


@dataclass(frozen=True)
class Bounce:
    """What a delivery report says about which of our messages."""

    message_ids: tuple[str, ...]  # public ids of our messages it names
    permanent: bool
    status: str  # "5.1.1"
    reason: str  # Diagnostic-Code, else Action + Status


def parse_bounce(parsed: EmailMessage) -> Bounce | None:
    """Return the bounce ``parsed`` is, or None if it is not a delivery report."""
    if parsed.get_content_type() != "multipart/report":
        return None
    if str(parsed.get_param("report-type", "")).lower() != "delivery-status":
        return None
    statuses: list[MimeMessage] = []
    returned = ""
    for part in parsed.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            payload = part.get_payload()
            statuses += [b for b in payload if isinstance(b, MimeMessage) and b.get("Action")]
        elif kind in _RETURNED:
            returned += part.as_string() if kind == "message/rfc822" else str(part.get_payload())
    if not statuses:
        return None
    # One report may cover several recipients; ours are single-recipient messages, so
    # the first failed recipient, else the first one, decides.
    block = next((b for b in statuses if _action(b) == "failed"), statuses[0])
    status = str(block.get("Status", "")).strip()
    permanent = _action(block) == "failed" and status.startswith("5")
    diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
    reason = diagnostic or f"{_action(block)} {status}".strip()
    ids = tuple(dict.fromkeys(OUR_ID.findall(returned)))
    return Bounce(ids, permanent, status, reason)


def _action(block: MimeMessage) -> str:
    return str(block.get("Action", "")).strip().lower()


@transaction.atomic
def apply_bounce(bounce: Bounce) -> Customer | None:
    """Record a bounce on the messages it names; return their customer, if any matched.

    A permanent bounce moves a ``sent`` or ``delivered`` message to ``failed`` with the
    reason in ``last_error`` (never back: a repeated report changes nothing); a transient
    one only identifies the customer.
    """
    # Locked, so two reports of one bounce cannot both see it "sent" and both announce it.
    messages = list(
        Message.objects.select_related("customer")
        .select_for_update(of=("self",))
        .filter(public_id__in=bounce.message_ids)
    )
    if not messages:
        log.info("a delivery report names none of our messages (status %s)", bounce.status)
        return None
    if bounce.permanent:
        now = timezone.now()
        failing = [m for m in messages if m.state in (State.SENT, State.DELIVERED)]
        Message.objects.filter(pk__in=[m.pk for m in failing]).update(
            state=State.FAILED,
            failed_at=now,
            bounced_at=now,
            last_error=f"bounced: {bounce.status} {bounce.reason}"[:500],
        )
        for m in failing:
            announce_failed(m, now)  # so "message failed" rules see bounces too
        log.warning(
            "bounce %s: %d message(s) failed: %s", bounce.status, len(failing), bounce.reason
        )
    return messages[0].customer
