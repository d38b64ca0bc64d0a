"""Benchmark: the portal home at scale, and many signed-in customers at once.

1. Server-side time of ``GET /portal/`` (session check, greeting, open requests, pending
   promises, upcoming renewals, rendered page) through Django's full handler, for random
   signed-in customers of a generated database; ceiling: the same four queries through a
   bare cursor. Target: p99 <= 30 ms at 1,000,000 customers.
2. ``courtier serve`` (granian) on loopback with N concurrent signed-in users for S
   seconds (each a distinct customer with its own session); ceiling: granian serving a
   fixed page with no Django (``bench/portal_bare.py``). Target: 200 users for 60 s, no
   errors.

    COURTIER_DATA_DIR=/tmp/portal-bench .venv/bin/python -m bench.portal              # 1M, 200x60s
    COURTIER_DATA_DIR=/tmp/portal-bench-s .venv/bin/python -m bench.portal --small    # 20k, 50x10s
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courtier.settings")
os.environ.setdefault("COURTIER_DATA_DIR", "/tmp/courtier-portal-bench")  # noqa: S108
os.environ.setdefault("COURTIER_SECRET_KEY", "bench-only-" + "x" * 40)

BATCH = 10_000


def generate(customers: int, seed: int) -> None:
    """Per customer: one agreement; every other one a case; a pending promise on some."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from courtier.cases.models import Case
    from courtier.customers.models import Customer
    from courtier.promises.models import Agreement, Promise

    rng = random.Random(seed)
    staff = [User.objects.create_user(f"agent{n}", is_staff=True) for n in range(20)]
    now = datetime.now(UTC)
    today = now.date()
    for start in range(0, customers, BATCH):
        with transaction.atomic():
            made = Customer.objects.bulk_create(
                [
                    Customer(display_name=f"Customer {n}", given_name="Ann", family_name=f"N{n}")
                    for n in range(start, min(start + BATCH, customers))
                ]
            )
            cases, agreements = [], []
            for c in made:
                if rng.random() < 0.5:
                    opened = now - timedelta(days=rng.randint(0, 300))
                    cases.append(
                        Case(
                            customer_id=c.pk,
                            subject="Line drops",
                            channel="phone",
                            status=rng.choice(["open", "waiting_us", "resolved", "closed"]),
                            owner=rng.choice(staff),
                            opened_at=opened,
                            first_response_due_at=opened + timedelta(hours=8),
                            resolution_due_at=opened + timedelta(days=5),
                        )
                    )
                end = today + timedelta(days=rng.randint(-200, 400))
                agreements.append(
                    Agreement(
                        customer_id=c.pk,
                        product="Fibre 500",
                        start_date=date(end.year - 1, end.month, min(end.day, 28)),
                        term_months=12,
                        end_date=end,
                        renewal_date=end,
                        price=Decimal("59.90"),
                        effective_end_date=end,
                        effective_renewal_date=end,
                        created_at=now,
                    )
                )
            made_cases = Case.objects.bulk_create(cases)
            Agreement.objects.bulk_create(agreements)
            promises = []
            for case in made_cases[::2]:
                who = rng.choice(staff)
                promises.append(
                    Promise(
                        customer_id=case.customer_id,
                        case_id=case.pk,
                        kind="callback",
                        due_at=now + timedelta(days=rng.randint(-5, 10)),
                        made_by=who,
                        owner=who,
                        made_at=now,
                        state=rng.choice(["pending", "kept"]),
                    )
                )
            Promise.objects.bulk_create(promises)
        if (start // BATCH) % 10 == 0:
            print(f"  generated {min(start + BATCH, customers)}/{customers}", file=sys.stderr)


def pct(values: list[float], q: int) -> float:
    return round(statistics.quantiles(values, n=100)[q - 1], 2)


def ceiling_sql() -> list[tuple[str, str]]:
    """The home page's four queries as bare SQL (session, cases, promises, renewals)."""
    from courtier.cases.models import Case
    from courtier.portal.models import PortalAccount, PortalSession
    from courtier.promises.models import Agreement, Promise

    s, a = PortalSession._meta.db_table, PortalAccount._meta.db_table
    return [
        (
            "session",
            f"SELECT s.id, s.customer_id FROM {s} s JOIN {a} a ON a.customer_id = s.customer_id "
            "WHERE s.digest = %s AND s.expires_at > %s AND a.generation = s.generation",
        ),
        (
            "cases",
            f"SELECT public_id, subject, status, opened_at FROM {Case._meta.db_table} "
            "WHERE customer_id = %s AND status IN ('open','waiting_customer','waiting_us') "
            "ORDER BY opened_at DESC, id DESC LIMIT 20",
        ),
        (
            "promises",
            f"SELECT kind, text, due_at FROM {Promise._meta.db_table} "
            "WHERE customer_id = %s AND state = 'pending' ORDER BY made_at DESC, id DESC LIMIT 20",
        ),
        (
            "renewals",
            f"SELECT product, effective_renewal_date FROM {Agreement._meta.db_table} "
            "WHERE customer_id = %s AND status = 'active' "
            "AND effective_renewal_date BETWEEN %s AND %s "
            "ORDER BY effective_end_date DESC, id DESC LIMIT 20",
        ),
    ]


def measure_home(sessions: list[tuple[int, str]], rounds: int) -> dict[str, Any]:
    import hashlib

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from courtier.portal.services.sessions import COOKIE

    clients = []
    for _, key in sessions:
        c = Client(HTTP_HOST="localhost")
        c.cookies[COOKIE] = key
        clients.append(c)
    for c in clients[:50]:
        c.get("/portal/")  # warm
    mine = []
    for i in range(rounds):
        c = clients[i % len(clients)]
        t0 = time.perf_counter()
        r = c.get("/portal/")
        mine.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.status_code
    queries = ceiling_sql()
    bare = []
    today = timezone.localdate()
    for i in range(rounds):
        cid, key = sessions[i % len(sessions)]
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            digest = hashlib.sha256(key.encode()).hexdigest()
            cur.execute(queries[0][1], [digest, timezone.now()])
            cur.fetchall()
            for name, sql in queries[1:]:
                args: list[Any] = [cid]
                if name == "renewals":
                    args += [today, today + timedelta(days=90)]
                cur.execute(sql, args)
                cur.fetchall()
        bare.append((time.perf_counter() - t0) * 1000)
    return {
        "requests": rounds,
        "p50_ms": pct(mine, 50),
        "p99_ms": pct(mine, 99),
        "ceiling_p50_ms": pct(bare, 50),
        "ceiling_p99_ms": pct(bare, 99),
        "ratio_p99": round(pct(mine, 99) / pct(bare, 99), 1),
    }


async def _load(url: str, cookies: list[str], seconds: float) -> dict[str, Any]:
    import httpx

    ok = errors = 0
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=len(cookies) + 10)

    async def user(key: str, client: httpx.AsyncClient) -> None:
        nonlocal ok, errors
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                r = await client.get(url, headers={"Cookie": f"courtier_portal={key}"})
                good = r.status_code == 200 and b"<h1>" in r.content
            except httpx.HTTPError:
                good = False
            latencies.append((time.perf_counter() - t0) * 1000)
            if good:
                ok += 1
            else:
                errors += 1

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.monotonic()
        await asyncio.gather(*(user(k, client) for k in cookies))
        span = time.monotonic() - started
    return {
        "users": len(cookies),
        "seconds": round(span, 1),
        "ok": ok,
        "errors": errors,
        "rps": round(ok / span, 1),
        "p50_ms": pct(latencies, 50) if len(latencies) > 2 else None,
        "p99_ms": pct(latencies, 99) if len(latencies) > 2 else None,
    }


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(argv: list[str], port: int) -> subprocess.Popen[bytes]:
    import httpx

    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/portal/sign-in/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def measure_concurrency(sessions: list[tuple[int, str]], seconds: float) -> dict[str, Any]:
    from courtier.core.management.commands.serve import granian_argv

    cookies = [k for _, k in sessions]
    port = free_port()
    proc = _serve(granian_argv("127.0.0.1", port, 2, 8), port)
    try:
        product = asyncio.run(_load(f"http://127.0.0.1:{port}/portal/", cookies, seconds))
    finally:
        proc.terminate()
        proc.wait()
    port = free_port()
    bare_argv = granian_argv("127.0.0.1", port, 2, 8)
    bare_argv[-1] = "bench.portal_bare:app"
    proc = _serve(bare_argv, port)
    try:
        bare = asyncio.run(_load(f"http://127.0.0.1:{port}/portal/", cookies, seconds))
    finally:
        proc.terminate()
        proc.wait()
    return {
        "product": product,
        "ceiling": bare,
        "ratio_rps": round(product["rps"] / bare["rps"], 3) if bare["rps"] else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--small", action="store_true", help="20k customers, 50 users, 10 s")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.small:
        args.customers, args.users, args.seconds, args.requests = 20_000, 50, 10, 1000
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    from bench._django import setup

    vendor = setup()
    from django.db import connection

    from courtier.customers.models import Customer
    from courtier.portal.models import PortalSession
    from courtier.portal.services.sessions import start_session

    have = Customer.objects.count()
    if have != args.customers:
        if have:
            sys.exit(f"the database holds {have} customers; use an empty COURTIER_DATA_DIR")
        t0 = time.perf_counter()
        generate(args.customers, args.seed)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        print(f"generated in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    PortalSession.objects.all().delete()
    rng = random.Random(args.seed)
    top = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    picked = rng.sample(range(1, top + 1), max(args.users, 500))
    customers = list(Customer.objects.filter(id__in=picked))
    sessions = [(c.pk, start_session(c)) for c in customers]
    load = os.getloadavg()[0]
    home = measure_home(sessions, args.requests)
    print(
        f"{args.customers} customers on {vendor}: GET /portal/ server-side p50 {home['p50_ms']} ms,"
        f" p99 {home['p99_ms']} ms (target <= 30); ceiling (bare SQL) p50 "
        f"{home['ceiling_p50_ms']} ms, p99 {home['ceiling_p99_ms']} ms; ratio p99 "
        f"{home['ratio_p99']}"
    )
    conc = measure_concurrency(sessions[: args.users], args.seconds)
    p, b = conc["product"], conc["ceiling"]
    print(
        f"{p['users']} signed-in users for {p['seconds']} s: {p['ok']} pages, {p['errors']} errors,"
        f" {p['rps']}/s (p50 {p['p50_ms']} ms, p99 {p['p99_ms']} ms); bare granian "
        f"{b['rps']}/s, {b['errors']} errors; ratio {conc['ratio_rps']}"
    )
    figures = {
        "bench": "portal",
        "db": vendor,
        "customers": args.customers,
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "home": home,
        "concurrency": conc,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
