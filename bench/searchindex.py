"""Bulk loads without the search triggers: suspend them, load, then index everything at once.

One bulk index build beats a million single-row trigger runs by far, and the rows end up
indexed exactly as the triggers would have indexed them: SQLite refills its FTS5 tables
with the migration's own statements, PostgreSQL calls the migration's
``courtier_search_tokens_rebuild()`` (``customers.0003_search_tokens``).
"""

from __future__ import annotations

import time
from typing import Any

_PG_TABLES = ("customers_customer", "customers_identifier")


def suspend(raw: Any, sqlite: bool) -> list[str]:
    """Stop the search triggers on the driver connection ``raw``; return what resumes them."""
    if sqlite:
        rows = raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_fts_%'"
        ).fetchall()
        for name, _ in rows:
            raw.execute(f"DROP TRIGGER {name}")
        return [sql for _, sql in rows]
    resume = []
    for table in _PG_TABLES:
        # By name, not DISABLE TRIGGER ALL: the foreign keys' checks are triggers too.
        for (name,) in raw.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND tgname LIKE '%%\\_token\\_%%'",
            [table],
        ).fetchall():
            raw.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
            resume.append(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
    raw.commit()
    return resume


def rebuild(raw: Any, sqlite: bool, resume: list[str]) -> None:
    """Index every customer and identifier in bulk, then resume the triggers; commits."""
    t0 = time.perf_counter()
    if sqlite:
        raw.execute("DELETE FROM customers_name_fts")
        raw.execute("DELETE FROM customers_identifier_fts")
        raw.execute(
            "INSERT INTO customers_name_fts (rowid, name) SELECT id, display_name || ' ' || "
            "given_name || ' ' || family_name || ' ' || preferred_name FROM customers_customer"
        )
        raw.execute(
            "INSERT INTO customers_identifier_fts (rowid, value, customer_id) "
            "SELECT id, replace(value, '+', ''), customer_id FROM customers_identifier"
        )
        for table in ("customers_name_fts", "customers_identifier_fts"):
            raw.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    else:
        raw.execute("SELECT courtier_search_tokens_rebuild()")
    for sql in resume:
        raw.execute(sql)
    raw.commit()
    print(f"  search tables built in {time.perf_counter() - t0:.0f} s")
