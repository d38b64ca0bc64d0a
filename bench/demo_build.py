"""Benchmark: building the demo company (``courtier demo --no-serve``'s work).

Builds N demo customers into a fresh database through :func:`courtier.core.demo.build_demo`
(people invented, identifiers normalised, facts checked, rows made as model instances and
written with ``bulk_create``). Then, in the same run, the ceiling: the very rows it wrote
are read back, deleted, and inserted again with raw ``executemany`` in one transaction, so
the database writes exactly the same data with no Python work at all. Prints both, their
ratio, and one JSON line.

    .venv/bin/python -m bench.demo_build                  # 2,000 customers, fresh SQLite
    .venv/bin/python -m bench.demo_build --small          # 200 customers, seconds
    .venv/bin/python -m bench.demo_build --database-url postgresql://postgres@127.0.0.1/x

With ``--database-url`` the database is migrated and its customers, timeline and access log
are deleted first: never point it at a database whose data you want.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_SECONDS = 10.0  # for 2,000 customers: "seconds, not minutes"


def setup_django(database_url: str | None, work: Path) -> None:
    os.environ["COURTIER_DATA_DIR"] = str(work)
    os.environ.setdefault("COURTIER_SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["COURTIER_DATABASE_URL"] = database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "courtier.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def tables() -> list[Any]:
    """The demo's tables, parents first."""
    from courtier.audit.models import AccessLog
    from courtier.customers.models import Customer, Fact, Identifier
    from courtier.interactions.models import Interaction

    return [Customer, Identifier, Fact, Interaction, AccessLog]


def empty() -> None:
    from django.contrib.auth.models import User
    from django.db import connection

    from courtier.core.demo.build import AGENTS, DEMO_USERNAME

    with connection.cursor() as cursor:
        for model in reversed(tables()):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
    User.objects.filter(username__in=[DEMO_USERNAME, *(a[0] for a in AGENTS)]).delete()


def measure_product(customers: int) -> tuple[float, dict[str, int]]:
    from courtier.core.demo import build_demo

    started = time.perf_counter()
    summary = build_demo(customers)
    seconds = time.perf_counter() - started
    return seconds, {
        "customers": summary.customers,
        "identifiers": summary.identifiers,
        "facts": summary.facts,
        "interactions": summary.interactions,
    }


def measure_ceiling() -> tuple[float, int]:
    """Re-insert the rows the product wrote with raw executemany; return seconds and rows."""
    from django.db import connection, transaction

    dumped: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
    with connection.cursor() as cursor:
        for model in tables():
            columns = [f.column for f in model._meta.concrete_fields]
            cursor.execute(f"SELECT {', '.join(columns)} FROM {model._meta.db_table}")
            dumped.append((model._meta.db_table, columns, cursor.fetchall()))
        for model in reversed(tables()):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
    rows = 0
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns, values in dumped:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values
            )
            rows += len(values)
    return time.perf_counter() - started, rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--small", action="store_true", help="200 customers")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    args = parser.parse_args(argv)
    customers = 200 if args.small else args.customers
    with tempfile.TemporaryDirectory(prefix="courtier-bench-") as tmp:
        setup_django(args.database_url, Path(tmp))
        from django.db import connection

        empty()
        product, written = measure_product(customers)
        ceiling, rows = measure_ceiling()
        empty()
        vendor = connection.vendor
    total = sum(written.values()) + written["customers"]  # + one access-log row each
    ratio = product / ceiling if ceiling else float("inf")
    # The target is for 2,000 customers; larger builds get proportionally more time.
    target = TARGET_SECONDS * max(1.0, customers / 2_000)
    print(f"demo build, {customers} customers on {vendor}: {total} rows {written}")
    print(f"  product (build_demo):      {product:7.2f} s  ({total / product:,.0f} rows/s)")
    print(f"  ceiling (raw executemany): {ceiling:7.2f} s  ({rows / ceiling:,.0f} rows/s)")
    verdict = "met" if product <= target else "NOT met"
    print(f"  product / ceiling: {ratio:.1f}x; target {target:.1f} s: {verdict}")
    figures = {
        "bench": "demo_build",
        "database": vendor,
        "customers": customers,
        "rows": total,
        "product_s": round(product, 3),
        "ceiling_s": round(ceiling, 3),
        "ratio": round(ratio, 2),
        "target_s": target,
        "met": product <= target,
    }
    print(json.dumps(figures))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
