"""The outbox: ``queue_message`` is the one door for every message the company sends.

Callers call it inside the transaction that makes the change the message is about (a
case handed off, a promise kept), so the message exists if and only if the change does.
It runs the etiquette decision, renders the words, and writes one ``Message`` row: queued
(with its send time) or suppressed (with its reason). The worker (``delivery``) sends
queued rows later; nothing is sent from inside a caller's transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from courtier.core.actor import Actor
from courtier.core.errors import FieldError, Invalid, NotFound
from courtier.core.sql import HotQuery, iso, uid
from courtier.customers.models import Customer
from courtier.messaging.models import Message, MessageChannel, State
from courtier.messaging.services.etiquette import Decision, decide, live_keys, load_circumstances
from courtier.messaging.services.templates import (
    BUILTIN_PURPOSES,
    RenderError,
    render,
    template_index,
)

MAX_KEY = 200
MAX_CONTEXT = 20_000


@dataclass(frozen=True)
class MessageRequest:
    """One message a caller wants sent: to whom, why, with what details."""

    customer: Customer
    purpose: str
    context: Mapping[str, Any] = field(default_factory=dict)
    key: str = ""  # "case:<id>:handoff:2": the same key never sends twice
    channel: str = ""  # force a channel (a reply goes where the question came from)
    # Force the address too (a sign-in link goes to the identifier the customer typed);
    # the caller vouches that it is one of this customer's.
    to_address: str = ""


def _dedupe_key(req: MessageRequest, context_json: bytes) -> str:
    if req.key:
        return req.key
    digest = hashlib.sha256(context_json).hexdigest()[:32]
    return f"{req.purpose}:{req.customer.public_id}:{digest}"


def _check(index: int, req: MessageRequest, categories: Mapping[str, str]) -> bytes:
    prefix = f"messages[{index}]." if index >= 0 else ""
    errors: list[FieldError] = []
    if req.purpose not in categories:
        errors.append(FieldError(prefix + "purpose", f"{req.purpose!r} has no templates"))
    if req.channel and req.channel not in MessageChannel.values:
        errors.append(
            FieldError(prefix + "channel", f"must be one of {', '.join(MessageChannel.values)}")
        )
    if len(req.key) > MAX_KEY:
        errors.append(FieldError(prefix + "key", f"is longer than {MAX_KEY} characters"))
    try:
        context_json = orjson.dumps(dict(req.context), option=orjson.OPT_SORT_KEYS)
    except TypeError as exc:
        errors.append(FieldError(prefix + "context", f"must be plain JSON data ({exc})"))
        context_json = b""
    if len(context_json) > MAX_CONTEXT:
        errors.append(FieldError(prefix + "context", f"is larger than {MAX_CONTEXT} bytes"))
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return context_json


def _row(
    req: MessageRequest, category: str, key: str, d: Decision, actor: Actor, now: datetime
) -> Message:
    message = Message(
        customer=req.customer,
        purpose=req.purpose,
        category=category,
        channel=d.channel,
        language=d.language,
        language_fallback=d.language_fallback,
        to_address=(req.to_address or d.to_address) if d.channel else "",
        dedupe_key=key,
        state=State.SUPPRESSED if d.suppressed_reason else State.QUEUED,
        suppressed_reason=d.suppressed_reason,
        decision=d.summary[:300],
        context=dict(req.context),
        send_after=d.send_after,
        queued_by=actor.label[:150],
        created_at=now,
    )
    if d.template is not None and not d.suppressed_reason:
        t = d.template
        try:
            out = render(
                req.customer,
                d.channel,
                d.language,
                d.language_fallback,
                (t.subject, t.text, t.html),
                req.context,
            )
        except RenderError as exc:
            message.state = State.SUPPRESSED
            message.suppressed_reason = "render_error"
            message.decision = f"suppressed: the template does not render: {exc}"[:300]
        else:
            message.subject, message.text, message.html = out.subject, out.text, out.html
    return message


@transaction.atomic
def queue_messages(
    actor: Actor, requests: Sequence[MessageRequest], now: datetime | None = None
) -> list[Message]:
    """Decide, render and write one ``Message`` row per request; return them in order.

    Runs in the caller's transaction (a savepoint of it), so rows appear only if the
    caller commits. Every request gets a row: queued, or suppressed with its reason;
    the same key twice (even from two racing transactions) is suppressed as a duplicate,
    enforced by a partial unique index. Raises :class:`Invalid` naming each bad request
    (``messages[3].purpose``); nothing is written then.
    """
    now = now or timezone.now()
    purposes = {r.purpose for r in requests}
    templates = template_index(purposes)
    categories = dict(BUILTIN_PURPOSES)
    categories.update({t.purpose: t.category for t in templates.values()})
    single = len(requests) == 1
    jsons = [_check(-1 if single else i, r, categories) for i, r in enumerate(requests)]
    keys = [_dedupe_key(r, j) for r, j in zip(requests, jsons, strict=True)]
    circs = load_circumstances({r.customer.pk: r.customer for r in requests}.values(), now)
    taken = live_keys(keys)
    rows: list[Message] = []
    for req, key in zip(requests, keys, strict=True):
        circ = circs[req.customer.pk]
        category = categories[req.purpose]
        decision = decide(
            circ,
            purpose=req.purpose,
            category=category,
            duplicate=key in taken,
            templates=templates,
            now=now,
            channel=req.channel or None,
        )
        message = _row(req, category, key, decision, actor, now)
        if message.state == State.QUEUED:
            taken.add(key)
            circ.recent.setdefault(category, []).append(now)
        rows.append(message)
    try:
        with transaction.atomic():
            _insert_many(rows)
    except IntegrityError:
        # Another transaction queued one of these keys since we looked: redo one by one.
        rows = [_insert_one(m) for m in rows]
    return rows


_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.PositiveSmallIntegerField,
    models.ForeignKey,
)


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        return lambda value: connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, _PLAIN_FIELDS):
        return lambda value: value
    return lambda value: field.get_db_prep_save(value, connection)


def _insert_many(rows: list[Message]) -> None:
    """Insert rows with one executemany; ``bulk_create`` spent a third of a decision
    preparing its 26 columns per row through the query compiler."""
    if not rows:
        return
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    adapters = [_adapter(f) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {Message._meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608
    params = [
        [adapt(getattr(m, f.attname)) for f, adapt in zip(fields, adapters, strict=True)]
        for m in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    ids = dict(
        Message.objects.filter(public_id__in=[m.public_id for m in rows]).values_list(
            "public_id", "id"
        )
    )
    for m in rows:
        m.pk = ids[m.public_id]
        m._state.adding = False
        m._state.db = connection.alias


def _insert_one(message: Message) -> Message:
    message.pk = None
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        message.pk = None
        message.state = State.SUPPRESSED
        message.suppressed_reason = "duplicate"
        message.decision = "suppressed: the same message was already sent or queued"
        message.subject = message.text = message.html = ""
        message.save(force_insert=True)
    return message


def queue_message(
    actor: Actor,
    customer: Customer,
    purpose: str,
    context: Mapping[str, Any] | None = None,
    *,
    key: str = "",
    channel: str = "",
    to_address: str = "",
    now: datetime | None = None,
) -> Message:
    """Queue one message to ``customer`` about ``purpose``; see :func:`queue_messages`.

    Call it inside the transaction of the change it tells about. ``key`` makes it
    idempotent (the same key is never sent twice); without one, the purpose and context
    are the key. Returns the row, queued or suppressed; read ``suppressed_reason``.
    """
    request = MessageRequest(customer, purpose, context or {}, key, channel, to_address)
    return queue_messages(actor, [request], now)[0]


def get_message(public_id: Any) -> Message:
    """Return the message with this public id, or raise :class:`NotFound`."""
    found = Message.objects.select_related("customer").filter(public_id=public_id).first()
    if found is None:
        raise NotFound("No message has this id.")
    return found


def message_log(customer: Customer | None = None, state: str = "") -> QuerySet[Message]:
    """Messages with their decision and delivery state, for the log pages and API."""
    qs = Message.objects.select_related("customer")
    if customer is not None:
        qs = qs.filter(customer=customer)
    if state:
        qs = qs.filter(state=state)
    return qs


def portal_inbox(customer: Customer) -> QuerySet[Message]:
    """The customer's portal messages, newest first: what the portal shows them."""
    return Message.objects.filter(
        customer=customer, channel=MessageChannel.PORTAL, state=State.DELIVERED
    ).order_by("-delivered_at", "-id")


CARD_MESSAGES = 10
# On the recognition path: through the ORM this one section cost more than the rest of the
# card together (query compilation and model instances, about 1 ms of a 1.5 ms card).
_CARD = HotQuery(
    "SELECT public_id, purpose, channel, state, suppressed_reason, decision, DT(send_after), "  # noqa: S608
    f"DT(created_at) FROM {Message._meta.db_table} WHERE customer_id = %s "
    f"ORDER BY created_at DESC, id DESC LIMIT {CARD_MESSAGES}"
)


def card_messages(customer_id: int) -> list[dict[str, Any]]:
    """The customer's last messages for the card: each decision and its delivery state."""
    return [
        {
            "id": uid(public_id),
            "purpose": purpose,
            "channel": channel,
            "state": state,
            "suppressed_reason": reason,
            "decision": decision,
            "send_after": iso(send_after),
            "created_at": iso(created_at),
        }
        for public_id, purpose, channel, state, reason, decision, send_after, created_at in (
            _CARD.fetchall((customer_id,))
        )
    ]
