"""The ceilings recognition is measured against: hand-written SQL through the raw driver.

``CARD_SQL[vendor]`` is the whole customer card (customer, identifiers, current facts and
the last 20 contacts) as ONE query that finds the customer by a stored phone value and
returns the card as JSON text built by the database itself: no ORM, no Python per row.
``LOOKUP_SQL`` is the bare indexed lookup, identifier to customer id.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

_SQLITE_CARD = """
SELECT json_object(
  'id', c.public_id, 'display_name', c.display_name, 'given_name', c.given_name,
  'family_name', c.family_name, 'preferred_name', c.preferred_name,
  'salutation', c.salutation, 'language', c.language, 'register', c.register,
  'time_zone', c.time_zone, 'status', c.status,
  'created_at', c.created_at, 'updated_at', c.updated_at,
  'identifiers', json(coalesce((
    SELECT json_group_array(json_object('id', i.public_id, 'kind', i.kind, 'system', i.system,
      'raw_value', i.raw_value, 'value', i.value, 'source', i.source,
      'verified_at', i.verified_at))
    FROM (SELECT * FROM customers_identifier WHERE customer_id = c.id ORDER BY kind, id) i
  ), '[]')),
  'facts', json(coalesce((
    SELECT json_group_array(json_object('id', f.public_id, 'key', f.key, 'value', f.value,
      'source_kind', f.source_kind, 'source', f.source, 'observed_at', f.observed_at,
      'verified_at', f.verified_at))
    FROM (SELECT * FROM customers_fact WHERE customer_id = c.id AND retracted_at IS NULL
          ORDER BY key, observed_at, id) f
  ), '[]')),
  'interactions', json(coalesce((
    SELECT json_group_array(json_object('id', t.public_id, 'channel', t.channel,
      'direction', t.direction, 'occurred_at', t.occurred_at, 'summary', t.summary,
      'staff', t.username))
    FROM (SELECT x.public_id, x.channel, x.direction, x.occurred_at, x.summary, u.username
          FROM interactions_interaction x LEFT JOIN auth_user u ON u.id = x.staff_id
          WHERE x.customer_id = c.id ORDER BY x.occurred_at DESC, x.id DESC LIMIT 20) t
  ), '[]'))
)
FROM customers_identifier m JOIN customers_customer c ON c.id = m.customer_id
WHERE m.kind = 'phone' AND m.value = ? AND m.system = ''
"""

_PG_CARD = """
SELECT json_build_object(
  'id', c.public_id, 'display_name', c.display_name, 'given_name', c.given_name,
  'family_name', c.family_name, 'preferred_name', c.preferred_name,
  'salutation', c.salutation, 'language', c.language, 'register', c.register,
  'time_zone', c.time_zone, 'status', c.status,
  'created_at', c.created_at, 'updated_at', c.updated_at,
  'identifiers', coalesce((
    SELECT json_agg(json_build_object('id', i.public_id, 'kind', i.kind, 'system', i.system,
      'raw_value', i.raw_value, 'value', i.value, 'source', i.source,
      'verified_at', i.verified_at) ORDER BY i.kind, i.id)
    FROM customers_identifier i WHERE i.customer_id = c.id), '[]'::json),
  'facts', coalesce((
    SELECT json_agg(json_build_object('id', f.public_id, 'key', f.key, 'value', f.value,
      'source_kind', f.source_kind, 'source', f.source, 'observed_at', f.observed_at,
      'verified_at', f.verified_at) ORDER BY f.key, f.observed_at, f.id)
    FROM customers_fact f WHERE f.customer_id = c.id AND f.retracted_at IS NULL), '[]'::json),
  'interactions', coalesce((
    SELECT json_agg(json_build_object('id', t.public_id, 'channel', t.channel,
      'direction', t.direction, 'occurred_at', t.occurred_at, 'summary', t.summary,
      'staff', t.username) ORDER BY t.occurred_at DESC, t.id DESC)
    FROM (SELECT x.id, x.public_id, x.channel, x.direction, x.occurred_at, x.summary,
                 u.username
          FROM interactions_interaction x LEFT JOIN auth_user u ON u.id = x.staff_id
          WHERE x.customer_id = c.id ORDER BY x.occurred_at DESC, x.id DESC LIMIT 20) t
  ), '[]'::json)
)::text
FROM customers_identifier m JOIN customers_customer c ON c.id = m.customer_id
WHERE m.kind = 'phone' AND m.value = %s AND m.system = ''
"""

CARD_SQL = {"sqlite": _SQLITE_CARD, "postgresql": _PG_CARD}
LOOKUP_SQL = {
    "sqlite": "SELECT customer_id FROM customers_identifier WHERE kind = ? AND value = ?",
    "postgresql": "SELECT customer_id FROM customers_identifier WHERE kind = %s AND value = %s",
}


def vendor_of(url: str) -> str:
    """Return ``sqlite`` or ``postgresql`` for a database URL."""
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def connect(url: str) -> Any:
    """Open a raw driver connection with the settings the product uses for reads."""
    if vendor_of(url) == "sqlite":
        db = sqlite3.connect(url.split("///", 1)[1], isolation_level=None, check_same_thread=False)
        db.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
            "PRAGMA cache_size=-32768; PRAGMA mmap_size=134217728;"
        )
        return db
    import psycopg

    return psycopg.connect(url, autocommit=True)


_NOT_DIGIT = re.compile(r"\D")


def quick_e164(raw: str) -> str:
    """North-American digits to E.164, the bare minimum a ceiling needs (no validation)."""
    digits = _NOT_DIGIT.sub("", raw)
    return "+" + (digits if len(digits) == 11 else "1" + digits)
