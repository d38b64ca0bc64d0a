"""Benchmark: etiquette decisions per second (target: at least 5,000/s on one core).

Measures ``queue_messages`` end to end in batches (read preferences, consents, addresses
and recent sends; decide; render in the house style; write the Message rows), and, as the
ceiling, the same reads and the same number of row inserts in raw SQL with no decision.

    python bench/etiquette.py               # 20,000 customers, 20,000 decisions
    python bench/etiquette.py --small       # 2,000 customers, a few seconds
    COURTIER_DATABASE_URL=postgresql://... python bench/etiquette.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--small", action="store_true", help="2,000 customers")
    args = parser.parse_args()
    n = 2_000 if args.small else args.customers
    vendor = setup()

    from django.db import connection, transaction

    from courtier.core.actor import Actor
    from courtier.core.ids import new_id
    from courtier.customers.models import Customer, Identifier
    from courtier.messaging.models import Consent, Message, Preference, Template
    from courtier.messaging.services.outbox import MessageRequest, queue_messages
    from courtier.messaging.services.templates import save_template

    actor = Actor.system("bench")
    rng = random.Random(5)
    Message.objects.all().delete()
    Customer.objects.all().delete()
    Template.objects.filter(purpose="renewal_notice").delete()
    for lang in ("en", "fr"):
        for row in (
            {
                "channel": "email",
                "subject": "Renewal {{ contract }}",
                "text": "Renew {{ contract }}",
            },
            {"channel": "sms", "text": "Renew {{ contract }} before {{ date }}"},
        ):
            save_template(actor, {"purpose": "renewal_notice", "language": lang, **row})
    customers = [
        Customer(
            public_id=new_id(),
            display_name=f"Customer {i}",
            given_name=f"Given{i}",
            family_name=f"Family{i}",
            salutation=rng.choice(["ms", "mr", ""]),
            language=rng.choice(["en", "fr"]),
            register=rng.choice(["formal", "informal"]),
            time_zone=rng.choice(["", "Europe/Paris", "America/Vancouver"]),
        )
        for i in range(n)
    ]
    with transaction.atomic():
        Customer.objects.bulk_create(customers, batch_size=2000)
        ids = []
        prefs, consents = [], []
        for i, c in enumerate(customers):
            if i % 3:
                ids.append(
                    Identifier(
                        customer=c,
                        kind="email",
                        raw_value=f"c{i}@example.com",
                        value=f"c{i}@example.com",
                        source="bench",
                    )
                )
            if i % 2:
                ids.append(
                    Identifier(
                        customer=c,
                        kind="phone",
                        raw_value=f"+1514555{i:04d}"[:12],
                        value=f"+1514{i:07d}",
                        source="bench",
                    )
                )
            if i % 5 == 0:
                prefs.append(Preference(customer=c, preferred_channel="sms"))
            if i % 7 == 0:
                consents.append(
                    Consent(customer=c, category="proactive", channel="email", granted=False)
                )
        Identifier.objects.bulk_create(ids, batch_size=2000)
        Preference.objects.bulk_create(prefs, batch_size=2000)
        Consent.objects.bulk_create(consents, batch_size=2000)

    now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    requests = [
        MessageRequest(c, "renewal_notice", {"contract": f"K-{i}", "date": "2027-01-01"})
        for i, c in enumerate(customers)
    ]
    start, cpu_start = time.perf_counter(), time.process_time()
    outcomes: dict[str, int] = {}
    for i in range(0, n, args.batch):
        with transaction.atomic():
            for m in queue_messages(actor, requests[i : i + args.batch], now=now):
                key = m.suppressed_reason or str(m.state)
                outcomes[key] = outcomes.get(key, 0) + 1
    product = time.perf_counter() - start
    product_cpu = time.process_time() - cpu_start

    # Ceiling: the same four reads and n inserts, raw, with no decision or rendering.
    table = Message._meta.db_table
    cols = (
        "public_id, customer_id, purpose, category, channel, language, language_fallback, "
        "to_address, subject, text, html, dedupe_key, state, suppressed_reason, decision, "
        "context, send_after, attempts, last_error, provider_id, queued_by, created_at"
    )
    insert = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * 22)})"
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table}")
    pk = [c.pk for c in customers]
    start, cpu_start = time.perf_counter(), time.process_time()
    for i in range(0, n, args.batch):
        chunk = pk[i : i + args.batch]
        marks = ", ".join(["%s"] * len(chunk))
        with transaction.atomic(), connection.cursor() as cur:
            for sql in (
                f"SELECT * FROM messaging_preference WHERE customer_id IN ({marks})",
                f"SELECT * FROM messaging_consent WHERE customer_id IN ({marks})",
                "SELECT customer_id, kind, value FROM customers_identifier "
                f"WHERE customer_id IN ({marks})",
                f"SELECT customer_id, category, created_at FROM {table} "
                f"WHERE customer_id IN ({marks})",
            ):
                cur.execute(sql, chunk)
                cur.fetchall()
            rows = [
                (
                    new_id().hex if vendor == "sqlite" else new_id(),
                    cid,
                    "renewal_notice",
                    "proactive",
                    "email",
                    "en",
                    False,
                    "x@example.com",
                    "s",
                    "t",
                    "h",
                    f"raw:{cid}",
                    "queued",
                    "",
                    "",
                    "{}",
                    adapt(now),
                    0,
                    "",
                    "",
                    "bench",
                    adapt(now),
                )
                for cid in chunk
            ]
            cur.executemany(insert, rows)
    ceiling = time.perf_counter() - start
    ceiling_cpu = time.process_time() - cpu_start

    figures = {
        "benchmark": "etiquette",
        "database": vendor,
        "decisions": n,
        "product_per_s": round(n / product),
        "ceiling_per_s": round(n / ceiling),
        "ratio": round(ceiling / product, 3),
        # CPU seconds of this process: on a shared, loaded machine the fairer "one core"
        # figure (on PostgreSQL the server's own CPU is not in it).
        "product_per_cpu_s": round(n / product_cpu),
        "ceiling_per_cpu_s": round(n / ceiling_cpu),
        "load_average": os.getloadavg()[0],
        "target_per_s": 5000,
        "outcomes": outcomes,
    }
    print(f"queue_messages (decide+render+write): {figures['product_per_s']:>8,}/s")
    print(f"raw SQL reads+inserts (ceiling):     {figures['ceiling_per_s']:>8,}/s")
    print(f"per CPU-second: {figures['product_per_cpu_s']:,} vs {figures['ceiling_per_cpu_s']:,}")
    print(f"ratio product/ceiling: {figures['ratio']}  outcomes: {outcomes}")
    print(f"load average: {figures['load_average']} on 2 shared cores")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
