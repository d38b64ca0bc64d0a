"""Benchmark: search-as-you-type fragment and screen pop, server-side, at a million customers.

    .venv/bin/python -m bench.search                  # 1M customers, 10M interactions, SQLite
    .venv/bin/python -m bench.search --small          # 20k customers: about a minute
    .venv/bin/python -m bench.search --database-url postgresql://postgres@127.0.0.1/bench

Generates its own data (bench/people.py) into a file database (kept between runs; reused
when it already holds the requested size), then measures through Django's full request
handler (middleware, session, permission check, view, template), and in the same run the
ceiling: the index queries alone on a bare driver connection. Prints both with their
ratio, then one JSON line of every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

VACUUMED = (
    "customers_customer",
    "customers_identifier",
    "customers_name_token",
    "customers_identifier_token",
)
TARGETS_MS = {"search_sqlite": 10.0, "search_postgresql": 25.0, "screen_pop": 15.0}


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p * (len(ordered) - 1) + 0.5))]


def setup_django(url: str, data_dir: Path) -> None:
    os.environ["COURTIER_DATABASE_URL"] = url
    os.environ["COURTIER_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courtier.settings")
    os.environ["COURTIER_ALLOWED_HOSTS"] = "localhost"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(customers: int, per_customer: int) -> None:
    from django.db import connection

    from bench import people, searchindex

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_customer")
        have = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM interactions_interaction")
        have_interactions = cursor.fetchone()[0]
    if have >= customers and have_interactions >= customers * per_customer:
        print(f"reusing {have:,} customers and {have_interactions:,} interactions")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in VACUUMED:
                    cursor.execute(f"VACUUM ANALYZE {table}")
        return
    if have or have_interactions:
        sys.exit("the bench database holds another size: delete it or pass --dir")
    sqlite = connection.vendor == "sqlite"
    now = people.utc_now()
    when: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
    batch = 50_000
    t0 = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    resume = searchindex.suspend(raw, sqlite)
    for start in range(0, customers, batch):
        rows = list(people.customer_rows(start, min(batch, customers - start), when))
        idents = list(people.identifier_rows(rows, when))
        if not sqlite:
            rows = [(r[0], r[1], *r[2:]) for r in rows]
        _insert(raw, sqlite, "customers_customer", CUSTOMER_COLS, rows)
        _insert(raw, sqlite, "customers_identifier", IDENTIFIER_COLS, idents)
        ids = range(start + 1, start + 1 + len(rows))
        inter = people.interaction_rows(ids, per_customer, start * per_customer + 1, now, sqlite)
        _insert(raw, sqlite, "interactions_interaction", INTERACTION_COLS, list(inter))
        if sqlite:
            raw.commit()
        done = start + len(rows)
        rate = done / (time.perf_counter() - t0)
        print(f"\r  generated {done:,}/{customers:,} customers ({rate:,.0f}/s)", end="", flush=True)
    searchindex.rebuild(raw, sqlite, resume)
    if not sqlite:
        with connection.cursor() as cursor:
            for table in ("customers_customer", "customers_identifier", "interactions_interaction"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
    with connection.cursor() as cursor:
        if not sqlite:
            # VACUUM sets the visibility map, so the token scans stay index-only, as
            # autovacuum would soon after a load.
            for table in (*VACUUMED, "interactions_interaction"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    print(f"\n  generated in {time.perf_counter() - t0:.0f} s")


CUSTOMER_COLS = (
    "id, public_id, display_name, given_name, family_name, preferred_name, salutation, "
    "language, register, time_zone, status, created_at, updated_at"
)
IDENTIFIER_COLS = (
    "id, public_id, customer_id, kind, system, raw_value, value, source, verified_at, created_at"
)
INTERACTION_COLS = (
    "id, public_id, customer_id, channel, direction, occurred_at, summary, body, staff_id, "
    "source, created_at"
)


def _insert(raw: Any, sqlite: bool, table: str, cols: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if sqlite:
        marks = ", ".join("?" * len(rows[0]))
        raw.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
        return
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def search_queries(customers: int, rnd: random.Random) -> list[str]:
    """What staff type: names letter by letter, phone and email fragments, and abuse."""
    from bench import people

    queries: list[str] = []
    for _ in range(60):
        name = f"{rnd.choice(people.GIVEN)} {rnd.choice(people.FAMILY)}"
        if rnd.random() < 0.5:
            name = people.ascii_fold(name)
        if rnd.random() < 0.3:
            name = " ".join(reversed(name.split()))
        queries += [name[:k] for k in range(2, len(name) + 1)]
    for _ in range(150):
        n = rnd.randrange(customers)
        typed = people.phone_typed(n, rnd.randrange(4))
        queries.append(typed[-rnd.randrange(4, 9) :])
    for _ in range(50):
        n = rnd.randrange(customers)
        queries.append(f"{people.ascii_fold(rnd.choice(people.GIVEN))}.")
        queries.append(str(n)[:5] + "@")
    queries += ['"', '"marie" OR "jean"', "NEAR(a b)", "'; DROP TABLE x; --", "😀 léa 😀"]
    queries += ["x" * 10_000, "marie " * 2_000, "%_%", "*", "a*b*c*"]
    rnd.shuffle(queries)
    return queries


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--interactions-per-customer", type=int, default=10)
    parser.add_argument("--small", action="store_true", help="20,000 customers: about a minute")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--dir", default="/tmp/courtier-bench-search")  # noqa: S108 - scratch data
    parser.add_argument("--pops", type=int, default=1000, help="screen pops to time")
    args = parser.parse_args()
    if args.small:
        args.customers = 20_000
    data_dir = Path(args.dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or (
        f"sqlite:///{data_dir}/bench-{args.customers}-{args.interactions_per_customer}.sqlite3"
    )
    setup_django(url, data_dir)
    generate(args.customers, args.interactions_per_customer)
    from bench.measure import measure

    figures = measure(args.customers, args.pops, search_queries(args.customers, random.Random(7)))
    figures.update(
        customers=args.customers,
        interactions=args.customers * args.interactions_per_customer,
        targets_ms=TARGETS_MS,
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
