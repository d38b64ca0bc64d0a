"""Making promises and settling them (kept, broken, cancelled), with who and why."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from courtier.audit.events import emit
from courtier.audit.services import log_access
from courtier.cases.models import Case, Status
from courtier.cases.services.cases import staff_user
from courtier.cases.services.tasks import finish_tasks
from courtier.core.actor import Actor
from courtier.core.errors import Conflict, FieldError, Invalid, NotFound
from courtier.promises.models import Agreement, AgreementStatus, Kind, Promise, State
from courtier.promises.services.agreements import apply_extension, parse_money

MAX_CREDIT = Decimal("100000")
MAX_EXTENSION_MONTHS = 60
MAX_AHEAD = timedelta(days=5 * 366)
TASK_ORIGIN = "promise"


def _check_terms(
    kind: str,
    *,
    case: Case,
    agreement: Agreement | None,
    amount: object,
    months: object,
    text: str,
    due_at: datetime | None,
    now: datetime,
) -> tuple[Decimal | None, int | None, list[FieldError]]:
    errors: list[FieldError] = []
    money: Decimal | None = None
    count: int | None = None
    if kind not in Kind.values:
        return None, None, [FieldError("kind", f"must be one of {', '.join(Kind.values)}")]
    if kind == Kind.CREDIT:
        if amount is None:
            errors.append(FieldError("amount", "a credit needs an amount"))
        else:
            try:
                money = parse_money(amount, "amount", maximum=MAX_CREDIT, allow_zero=False)
            except Invalid as exc:
                errors.extend(exc.errors)
    elif amount is not None:
        errors.append(FieldError("amount", "only a credit has an amount"))
    if kind == Kind.EXTENSION:
        if isinstance(months, bool) or not isinstance(months, int):
            errors.append(FieldError("months", "an extension needs a whole number of months"))
        elif not 1 <= months <= MAX_EXTENSION_MONTHS:
            errors.append(FieldError("months", f"must be between 1 and {MAX_EXTENSION_MONTHS}"))
        else:
            count = months
        if agreement is None:
            errors.append(FieldError("agreement_id", "an extension needs the agreement it extends"))
        elif agreement.customer_id != case.customer_id:
            errors.append(FieldError("agreement_id", "belongs to another customer"))
        elif agreement.status != AgreementStatus.ACTIVE:
            errors.append(FieldError("agreement_id", f"is {agreement.status}, not active"))
    elif months is not None:
        errors.append(FieldError("months", "only an extension adds months"))
    if (
        agreement is not None
        and kind != Kind.EXTENSION
        and agreement.customer_id != case.customer_id
    ):
        errors.append(FieldError("agreement_id", "belongs to another customer"))
    if kind in (Kind.CALLBACK, Kind.CUSTOM) and due_at is None:
        errors.append(FieldError("due_at", f"a {kind} promise needs a due date"))
    if kind == Kind.CUSTOM and not text:
        errors.append(FieldError("text", "say what was promised"))
    if len(text) > 1000:
        errors.append(FieldError("text", "is longer than 1000 characters"))
    if due_at is not None:
        if due_at.tzinfo is None:
            errors.append(FieldError("due_at", "needs a time zone"))
        elif due_at < now - timedelta(minutes=5):
            errors.append(FieldError("due_at", "is in the past"))
        elif due_at > now + MAX_AHEAD:
            errors.append(FieldError("due_at", "is more than five years away"))
    return money, count, errors


@transaction.atomic
def make_promise(
    actor: Actor,
    case: Case,
    *,
    kind: str,
    text: str = "",
    amount: object = None,
    months: object = None,
    due_at: datetime | None = None,
    agreement: Agreement | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> Promise:
    """Record a promise made by the acting staff member to the case's customer.

    Each kind needs its terms (a callback its time, a credit its amount, an extension its
    months and an agreement of the same customer, a custom promise its text and date).
    Raises :class:`Invalid` naming every bad field; nothing is written then.
    """
    now = now or timezone.now()
    text = (text or "").strip()
    money, count, errors = _check_terms(
        kind,
        case=case,
        agreement=agreement,
        amount=amount,
        months=months,
        text=text,
        due_at=due_at,
        now=now,
    )
    if actor.user_id is None:
        errors.append(FieldError("made_by", "only a staff member can make a promise"))
    if case.status == Status.CLOSED:
        errors.append(FieldError("case_id", "the case is closed"))
    keeper_id = actor.user_id
    if owner:
        try:
            keeper_id = int(staff_user(owner, "owner").pk)
        except Invalid as exc:
            errors.extend(exc.errors)
    if errors or actor.user_id is None or keeper_id is None:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    promise = Promise.objects.create(
        customer_id=case.customer_id,
        case=case,
        agreement=agreement,
        kind=kind,
        text=text,
        amount=money,
        months=count,
        due_at=due_at,
        made_by_id=actor.user_id,
        owner_id=keeper_id,
        made_at=now,
    )
    log_access(case.customer_id, actor, "update", f"promised a {kind}")
    emit("promise.made", case.customer_id, _event(promise), at=now)
    return promise


def _settle(actor: Actor, promise: Promise, state: str, reason: str, now: datetime) -> Promise:
    locked = Promise.objects.select_for_update().get(pk=promise.pk)
    if locked.state != State.PENDING:
        raise Conflict(
            f"state: this promise was already {locked.state}",
            [FieldError("state", f"was already {locked.state}")],
        )
    locked.state = state
    locked.settled_at = now
    locked.settled_by_id = actor.user_id
    locked.settled_by_label = actor.label[:150]
    locked.reason = reason
    locked.save()
    finish_tasks(TASK_ORIGIN, locked.public_id, now)
    log_access(locked.customer_id, actor, "update", f"promise {locked.kind} {state}")
    if state in (State.KEPT, State.BROKEN):
        emit(f"promise.{state}", locked.customer_id, _event(locked), at=now)
    return locked


def _event(promise: Promise) -> dict[str, str]:
    return {"promise": str(promise.public_id), "kind": promise.kind, "text": promise.text}


@transaction.atomic
def keep_promise(
    actor: Actor, promise: Promise, note: str = "", now: datetime | None = None
) -> Promise:
    """Mark a pending promise kept; a kept extension moves its agreement's effective dates.

    Keeping twice raises :class:`Conflict` and changes nothing.
    """
    now = now or timezone.now()
    note = (note or "").strip()
    if len(note) > 1000:
        raise Invalid.field("note", "is longer than 1000 characters")
    kept = _settle(actor, promise, State.KEPT, note, now)
    if kept.kind == Kind.EXTENSION and kept.agreement_id is not None and kept.months:
        agreement = Agreement.objects.select_for_update().get(pk=kept.agreement_id)
        apply_extension(agreement, kept.months)
    return kept


@transaction.atomic
def break_promise(
    actor: Actor, promise: Promise, reason: str, now: datetime | None = None
) -> Promise:
    """Record that a pending promise was not kept, and why (the reason is required)."""
    return _settle(actor, promise, State.BROKEN, _reason(reason), now or timezone.now())


@transaction.atomic
def cancel_promise(
    actor: Actor, promise: Promise, reason: str, now: datetime | None = None
) -> Promise:
    """Withdraw a pending promise (say, the customer declined it), with the reason."""
    return _settle(actor, promise, State.CANCELLED, _reason(reason), now or timezone.now())


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid.field("reason", "say why")
    if len(reason) > 1000:
        raise Invalid.field("reason", "is longer than 1000 characters")
    return reason


def get_promise(public_id: uuid.UUID) -> Promise:
    """Return the promise with this public id, or raise :class:`NotFound`."""
    found = (
        Promise.objects.select_related("customer", "case", "agreement", "made_by", "owner")
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise NotFound("No promise has this id.")
    return found


def due_promises(now: datetime, owner_id: int | None = None) -> QuerySet[Promise]:
    """Return pending promises with a due date, soonest first (overdue ones lead)."""
    qs = Promise.objects.filter(state=State.PENDING, due_at__isnull=False)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return qs.select_related("customer", "case", "made_by", "owner").order_by("due_at", "id")


def overdue(promise: Promise, now: datetime) -> bool:
    """Whether a promise is pending past its due date."""
    return promise.state == State.PENDING and promise.due_at is not None and promise.due_at < now
