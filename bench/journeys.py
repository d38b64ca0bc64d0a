"""Benchmark: evaluate every starter rule over N customers with N agreements (target: 1M in
at most 30 s on 2 cores, SQLite), and the event-to-action latency of one running worker
(target: at most 2 s).

Data: ``bench.datagen`` customers (identifiers, facts), one agreement each whose effective
renewal dates spread evenly over two years around today (so about N/730 renew on any one
day), and one request per 50 customers opened over the last 30 days, most resolved, some
waiting past their SLA. All bulk-inserted with ``executemany``, in id order.

Measured in one run:

- the ceiling: the three date triggers' range queries alone, in raw SQL (what any
  implementation must read);
- the first evaluation of the date starters (renewal notice, satisfaction survey, waiting
  past the SLA), which acts: etiquette decisions, rendered messages, tasks, firings;
- a second evaluation at the same moment, which finds everything settled (exactly once);
- the event starters (welcome, promise kept) over a backlog of events;
- the latency from a committed event to its action with one ``courtier worker`` running.

    python bench/journeys.py                      # 1,000,000 customers
    python bench/journeys.py --customers 20000    # a minute
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import datagen
from bench._django import setup

AGREEMENT_COLUMNS = [
    "id",
    "public_id",
    "product",
    "start_date",
    "term_months",
    "end_date",
    "renewal_date",
    "price",
    "currency",
    "status",
    "extension_months",
    "effective_end_date",
    "effective_renewal_date",
    "created_at",
    "customer_id",
]
CASE_COLUMNS = [
    "id",
    "public_id",
    "subject",
    "channel",
    "status",
    "priority",
    "segment",
    "opened_at",
    "first_response_due_at",
    "resolution_due_at",
    "resolved_at",
    "handoff_count",
    "reopened_count",
    "customer_id",
    "owner_id",
]
CASES_EVERY = 50
PRODUCTS = ("Mobile plan", "Home internet", "TV package", "Insurance")


def _agreements(start: int, stop: int, today: Any) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(start, stop):
        # A scrambled spread: neighbouring customers renew on unrelated days.
        renewal = today + timedelta(days=(i * 7919) % 730 - 365)
        begin = renewal - timedelta(days=365)
        rows.append(
            (
                i,
                datagen._uuid_hex(9, i),
                PRODUCTS[i % 4],
                begin,
                12,
                renewal,
                renewal,
                f"{20 + i % 80}.00",
                "CAD",
                "active",
                0,
                renewal,
                renewal,
                begin,
                i,
            )
        )
    return rows


def _cases(start: int, stop: int, now: datetime, owner: int) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(start, stop):
        if i % CASES_EVERY:
            continue
        n = i // CASES_EVERY
        opened = now - timedelta(minutes=(n * 7919) % (30 * 24 * 60))
        due = opened + timedelta(days=3)
        resolved = opened + timedelta(hours=2 + n % 40) if n % 10 < 7 else None
        if resolved is not None and resolved > now:
            resolved = None
        status = "resolved" if resolved else ("open", "waiting_us")[n % 2]
        rows.append(
            (
                n + 1,
                datagen._uuid_hex(10, n + 1),
                f"Request {n}",
                "phone",
                status,
                "normal",
                "",
                opened,
                opened + timedelta(hours=4),
                due,
                resolved,
                0,
                0,
                i,
                owner,
            )
        )
    return rows


def _load(url: str, n: int, now: datetime, owner: int) -> float:
    started = time.perf_counter()
    datagen.load(url, customers=n, interactions_per_customer=0, progress=False)
    datagen.TABLES["promises_agreement"] = AGREEMENT_COLUMNS
    datagen.TABLES["cases_case"] = CASE_COLUMNS
    writer = datagen._Writer(url)
    for start in range(1, n + 1, 50_000):
        stop = min(n + 1, start + 50_000)
        writer.write("promises_agreement", _agreements(start, stop, now.date()))
        writer.write("cases_case", _cases(start, stop, now, owner))
    writer.finish()
    return time.perf_counter() - started


# The triggers' predicates, written by hand: the same windows triggers.py asks for.
def _windows(now: datetime) -> list[tuple[str, list[Any]]]:
    today = now.date()
    return [
        (
            "SELECT customer_id, public_id, effective_renewal_date FROM promises_agreement "
            "WHERE effective_renewal_date BETWEEN %s AND %s AND status = 'active'",
            [today + timedelta(days=29), today + timedelta(days=31)],
        ),
        (
            "SELECT customer_id, public_id, resolved_at FROM cases_case "
            "WHERE resolved_at > %s AND resolved_at <= %s AND status IN ('resolved', 'closed')",
            [now - timedelta(days=2), now - timedelta(days=1)],
        ),
        (
            "SELECT customer_id, public_id, resolution_due_at FROM cases_case "
            "WHERE status IN ('open', 'waiting_us') AND resolution_due_at < %s "
            "AND resolution_due_at >= %s",
            [now, now - timedelta(days=7)],
        ),
    ]


def _ceiling(now: datetime) -> tuple[float, int]:
    from django.db import connection

    adapt = connection.ops
    rows = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in _windows(now):
            values = [
                adapt.adapt_datetimefield_value(p) if isinstance(p, datetime) else str(p)
                for p in params
            ]
            cursor.execute(sql, values)
            rows += len(cursor.fetchall())
    return time.perf_counter() - started, rows


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _latency(samples: int, url: str) -> list[float]:
    """Start one worker; create customers one by one; time each until its welcome exists."""
    from courtier.core.actor import Actor
    from courtier.customers.services.records import NewIdentifier, create_customer
    from courtier.messaging.models import Message

    port = _port()
    sink = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {
        **os.environ,
        "COURTIER_DATABASE_URL": url,
        "COURTIER_EMAIL_HOST": "127.0.0.1",
        "COURTIER_EMAIL_PORT": str(port),
        "COURTIER_LOG_LEVEL": "ERROR",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "courtier.cli", "worker", "--idle", "0.05"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    actor = Actor.system("bench")
    took: list[float] = []

    def one(i: int, timeout: float) -> float:
        person = create_customer(
            actor,
            {"display_name": f"Latency {i}", "language": "en"},
            identifiers=[NewIdentifier("email", f"latency{i}@example.com")],
        )
        committed = time.perf_counter()
        while time.perf_counter() - committed < timeout:
            if Message.objects.filter(customer=person, purpose="welcome").exists():
                return time.perf_counter() - committed
            time.sleep(0.005)
        raise SystemExit(f"no welcome within {timeout} s")

    try:
        one(-1, 600)  # warm-up: the worker started, ran its first date pass and an event
        for i in range(samples):
            took.append(one(i, 60))
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        sink.terminate()
        sink.wait()
    return took


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=1_000, help="backlog per event starter")
    parser.add_argument("--samples", type=int, default=20, help="latency samples")
    args = parser.parse_args()
    n = args.customers
    vendor = setup()
    if vendor != "sqlite":
        raise SystemExit("this benchmark loads its data with SQLite's executemany")

    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone

    from courtier.audit.events import emit
    from courtier.core.actor import Actor
    from courtier.journeys.models import Firing, Rule
    from courtier.journeys.services.runner import consume_events, evaluate_dates
    from courtier.journeys.starters import install_starters

    url = f"sqlite:///{connection.settings_dict['NAME']}"
    now = timezone.now()
    owner = User.objects.create_user("bench-owner", is_staff=True).pk
    connection.close()
    print(f"loading {n:,} customers, {n:,} agreements, {n // CASES_EVERY:,} requests", flush=True)
    load_s = _load(url, n, now, owner)
    print(f"  loaded in {load_s:.0f} s", flush=True)

    install_starters(Actor.system("bench"))
    # The bench measures evaluation, not the guard: every starter on, no hold, no rate.
    Rule.objects.update(enabled=True, confirmed_audience=10**9, rate_per_hour=10**6)

    ceiling_s, ceiling_rows = _ceiling(now)
    ceiling_s = min(ceiling_s, _ceiling(now)[0])  # the second pass reads a warm cache
    print(f"ceiling: the date range queries alone: {ceiling_rows:,} rows in {ceiling_s:.3f} s")

    cpu0 = _cpu()
    started = time.perf_counter()
    reports = evaluate_dates(now)
    first_s = time.perf_counter() - started
    first_cpu = _cpu() - cpu0
    for name, report in reports.items():
        print(f"  {name}: {report.summary()}")
    print(f"first evaluation (acts): {first_s:.2f} s ({first_cpu:.2f} s CPU)")

    started = time.perf_counter()
    again = evaluate_dates(now)
    second_s = time.perf_counter() - started
    assert all(r.fired == 0 for r in again.values()), "a second run acted again"
    print(f"second evaluation (all settled, acts on nobody): {second_s:.2f} s")

    with transaction.atomic():
        for i in range(1, args.events + 1):
            emit("customer.created", i, {"customer": "bench"})
            emit("promise.kept", i, {"promise": "bench", "kind": "callback", "text": "done"})
    started = time.perf_counter()
    handled = 0
    while batch := consume_events(limit=500, now=now):
        handled += batch
    events_s = time.perf_counter() - started
    print(f"event starters: {handled:,} events in {events_s:.2f} s")

    fired = Firing.objects.filter(outcome="fired").count()
    total_s = first_s + events_s
    latency = _latency(args.samples, url)
    figures = {
        "bench": "journeys",
        "database": vendor,
        "customers": n,
        "agreements": n,
        "requests": n // CASES_EVERY,
        "load_s": round(load_s, 1),
        "ceiling_s": round(ceiling_s, 3),
        "ceiling_rows": ceiling_rows,
        "first_evaluation_s": round(first_s, 2),
        "first_evaluation_cpu_s": round(first_cpu, 2),
        "second_evaluation_s": round(second_s, 2),
        "events": handled,
        "events_s": round(events_s, 2),
        "all_starters_s": round(total_s, 2),
        "ratio_to_ceiling": round(first_s / ceiling_s, 1) if ceiling_s else None,
        "fired": fired,
        "latency_median_s": round(statistics.median(latency), 3),
        "latency_max_s": round(max(latency), 3),
        "target_evaluation_met": total_s <= 30,
        "target_latency_met": max(latency) <= 2,
    }
    print(f"all starters: {total_s:.2f} s (target 30 s); ceiling {ceiling_s:.3f} s")
    print(f"event to action: median {figures['latency_median_s']} s, max {max(latency):.3f} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
