"""The customer card: everything staff need to greet and serve someone, in one read.

Apps above ``customers`` add their part of the card (the timeline, open cases, pending
promises) by registering a section: a function from the customer's internal id to a
JSON-ready list. ``customers`` never imports them, so the dependency stays one-way.

The card is built from hand-written, index-only queries: it is the hottest read in the
product (every call and chat opens one), and the ORM's per-query overhead would be most of
its cost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from courtier.core.sql import HotQuery, aware, iso, prefetched, uid
from courtier.customers.greeting import greet
from courtier.customers.models import Customer, Fact, Identifier
from courtier.customers.services.facts import FactRow, derive_profile

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Section = Callable[[int], list[dict[str, Any]]]
_sections: dict[str, Section] = {}
# The hot queries the sections run, each with the customer's id as its one parameter.
_section_reads: list[HotQuery] = []
# Present on every card even before the app that fills them is installed.
PLACEHOLDER_SECTIONS = ("interactions", "open_cases", "pending_promises")

CUSTOMER_COLUMNS = (
    "id, public_id, display_name, given_name, family_name, preferred_name, salutation, "
    "language, register, time_zone, status, created_at, updated_at"
)
_CUSTOMER = Customer._meta.db_table
_IDENTIFIERS = HotQuery(
    "SELECT public_id, kind, system, raw_value, value, source, DT(verified_at) "
    f"FROM {Identifier._meta.db_table} WHERE customer_id = %s ORDER BY kind, id"
)
_FACTS = HotQuery(
    "SELECT public_id, key, value, source_kind, source, DT(observed_at), DT(verified_at) "
    f"FROM {Fact._meta.db_table} "
    "WHERE customer_id = %s AND retracted_at IS NULL ORDER BY key, observed_at, id"
)


def register_section(name: str, section: Section, reads: Sequence[HotQuery] = ()) -> None:
    """Add a section to every card; called from an app's ``ready()``.

    ``reads`` names the :class:`HotQuery` objects the section runs with the customer's id
    as their only parameter: the card sends them together with its own reads, in one
    round trip on PostgreSQL (:func:`prefetched`).
    """
    _sections[name] = section
    _section_reads.extend(q for q in reads if q not in _section_reads)


def sections() -> list[str]:
    """Return the names of the registered card sections (one query each)."""
    return list(_sections)


def customer_head(row: tuple[Any, ...]) -> dict[str, Any]:
    """Turn a row of :data:`CUSTOMER_COLUMNS` into the card's head."""
    head: dict[str, Any] = {
        "id": uid(row[1]),
        "display_name": row[2],
        "given_name": row[3],
        "family_name": row[4],
        "preferred_name": row[5],
        "salutation": row[6],
        "language": row[7],
        "register": row[8],
        "time_zone": row[9],
        "status": row[10],
        "created_at": iso(row[11]),
        "updated_at": iso(row[12]),
    }
    head.update(
        greet(
            display_name=row[2],
            given_name=row[3],
            family_name=row[4],
            preferred_name=row[5],
            salutation=row[6],
            language=row[7],
            register=row[8],
        )
    )
    return head


def build_card(row: tuple[Any, ...]) -> dict[str, Any]:
    """Return the full card for the customer whose :data:`CUSTOMER_COLUMNS` row is given."""
    customer_id = row[0]
    reads = [_IDENTIFIERS, _FACTS, *_section_reads]
    with prefetched([(q, (customer_id,)) for q in reads]):
        return _assemble(row, customer_id)


def _assemble(row: tuple[Any, ...], customer_id: int) -> dict[str, Any]:
    card = customer_head(row)
    card["identifiers"] = [
        {
            "id": uid(public_id),
            "kind": kind,
            "system": system,
            "raw_value": raw_value,
            "value": value,
            "source": source,
            "verified_at": iso(verified_at),
        }
        for public_id, kind, system, raw_value, value, source, verified_at in (
            _IDENTIFIERS.fetchall((customer_id,))
        )
    ]
    facts = [
        FactRow(uid(r[0]), r[1], r[2], r[3], r[4], aware(r[5]) or _EPOCH, aware(r[6]))
        for r in _FACTS.fetchall((customer_id,))
    ]
    card["profile"] = derive_profile(facts)
    for name in PLACEHOLDER_SECTIONS:
        card[name] = []
    for name, section in _sections.items():
        card[name] = section(customer_id)
    return card


def card_for(customer: Customer) -> dict[str, Any]:
    """Return the card of a customer already loaded through the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {CUSTOMER_COLUMNS} FROM {_CUSTOMER} WHERE id = %s",
            [customer.pk],
        )
        row = cursor.fetchone()
    return build_card(row)
