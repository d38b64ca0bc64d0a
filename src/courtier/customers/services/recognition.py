"""Recognition: from any identifier a customer uses to their card, at once.

``recognize`` normalises what was typed (any phone format, any letter case), finds the
identifier through its unique index, builds the card and logs who looked and why.
"""

from __future__ import annotations

from typing import Any

from courtier.audit.services import log_access
from courtier.core.actor import Actor
from courtier.core.errors import Conflict, Invalid, NotFound
from courtier.core.sql import HotQuery
from courtier.customers.card import CUSTOMER_COLUMNS, build_card
from courtier.customers.models import Customer, Identifier
from courtier.customers.normalize import normalize

_COLUMNS = ", ".join(
    f"DT(c.{c})" if c.endswith("_at") else f"c.{c}"
    for c in (c.strip() for c in CUSTOMER_COLUMNS.split(","))
)
_LOOKUP_SQL = (
    f"SELECT {_COLUMNS}, i.system FROM {Identifier._meta.db_table} i "
    f"JOIN {Customer._meta.db_table} c ON c.id = i.customer_id "
    "WHERE i.kind = %s AND i.value = %s"
)
_LOOKUP = HotQuery(_LOOKUP_SQL + " LIMIT 2")
_LOOKUP_IN_SYSTEM = HotQuery(_LOOKUP_SQL + " AND i.system = %s LIMIT 2")


def find_customer_row(kind: str, value: str, system: str | None = None) -> tuple[Any, ...]:
    """Return the customer row for an already normalised identifier.

    Raises :class:`NotFound` when nothing matches and :class:`Conflict` when an account
    number or handle matches different customers in different systems (name the system).
    """
    if system:
        rows = _LOOKUP_IN_SYSTEM.fetchall((kind, value, system))
    else:
        rows = _LOOKUP.fetchall((kind, value))
    if not rows:
        raise NotFound(f"No customer matches this {kind}.")
    if len(rows) > 1 and rows[0][0] != rows[1][0]:
        raise Conflict(
            f"This {kind} belongs to customers in several systems ("
            + ", ".join(sorted(r[-1] for r in rows))
            + "); say which system."
        )
    return tuple(rows[0][:-1])


def recognize(
    actor: Actor,
    kind: str,
    raw: str,
    *,
    system: str | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """Return the card of the customer who uses this identifier, and log the access.

    ``kind`` is phone, email, handle or account; ``raw`` is the value as typed. Raises
    :class:`Invalid` for a malformed identifier (naming the field), :class:`NotFound` when
    no customer uses it. The access-log row is written after the card is read, so the log
    never names a lookup that failed; the reads run outside a write transaction because on
    SQLite a write transaction would serialise every lookup behind one lock.
    """
    value = normalize(kind, raw)
    row = find_customer_row(kind, value, system)
    card = build_card(row)
    log_access(row[0], actor, "recognize", reason or f"recognized by {kind}")
    card["matched"] = {"kind": kind, "value": value}
    return card


IDENTIFIER_PARAMS = ("phone", "email", "handle", "account")


def recognize_one(
    actor: Actor,
    given: dict[str, str | None],
    *,
    system: str | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """:func:`recognize` for a request that names identifiers by kind (``phone=...``).

    Exactly one of phone, email, handle or account must be given (non-empty); otherwise
    raises :class:`Invalid` on the field ``query``. Every HTTP entry point uses this, so
    the rule lives in one place.
    """
    named = [(kind, given[kind]) for kind in IDENTIFIER_PARAMS if given.get(kind)]
    if len(named) != 1:
        raise Invalid.field("query", "give exactly one of phone, email, handle or account")
    kind, value = named[0]
    return recognize(actor, kind, value or "", system=system, reason=reason)
