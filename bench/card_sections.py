"""Benchmark: the card's open-cases, pending-promises and agreements sections.

They run on every recognition (every call and chat), so each must cost about as much as
its one indexed query. This generates its own database at the given size, then for random
customers times the product's section functions and, in the same run, the ceiling: the
same SQL through a bare cursor with no shaping. Prints both, their ratio, and one JSON line.

    COURTIER_DATA_DIR=/tmp/cases-bench .venv/bin/python -m bench.card_sections            # 100k
    COURTIER_DATA_DIR=/tmp/cases-bench .venv/bin/python -m bench.card_sections --small    # 5k
    COURTIER_DATABASE_URL=postgresql://... .venv/bin/python -m bench.card_sections --small
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courtier.settings")
os.environ.setdefault("COURTIER_DATA_DIR", "/tmp/courtier-bench")  # noqa: S108 - throwaway data

BATCH = 5000


def generate(customers: int, seed: int) -> None:
    """Fill an empty database: per customer ~1.5 cases, 1 promise, 1 agreement."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from courtier.cases.models import Case
    from courtier.customers.models import Customer
    from courtier.promises.models import Agreement, Promise

    rng = random.Random(seed)
    staff = [User.objects.create_user(f"agent{n}", is_staff=True) for n in range(20)]
    now = datetime.now(UTC)
    statuses = ["open", "waiting_customer", "waiting_us", "resolved", "closed", "closed"]
    for start in range(0, customers, BATCH):
        with transaction.atomic():
            made = Customer.objects.bulk_create(
                [
                    Customer(display_name=f"Customer {n}")
                    for n in range(start, min(start + BATCH, customers))
                ]
            )
            case_rows, agreement_rows = [], []
            for c in made:
                for _ in range(rng.choice((1, 1, 2))):
                    opened = now - timedelta(days=rng.randint(0, 400))
                    case_rows.append(
                        Case(
                            customer_id=c.pk,
                            subject="Line drops",
                            channel="phone",
                            status=rng.choice(statuses),
                            owner=rng.choice(staff),
                            opened_at=opened,
                            first_response_due_at=opened + timedelta(hours=8),
                            resolution_due_at=opened + timedelta(days=5),
                        )
                    )
                begin = date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))
                end = date(begin.year + 1, begin.month, min(begin.day, 28))
                agreement_rows.append(
                    Agreement(
                        customer_id=c.pk,
                        product="Fibre 500",
                        start_date=begin,
                        term_months=12,
                        end_date=end,
                        renewal_date=end,
                        price=Decimal("59.90"),
                        effective_end_date=end,
                        effective_renewal_date=end,
                        created_at=now,
                    )
                )
            Case.objects.bulk_create(case_rows)
            Agreement.objects.bulk_create(agreement_rows)
            cases = list(
                Case.objects.filter(customer_id__in=[c.pk for c in made]).values_list(
                    "id", "customer_id"
                )
            )
            agreements = dict(
                Agreement.objects.filter(customer_id__in=[c.pk for c in made]).values_list(
                    "customer_id", "id"
                )
            )
            promise_rows = []
            for case_id, customer_id in cases[:: 1 if rng.random() < 0.5 else 2]:
                who = rng.choice(staff)
                extension = rng.random() < 0.3
                promise_rows.append(
                    Promise(
                        customer_id=customer_id,
                        case_id=case_id,
                        agreement_id=agreements[customer_id] if extension else None,
                        kind="extension" if extension else "callback",
                        months=6 if extension else None,
                        due_at=now + timedelta(days=rng.randint(-30, 30)),
                        made_by=who,
                        owner=who,
                        made_at=now,
                        state=rng.choice(["pending", "pending", "kept", "broken"]),
                    )
                )
            Promise.objects.bulk_create(promise_rows)
        print(f"  generated {min(start + BATCH, customers)}/{customers} customers", file=sys.stderr)


def timed(fn: Callable[[int], Any], ids: list[int]) -> list[float]:
    out = []
    for cid in ids:
        t0 = time.perf_counter()
        fn(cid)
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def raw(sql: str) -> Callable[[int], Any]:
    from django.db import connection

    def run(cid: int) -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, [cid])
            return cursor.fetchall()

    return run


def p(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100)[int(q) - 1], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--small", action="store_true", help="5,000 customers: about a minute")
    parser.add_argument("--lookups", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    size = 5_000 if args.small else args.customers

    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from courtier.cases.services import clocks
    from courtier.customers.models import Customer
    from courtier.promises.services import card

    call_command("migrate", verbosity=0)
    if Customer.objects.count() != size:
        if Customer.objects.exists():
            sys.exit(f"the database holds another size; use an empty COURTIER_DATA_DIR for {size}")
        t0 = time.perf_counter()
        generate(size, args.seed)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as a live database would have
        print(f"generated in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    ids = list(Customer.objects.values_list("id", flat=True))
    rng = random.Random(args.seed)
    sample = [rng.choice(ids) for _ in range(args.lookups)]
    sections: dict[str, tuple[Callable[[int], Any], str]] = {
        "open_cases": (clocks.card_open_cases, clocks._CARD.sql),
        "pending_promises": (card.card_pending_promises, card._PENDING.sql),
        "agreements": (card.card_agreements, card._AGREEMENTS.sql),
    }
    figures: dict[str, Any] = {
        "bench": "card_sections",
        "customers": size,
        "lookups": len(sample),
        "db": connection.vendor,
    }
    print(f"{size} customers on {connection.vendor}, {len(sample)} lookups; microseconds per call")
    head = ("section", "product p50", "p95", "ceiling p50", "p95", "ratio p50")
    print(f"{head[0]:18} {head[1]:>12} {head[2]:>8} {head[3]:>12} {head[4]:>8} {head[5]:>10}")
    for name, (product, sql) in sections.items():
        timed(product, sample[:200])  # warm the caches for both
        mine = timed(product, sample)
        bare = timed(raw(sql), sample)
        ratio = round(statistics.median(mine) / statistics.median(bare), 2)
        row = (p(mine, 50), p(mine, 95), p(bare, 50), p(bare, 95), ratio)
        print(f"{name:18} {row[0]:>12} {row[1]:>8} {row[2]:>12} {row[3]:>8} {row[4]:>10}")
        figures[name] = {
            "p50_us": p(mine, 50),
            "p95_us": p(mine, 95),
            "ceiling_p50_us": p(bare, 50),
            "ceiling_p95_us": p(bare, 95),
            "ratio": ratio,
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
