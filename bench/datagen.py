"""Bulk benchmark data: N customers with 1-3 identifiers, a fact or two and ~10 contacts each.

Everything about customer ``i`` is a pure function of ``i`` (its identifiers, its names),
so a benchmark can pick random customers and know what to type for them without reading
the data back. The schema comes from the project's own migrations; this module only fills
it, with ``executemany`` on SQLite and ``COPY`` on PostgreSQL, in customer order so every
index is appended to rather than split.

Use from another benchmark::

    from bench.datagen import identifiers_of, load
    load(database_url, customers=100_000)
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import searchindex

# Canadian area codes: every one of them is valid for phonenumbers' CA metadata.
AREAS = (514, 438, 450, 579, 819, 873, 418, 581, 613, 343, 416, 647, 437, 905, 289, 604)
_EXCHANGES = 800  # 200..999
_SPACE = len(AREAS) * _EXCHANGES * 10_000
# Odd and not a multiple of 5: coprime with _SPACE, so i -> number is one-to-one.
_SCRAMBLE = 2_654_435_761
GIVEN = ("Marie", "Jean", "Luc", "Sophie", "Amélie", "Noah", "Olivia", "Liam", "Emma", "Chloé")
FAMILY = ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Smith", "Brown", "Wilson", "Martin")
DOMAINS = ("example.com", "courriel.example.ca", "mail.example.org")
CHANNELS = ("phone", "sms", "email", "chat", "web", "portal", "branch", "letter")
DIRECTIONS = ("inbound", "outbound", "internal")
SUMMARIES = (
    "Asked about the last invoice",
    "Moved the appointment to Thursday",
    "Reported a billing error",
    "Thanked us for the quick fix",
    "Wants to change the contract",
    "Confirmed the new address",
)
_NOW = datetime(2026, 11, 1, tzinfo=UTC)
_BATCH = 50_000


def identifier_count(i: int) -> int:
    """How many identifiers customer ``i`` has: 1, 2 or 3."""
    return 1 + (i * 7 + i // 3) % 3


def phone_of(i: int) -> str:
    """Customer ``i``'s phone in E.164: unique, valid, Canadian."""
    n = (i * _SCRAMBLE) % _SPACE
    area = AREAS[n // (_EXCHANGES * 10_000)]
    exchange = 200 + (n // 10_000) % _EXCHANGES
    return f"+1{area}{exchange}{n % 10_000:04d}"


def email_of(i: int) -> str:
    """Customer ``i``'s email, as stored (lower case)."""
    return f"{GIVEN[i % 10].lower()}.{FAMILY[i % 9].lower()}.{i}@{DOMAINS[i % 3]}"


def account_of(i: int) -> str:
    """Customer ``i``'s billing account number, as stored (upper case)."""
    return f"A-{i:08d}"


def identifiers_of(i: int) -> list[tuple[str, str, str]]:
    """Return ``(kind, stored value, system)`` for each identifier of customer ``i``."""
    found = [("phone", phone_of(i), "")]
    count = identifier_count(i)
    if count >= 2:
        found.append(("email", email_of(i), ""))
    if count >= 3:
        found.append(("account", account_of(i), "billing"))
    return found


def _uuid_hex(table: int, n: int) -> str:
    # UUIDv7 layout (time, version 7, variant 10) with a counter for the random part:
    # unique within a table and increasing, as new_id's values are.
    return (
        f"{0x019A0000_0000 + n // 4096:012x}7{n % 4096:03x}{(0x8 << 60) | (table << 56) | n:016x}"
    )


def _when(days_ago: float) -> datetime:
    return _NOW - timedelta(days=days_ago)


def _customer_rows(start: int, stop: int) -> Iterator[tuple[Any, ...]]:
    for i in range(start, stop):
        given, family = GIVEN[i % 10], FAMILY[i % 9]
        informal = i % 4 == 0
        created = _when(1000 - i % 1000)
        yield (
            i,
            _uuid_hex(1, i),
            f"{given} {family}",
            given,
            family,
            "",
            ("ms", "mr", "", "dr")[i % 4],
            "fr" if i % 2 else "en",
            "informal" if informal else "formal",
            "America/Toronto",
            "active",
            created,
            created,
        )


def _identifier_rows(start: int, stop: int, first_id: int) -> Iterator[tuple[Any, ...]]:
    n = first_id
    for i in range(start, stop):
        for kind, value, system in identifiers_of(i):
            raw = value if kind != "email" else value.title()
            verified = _when(30) if i % 5 == 0 else None
            yield (n, _uuid_hex(2, n), kind, system, raw, value, "bench", verified, _NOW, i)
            n += 1


def _fact_rows(start: int, stop: int, first_id: int) -> Iterator[tuple[Any, ...]]:
    n = first_id
    for i in range(start, stop):
        facts = [("postal_code", f"H{i % 10}X {i % 9}Y{i % 7}", "billing")]
        if i % 2:
            facts.append(("birthday", f"19{50 + i % 50}-0{1 + i % 9}-1{i % 10}", "portal"))
        for key, value, source in facts:
            observed = _when(i % 700)
            yield (
                n,
                _uuid_hex(3, n),
                key,
                value,
                "system",
                source,
                observed,
                None,
                None,
                observed,
                i,
            )
            n += 1


def _interaction_rows(
    start: int, stop: int, first_id: int, per_customer: int, rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    n = first_id
    spread = max(1, per_customer // 2)
    for i in range(start, stop):
        for _ in range(per_customer - spread + rng.randrange(2 * spread + 1)):
            occurred = _when(rng.random() * 1000)
            yield (
                n,
                _uuid_hex(4, n),
                CHANNELS[n % 8],
                DIRECTIONS[n % 3],
                occurred,
                SUMMARIES[n % 6],
                "",
                "bench",
                occurred,
                i,
                None,
            )
            n += 1


TABLES: dict[str, Sequence[str]] = {
    "customers_customer": [
        "id",
        "public_id",
        "display_name",
        "given_name",
        "family_name",
        "preferred_name",
        "salutation",
        "language",
        "register",
        "time_zone",
        "status",
        "created_at",
        "updated_at",
    ],
    "customers_identifier": [
        "id",
        "public_id",
        "kind",
        "system",
        "raw_value",
        "value",
        "source",
        "verified_at",
        "created_at",
        "customer_id",
    ],
    "customers_fact": [
        "id",
        "public_id",
        "key",
        "value",
        "source_kind",
        "source",
        "observed_at",
        "verified_at",
        "retracted_at",
        "created_at",
        "customer_id",
    ],
    "interactions_interaction": [
        "id",
        "public_id",
        "channel",
        "direction",
        "occurred_at",
        "summary",
        "body",
        "source",
        "created_at",
        "customer_id",
        "staff_id",
    ],
}


def _sqlite_value(v: Any) -> Any:
    # Django stores datetimes on SQLite as naive UTC text with a space separator.
    if isinstance(v, datetime):
        return v.replace(tzinfo=None).isoformat(" ")
    return v


class _Writer:
    """Appends rows to the four tables, batch by batch, on either backend."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.db: Any = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
            # A benchmark's data can be regenerated: skip the journal and fsyncs while
            # loading, then hand the file back in WAL mode as the product runs it.
            self.db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
            )
        else:
            import psycopg

            self.db = psycopg.connect(url, autocommit=False)
            # The token tables are filled in two statements at the end, not row by row.
            self.resume = searchindex.suspend(self.db, sqlite=False)

    def write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        cols = TABLES[table]
        if self.sqlite:
            marks = ", ".join("?" * len(cols))
            self.db.execute("BEGIN")
            self.db.executemany(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                [tuple(_sqlite_value(v) for v in r) for r in rows],
            )
            self.db.execute("COMMIT")
        else:
            copy_sql = f"COPY {table} ({', '.join(cols)}) FROM STDIN"
            with self.db.cursor() as cur, cur.copy(copy_sql) as copy:
                for r in rows:
                    copy.write_row(r)
            self.db.commit()

    def finish(self) -> None:
        if self.sqlite:
            self.db.executescript("PRAGMA journal_mode=WAL; ANALYZE; PRAGMA optimize;")
        else:
            searchindex.rebuild(self.db, False, self.resume)
            with self.db.cursor() as cur:
                for table in TABLES:
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                self.db.commit()
            self.db.autocommit = True
            self.db.execute("VACUUM ANALYZE")
        self.db.close()


def load(
    url: str,
    customers: int,
    interactions_per_customer: int = 10,
    seed: int = 7,
    progress: bool = True,
) -> dict[str, float]:
    """Fill an empty, migrated database with ``customers`` customers; return row counts.

    Customer ids are 1..N, so customer ``i``'s identifiers are :func:`identifiers_of` (i).
    """
    rng = random.Random(seed)
    writer = _Writer(url)
    counts = dict.fromkeys(TABLES, 0)
    started = time.perf_counter()
    for start in range(1, customers + 1, _BATCH):
        stop = min(customers + 1, start + _BATCH)
        batches = {
            "customers_customer": list(_customer_rows(start, stop)),
            "customers_identifier": list(
                _identifier_rows(start, stop, counts["customers_identifier"] + 1)
            ),
            "customers_fact": list(_fact_rows(start, stop, counts["customers_fact"] + 1)),
            "interactions_interaction": list(
                _interaction_rows(
                    start,
                    stop,
                    counts["interactions_interaction"] + 1,
                    interactions_per_customer,
                    rng,
                )
            ),
        }
        for table, rows in batches.items():
            writer.write(table, rows)
            counts[table] += len(rows)
        if progress:
            elapsed = time.perf_counter() - started
            print(f"  loaded {stop - 1:,}/{customers:,} customers in {elapsed:.0f} s", flush=True)
    writer.finish()
    result: dict[str, float] = {t: float(n) for t, n in counts.items()}
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result
