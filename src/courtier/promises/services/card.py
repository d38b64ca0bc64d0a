"""The card's promise and agreement sections: one hand-written, indexed query each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from courtier.cases.models import Case
from courtier.core.sql import HotQuery, aware, iso, uid
from courtier.promises.models import Agreement, Promise

CARD_ROWS = 50
_P, _A, _C = Promise._meta.db_table, Agreement._meta.db_table, Case._meta.db_table

_PENDING = HotQuery(
    "SELECT p.public_id, p.kind, p.text, p.amount, p.months, p.due_at, p.made_at, "
    "mu.username, ou.username, c.public_id, a.public_id, a.product "
    f"FROM {_P} p JOIN auth_user mu ON mu.id = p.made_by_id "
    "JOIN auth_user ou ON ou.id = p.owner_id "
    f"JOIN {_C} c ON c.id = p.case_id "
    f"LEFT JOIN {_A} a ON a.id = p.agreement_id "
    "WHERE p.customer_id = %s AND p.state = 'pending' "
    # Both databases put undated promises last this way (their NULL orders differ).
    "ORDER BY CASE WHEN p.due_at IS NULL THEN 1 ELSE 0 END, p.due_at, p.id "
    f"LIMIT {CARD_ROWS}"
)

_AGREEMENTS = HotQuery(
    "SELECT a.public_id, a.product, a.status, a.start_date, a.term_months, a.end_date, "
    "a.renewal_date, a.extension_months, a.effective_end_date, a.effective_renewal_date, "
    "a.price, a.currency, p.public_id, p.months, p.made_at, mu.username, p.settled_at "
    f"FROM {_A} a LEFT JOIN {_P} p ON p.agreement_id = a.id "
    "AND p.kind = 'extension' AND p.state = 'kept' "
    "LEFT JOIN auth_user mu ON mu.id = p.made_by_id "
    "WHERE a.customer_id = %s "
    "ORDER BY a.effective_end_date DESC, a.id, p.made_at, p.id"
)


def _day(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _money(value: object) -> str | None:
    # SQLite hands back a float or int for a decimal column, PostgreSQL a Decimal.
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.01")))


def card_pending_promises(customer_id: int) -> list[dict[str, Any]]:
    """Return the customer's pending promises, overdue ones flagged (one query)."""
    now = timezone.now()
    rows = _PENDING.fetchall([customer_id])
    out = []
    for r in rows:
        due = aware(r[5])
        out.append(
            {
                "id": uid(r[0]),
                "kind": r[1],
                "text": r[2],
                "amount": _money(r[3]),
                "months": r[4],
                "due_at": iso(r[5]),
                "overdue": due is not None and due < now,
                "made_at": iso(r[6]),
                "made_by": r[7],
                "owner": r[8],
                "case_id": uid(r[9]),
                "agreement_id": uid(r[10]) if r[10] is not None else None,
                "agreement": r[11],
            }
        )
    return out


def card_agreements(customer_id: int) -> list[dict[str, Any]]:
    """Return the customer's agreements with signed and effective dates and the kept
    extensions that moved them, each with who made it (one query)."""
    rows = _AGREEMENTS.fetchall([customer_id])
    out: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = uid(r[0])
        item = by_id.get(key)
        if item is None:
            item = {
                "id": key,
                "product": r[1],
                "status": r[2],
                "start_date": _day(r[3]),
                "term_months": r[4],
                "end_date": _day(r[5]),
                "renewal_date": _day(r[6]),
                "extension_months": r[7],
                "effective_end_date": _day(r[8]),
                "effective_renewal_date": _day(r[9]),
                "price": _money(r[10]),
                "currency": r[11],
                "extensions": [],
            }
            by_id[key] = item
            out.append(item)
        if r[12] is not None:
            item["extensions"].append(
                {
                    "promise_id": uid(r[12]),
                    "months": r[13],
                    "made_at": iso(r[14]),
                    "made_by": r[15],
                    "kept_at": iso(r[16]),
                }
            )
    return out
