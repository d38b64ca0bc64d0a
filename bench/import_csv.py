"""Benchmark: ``courtier import`` of N customers with two identifiers each.

Generates a CSV of N customers (a phone in one of five formats, an email in mixed case),
imports it into a fresh database through the product's import service, then, in the same
run, inserts the same rows with raw ``executemany`` (no normalisation, no checks, no
matching): the ceiling the database allows. Prints both, their ratio, and one JSON line.

    .venv/bin/python -m bench.import_csv                 # 100,000 rows, fresh SQLite
    .venv/bin/python -m bench.import_csv --small         # 10,000 rows, under a minute
    .venv/bin/python -m bench.import_csv --database-url postgresql://postgres@127.0.0.1/x

With ``--database-url`` the database is migrated and its customers and access log are
emptied first: never point it at a database whose data you want.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET = 10_000  # rows per second
AREAS = ("514", "438", "416", "647", "613", "604", "403", "902")
FORMATS = (
    "+1 {a}-{e}-{n}",
    "({a}) {e}-{n}",
    "{a}.{e}.{n}",
    "1{a}{e}{n}",
    "{a} {e} {n}",
)
GIVEN = ("Marie", "Jean", "Amélie", "Luc", "Chloé", "Omar", "Lin", "Sofia", "Noah", "Léa")
FAMILY = ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Nguyen", "Smith", "Haddad")


def generate(path: Path, rows: int) -> None:
    """Write ``rows`` distinct customers: every phone and email is unique."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["given_name", "family_name", "phone", "email"])
        for i in range(rows):
            area = AREAS[i // 8_000_000 % len(AREAS)]
            exchange = 200 + i // 10_000 % 800
            phone = FORMATS[i % len(FORMATS)].format(a=area, e=exchange, n=f"{i % 10_000:04d}")
            given, family = GIVEN[i % len(GIVEN)], FAMILY[i // 7 % len(FAMILY)]
            email = f"{given}.{family}.{i}@Example.COM" if i % 2 else f"c{i}@example.org"
            writer.writerow([given, family, phone, email])


def setup_django(database_url: str | None, work: Path) -> None:
    os.environ["COURTIER_DATA_DIR"] = str(work)
    os.environ.setdefault("COURTIER_SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["COURTIER_DATABASE_URL"] = database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "courtier.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    empty()


def empty() -> None:
    from django.db import connection

    from courtier.audit.models import AccessLog
    from courtier.customers.models import Customer, Fact, Identifier

    with connection.cursor() as cursor:
        for model in (Fact, Identifier, Customer, AccessLog):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


def measure_import(path: Path) -> tuple[float, float, int]:
    """Return wall seconds, CPU seconds of this process, and customers created."""
    from courtier.customers.services.import_ import import_customers

    started, cpu = time.perf_counter(), time.process_time()
    result = import_customers(path)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.rejected or result.created != result.total:
        sys.exit(f"import rejected rows: {result.rejected[:3]}")
    return elapsed, cpu, result.created


def measure_ceiling(path: Path, chunk: int = 1000) -> tuple[float, float]:
    """Insert the same rows, raw: explicit ids, values as written, no lookup, no checks."""
    from django.db import connection, transaction
    from django.utils import timezone

    from courtier.audit.models import AccessLog
    from courtier.core.ids import new_id
    from courtier.core.sql import db_uid
    from courtier.customers.models import Customer, Identifier

    vendor = connection.vendor
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    insert_customer = (
        f"INSERT INTO {Customer._meta.db_table} (id, public_id, display_name, given_name, "
        "family_name, preferred_name, salutation, language, register, time_zone, status, "
        "created_at, updated_at) VALUES (%s, %s, %s, %s, %s, '', '', 'en', 'formal', '', "
        "'active', %s, %s)"
    )
    insert_identifier = (
        f"INSERT INTO {Identifier._meta.db_table} (public_id, customer_id, kind, system, "
        "raw_value, value, source, created_at) VALUES (%s, %s, %s, '', %s, %s, 'bench', %s)"
    )
    insert_log = (
        f"INSERT INTO {AccessLog._meta.db_table} (customer_id, at, actor_kind, actor_label, "
        "action, reason) VALUES (%s, %s, 'system', 'import', 'create', 'import bench')"
    )
    started, cpu = time.perf_counter(), time.process_time()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        done = False
        next_id = 1
        while not done:
            customers: list[Any] = []
            identifiers: list[Any] = []
            logs: list[Any] = []
            for _ in range(chunk):
                cells = next(reader, None)
                if cells is None:
                    done = True
                    break
                given, family, phone, email = cells
                name = f"{given} {family}"
                customers.append((next_id, db_uid(new_id(), vendor), name, given, family, now, now))
                for kind, value in (("phone", phone), ("email", email)):
                    identifiers.append((db_uid(new_id(), vendor), next_id, kind, value, value, now))
                logs.append((next_id, now))
                next_id += 1
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(insert_customer, customers)
                cursor.executemany(insert_identifier, identifiers)
                cursor.executemany(insert_log, logs)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", action="store_true", help="10,000 rows")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    args = parser.parse_args()
    rows = 10_000 if args.small else args.rows
    with tempfile.TemporaryDirectory(prefix="courtier-bench-") as tmp:
        work = Path(tmp)
        csv_path = work / "customers.csv"
        generate(csv_path, rows)
        setup_django(args.database_url, work)
        from django.db import connection

        product_s, product_cpu, created = measure_import(csv_path)
        empty()
        ceiling_s, ceiling_cpu = measure_ceiling(csv_path)
        empty()
        vendor = connection.vendor
    product_rate, ceiling_rate = rows / product_s, rows / ceiling_s
    print(f"rows: {rows:,} customers, 2 identifiers each ({vendor})")
    print(f"courtier import: {product_s:7.2f} s  {product_rate:9,.0f} rows/s  (target {TARGET:,})")
    print(f"raw executemany: {ceiling_s:7.2f} s  {ceiling_rate:9,.0f} rows/s  (ceiling)")
    print(f"ratio: the import runs at {product_rate / ceiling_rate:.0%} of the ceiling")
    # On a shared machine the wall clock includes time spent waiting for a core; CPU time
    # of this process (which, on SQLite, includes the database's own work) does not.
    print(
        f"CPU time: import {product_cpu:.2f} s ({rows / product_cpu:,.0f} rows/s of CPU), "
        f"ceiling {ceiling_cpu:.2f} s ({rows / ceiling_cpu:,.0f} rows/s of CPU)"
    )
    print(
        json.dumps(
            {
                "benchmark": "import_csv",
                "database": vendor,
                "rows": rows,
                "created": created,
                "import_rows_per_s": round(product_rate),
                "ceiling_rows_per_s": round(ceiling_rate),
                "ratio": round(product_rate / ceiling_rate, 3),
                "import_cpu_rows_per_s": round(rows / product_cpu),
                "ceiling_cpu_rows_per_s": round(rows / ceiling_cpu),
                "target_rows_per_s": TARGET,
                "meets_target": product_rate >= TARGET,
            }
        )
    )


if __name__ == "__main__":
    main()
