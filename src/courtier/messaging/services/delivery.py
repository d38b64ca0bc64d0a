"""Delivery state: the worker claims queued messages and records what became of each.

States: queued -> sending -> sent -> delivered, or -> failed, or back to queued for a
retry with exponential backoff. A claim is one conditional UPDATE (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL so workers never wait on each other, a plain UPDATE under SQLite's
single writer) that moves rows to ``sending`` with a lease (``claimed_until``). A worker
that dies mid-send leaves its rows ``sending``; when the lease runs out another worker
takes them again.

The guarantee is at-least-once, made as close to exactly-once as the protocols allow:
an SMTP or HTTP hand-over cannot commit together with our database, so a crash after
the provider accepted a message and before ``mark_sent`` committed means it is handed
over again. That window is one small UPDATE long, and a repeat carries the same
Message-ID / provider reference, so the receiving side recognises it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from courtier.audit.events import emit
from courtier.core.actor import Actor
from courtier.core.errors import Invalid
from courtier.interactions.services import record_interaction
from courtier.messaging.models import Message, State
from courtier.messaging.services.handover import record_handover

MAX_ATTEMPTS = 6
_TABLE = Message._meta.db_table
# Only the model's table name is formatted in, never input.
# Expired leases first, then queued rows in due order: two index range scans that stop at
# the batch size (partial indexes message_leased and message_queued). One scan with an OR
# of both read and sorted every unfinished row on each claim: 3 ms at 2,000 queued, and
# growing with a campaign's backlog.
_DUE = (
    f"SELECT id FROM (SELECT id FROM {_TABLE} WHERE state = 'sending' AND claimed_until < %s "
    "AND attempts < %s ORDER BY claimed_until LIMIT %s{lock}) AS expired "
    f"UNION ALL SELECT id FROM (SELECT id FROM {_TABLE} WHERE state = 'queued' "
    "AND send_after <= %s ORDER BY send_after, id LIMIT %s{lock}) AS due"
)
# A message whose worker died during every one of this many claims is not retried any
# more: something in it (size, content) is likely what kills the worker.
MAX_CLAIMS = 3 * MAX_ATTEMPTS
_POISONED = (
    f"UPDATE {_TABLE} SET state = 'failed', failed_at = %s, claimed_until = NULL, "
    "last_error = 'the worker stopped during every attempt' "
    "WHERE state = 'sending' AND claimed_until < %s AND attempts >= %s"
)
_CLAIM = (
    f"UPDATE {_TABLE} SET state = 'sending', claimed_until = %s, attempts = attempts + 1 "
    "WHERE id IN (SELECT id FROM ({due}) AS claimable LIMIT %s) RETURNING id"
)
WORKER = Actor.system("worker")


@dataclass(frozen=True)
class Backoff:
    """Delay before retry n: ``base * 2**(n-1)``, capped, with up to 10% jitter."""

    base: float = 30.0
    cap: float = 3600.0

    def delay(self, attempts: int) -> timedelta:
        seconds = min(self.cap, self.base * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=seconds * (1 + random.random() / 10))


def claim(limit: int, lease: float, now: datetime | None = None) -> list[Message]:
    """Move up to ``limit`` due messages to ``sending`` for ``lease`` seconds; return them.

    Due means queued with ``send_after`` passed, or sending with an expired lease (its
    worker died). Commits before returning, so other workers see the claim at once.
    """
    now = now or timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    due = _DUE.format(lock=lock)
    until = now + timedelta(seconds=lease)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # For the worker's session: not waiting for each commit's fsync is safe, as
            # only a crash of the database server itself could lose one, and then the
            # message is sent again with the same Message-ID (the at-least-once promise
            # anyway). It halves the time per message on a busy disk. A session setting,
            # because the hand-over is recorded outside any transaction (handover.py).
            cursor.execute("SET synchronous_commit TO OFF")
        cursor.execute(_POISONED, [adapt(now), adapt(now), MAX_CLAIMS])
        cursor.execute(
            _CLAIM.format(due=due),
            [adapt(until), adapt(now), MAX_CLAIMS, limit, adapt(now), limit, limit],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    return list(
        Message.objects.select_related("customer").filter(id__in=ids).order_by("send_after", "id")
    )


def announce_failed(message: Message, at: datetime) -> None:
    """Emit ``message.failed`` for ``message`` (in the caller's transaction), for the rules."""
    payload = {"message": str(message.public_id), "purpose": message.purpose}
    emit("message.failed", message.customer_id, payload, at=at)


def mark_sent(message: Message, provider_id: str, *, delivered: bool = False) -> bool:
    """Record that the provider accepted ``message``; put it on the customer's timeline.

    Returns False (and changes nothing) if the message is no longer ``sending`` for this
    attempt: another worker took it over after our lease ran out and already recorded it.
    One commit per message, so a crash repeats at most the message in flight.
    """
    now = timezone.now()
    state = State.DELIVERED if delivered else State.SENT
    if connection.vendor == "postgresql":
        return record_handover(WORKER, message, provider_id, state=state, now=now)
    return _mark_sent_orm(message, provider_id, state=state, now=now)


@transaction.atomic
def _mark_sent_orm(message: Message, provider_id: str, *, state: str, now: datetime) -> bool:
    """:func:`mark_sent` on SQLite, whose round trips stay in the process."""
    delivered = state == State.DELIVERED
    updated = Message.objects.filter(
        pk=message.pk, state=State.SENDING, attempts=message.attempts
    ).update(
        state=state,
        sent_at=now,
        delivered_at=now if delivered else None,
        provider_id=provider_id[:200],
        claimed_until=None,
        last_error="",
    )
    if not updated:
        return False
    record_interaction(
        WORKER,
        message.customer,
        channel=message.channel,
        direction="outbound",
        summary=(f"{message.purpose}: {message.subject}" if message.subject else message.purpose)[
            :300
        ],
        body=message.text,
        occurred_at=now,
        source="messaging",
    )
    return True


def mark_failed(
    message: Message,
    error: str,
    *,
    permanent: bool,
    backoff: Backoff,
    max_attempts: int = MAX_ATTEMPTS,
) -> str:
    """Record a failed attempt: retry later (queued) or give up (failed); return the state.

    Returns "stale" and changes nothing if this attempt is no longer the current one.
    """
    now = timezone.now()
    give_up = permanent or message.attempts >= max_attempts
    fields: dict[str, object] = {"claimed_until": None, "last_error": error[:500]}
    if give_up:
        fields.update(state=State.FAILED, failed_at=now)
    else:
        fields.update(state=State.QUEUED, send_after=now + backoff.delay(message.attempts))
    with transaction.atomic():
        updated = Message.objects.filter(
            pk=message.pk, state=State.SENDING, attempts=message.attempts
        ).update(**fields)
        if updated and give_up:
            announce_failed(message, now)
    # "stale": another worker took the message over after our lease ran out.
    return str(fields["state"]) if updated else "stale"


@transaction.atomic
def mark_delivered(provider_id: str, at: datetime | None = None) -> bool:
    """Record a provider's delivery receipt for a sent message; False if none matches."""
    return bool(
        Message.objects.filter(provider_id=provider_id, state=State.SENT)
        .exclude(provider_id="")
        .update(state=State.DELIVERED, delivered_at=at or timezone.now())
    )


def record_receipt(raw: bytes) -> tuple[str, bool]:
    """Apply a provider's delivery receipt (``{"id": ..., "status": "delivered"}``).

    Returns the provider id and whether a sent message was marked delivered; a receipt
    for an unknown or already delivered message changes nothing (providers repeat them).
    Raises :class:`Invalid` naming the field of a malformed receipt.
    """
    try:
        payload = json.loads(raw)
    except ValueError:
        raise Invalid.field("body", "is not JSON") from None
    if not isinstance(payload, dict):
        raise Invalid.field("body", "is not a JSON object")
    provider_id = payload.get("id")
    if not isinstance(provider_id, str) or not provider_id:
        raise Invalid.field("id", "is missing")
    status = payload.get("status")
    if status not in ("delivered", "failed"):
        raise Invalid.field("status", "must be delivered or failed")
    if status == "delivered":
        return provider_id, mark_delivered(provider_id)
    updated = Message.objects.filter(provider_id=provider_id, state=State.SENT).update(
        state=State.FAILED, failed_at=timezone.now(), last_error="the provider could not deliver"
    )
    return provider_id, bool(updated)
