"""Agreements: what a customer holds, with signed and effective dates."""

from __future__ import annotations

import calendar
import re
import uuid
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from courtier.audit.services import log_access
from courtier.core.actor import Actor
from courtier.core.errors import FieldError, Invalid, NotFound
from courtier.customers.models import Customer
from courtier.promises.models import Agreement, AgreementStatus

MAX_TERM_MONTHS = 600  # fifty years: past that, a term is a typo
MAX_PRICE = Decimal("100000000")


def add_months(day: date, months: int) -> date:
    """Return ``day`` moved by whole months; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def parse_money(value: object, field: str, *, maximum: Decimal, allow_zero: bool) -> Decimal:
    """Return an amount with at most two decimals in range, or raise naming ``field``."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Invalid.field(field, "is not a number") from None
    if not amount.is_finite():
        raise Invalid.field(field, "is not a number")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise Invalid.field(field, "must be more than zero" if not allow_zero else "is negative")
    if amount > maximum:
        raise Invalid.field(field, f"is more than {maximum}")
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid.field(field, "has more than two decimals")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def create_agreement(
    actor: Actor,
    customer: Customer,
    *,
    product: str,
    start_date: date,
    term_months: int,
    price: object,
    currency: str = "CAD",
    renewal_date: date | None = None,
    now: datetime | None = None,
) -> Agreement:
    """Record an agreement; the end date is the start plus the term.

    The renewal date defaults to the end date. Raises :class:`Invalid` naming each bad
    field; nothing is written then.
    """
    errors: list[FieldError] = []
    product = (product or "").strip()
    if not product:
        errors.append(FieldError("product", "is empty"))
    elif len(product) > 200:
        errors.append(FieldError("product", "is longer than 200 characters"))
    if not isinstance(term_months, int) or not 1 <= term_months <= MAX_TERM_MONTHS:
        errors.append(FieldError("term_months", f"must be between 1 and {MAX_TERM_MONTHS}"))
    currency = (currency or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        errors.append(FieldError("currency", "must be a three-letter code such as CAD"))
    try:
        amount = parse_money(price, "price", maximum=MAX_PRICE, allow_zero=True)
    except Invalid as exc:
        errors.extend(exc.errors)
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    end = add_months(start_date, term_months)
    renewal = renewal_date or end
    if renewal < start_date:
        raise Invalid.field("renewal_date", "is before the start date")
    agreement = Agreement.objects.create(
        customer=customer,
        product=product,
        start_date=start_date,
        term_months=term_months,
        end_date=end,
        renewal_date=renewal,
        price=amount,
        currency=currency,
        effective_end_date=end,
        effective_renewal_date=renewal,
        created_at=now or timezone.now(),
    )
    log_access(customer.pk, actor, "update", f"recorded agreement {product}"[:200])
    return agreement


def apply_extension(agreement: Agreement, months: int) -> None:
    """Add ``months`` to the agreement's effective dates (caller holds its row lock)."""
    agreement.extension_months += months
    agreement.effective_end_date = add_months(agreement.end_date, agreement.extension_months)
    agreement.effective_renewal_date = add_months(
        agreement.renewal_date, agreement.extension_months
    )
    agreement.save(
        update_fields=["extension_months", "effective_end_date", "effective_renewal_date"]
    )


@transaction.atomic
def set_agreement_status(actor: Actor, agreement: Agreement, status: str) -> Agreement:
    """Mark an agreement active, ended or cancelled; its dates and history stay."""
    if status not in AgreementStatus.values:
        raise Invalid.field("status", f"must be one of {', '.join(AgreementStatus.values)}")
    agreement.status = status
    agreement.save(update_fields=["status"])
    log_access(
        agreement.customer_id, actor, "update", f"agreement {agreement.product} {status}"[:200]
    )
    return agreement


def get_agreement(public_id: uuid.UUID) -> Agreement:
    """Return the agreement with this public id, or raise :class:`NotFound`."""
    found = Agreement.objects.select_related("customer").filter(public_id=public_id).first()
    if found is None:
        raise NotFound("No agreement has this id.")
    return found


def agreements_of(customer: Customer) -> QuerySet[Agreement]:
    """Return a customer's agreements, the latest effective end first."""
    return Agreement.objects.filter(customer=customer).order_by("-effective_end_date", "-id")


def renewals_between(first: date, last: date) -> QuerySet[Agreement]:
    """Return active agreements whose effective renewal date is in [first, last]."""
    return Agreement.objects.filter(
        status=AgreementStatus.ACTIVE, effective_renewal_date__range=(first, last)
    ).order_by("effective_renewal_date", "id")
