"""Benchmark: email dispatch to a local SMTP server (target: 200 messages/s, one worker;
more with a second worker on PostgreSQL).

Queues N welcome emails, then runs ``courtier worker`` as 1 and then 2 processes against
the same database and an aiosmtpd sink in its own process. The workers start first and
the messages fall due once all of them are polling, so none starts late; they are
stopped (SIGTERM) when the outbox is empty. The rate is N over the span between the
first and last ``sent_at``. The ceiling is a bare smtplib loop sending the same number of
messages of the same size over one connection.

    python bench/dispatch.py --small        # 300 messages
    COURTIER_DATABASE_URL=postgresql://... python bench/dispatch.py   # 2,000 messages
    python bench/dispatch.py --repeats 3    # each configuration 3 times, medians reported
    python bench/dispatch.py --sink-delay 0.002   # the sink answers like a remote server
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import setup


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the SMTP sink did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--small", action="store_true", help="300 messages")
    parser.add_argument("--repeats", type=int, default=1, help="runs per configuration")
    parser.add_argument(
        "--sink-delay",
        type=float,
        default=0.0,
        help="seconds the SMTP sink waits before answering DATA (a server across a network)",
    )
    args = parser.parse_args()
    n = 300 if args.small else args.messages
    vendor = setup()

    from django.db import connection, transaction
    from django.utils import timezone

    from courtier.core.actor import Actor
    from courtier.core.ids import new_id
    from courtier.customers.models import Customer, Identifier
    from courtier.interactions.models import Interaction
    from courtier.messaging.models import Message, Template
    from courtier.messaging.services.outbox import MessageRequest, queue_messages
    from courtier.messaging.services.templates import save_template

    actor = Actor.system("bench")
    Message.objects.all().delete()
    Interaction.objects.all().delete()
    Customer.objects.all().delete()
    Template.objects.filter(purpose="welcome").delete()
    save_template(
        actor,
        {
            "purpose": "welcome",
            "channel": "email",
            "language": "en",
            "subject": "Welcome {{ customer.address }}",
            "text": "Your account {{ account }} is ready.\n\nSee you soon.",
        },
    )
    customers = [Customer(public_id=new_id(), display_name=f"C{i}") for i in range(n)]
    Customer.objects.bulk_create(customers)
    Identifier.objects.bulk_create(
        Identifier(
            customer=c,
            kind="email",
            raw_value=f"c{i}@example.com",
            value=f"c{i}@example.com",
            source="bench",
        )
        for i, c in enumerate(customers)
    )
    daytime = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)

    def queue(run: int) -> None:
        Message.objects.all().delete()
        Interaction.objects.all().delete()
        with transaction.atomic():
            reqs = [
                MessageRequest(c, "welcome", {"account": i}, key=f"{run}:{i}")
                for i, c in enumerate(customers)
            ]
            for i in range(0, n, 500):
                queue_messages(actor, reqs[i : i + 500], daytime)
        if connection.vendor == "postgresql":
            # A table that just grew by n rows has no statistics until autovacuum comes
            # round (a minute); with none the planner sorts the whole backlog per claim.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Message._meta.db_table}")

    port = _port()
    sink = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "bench._sink.SlowSink",
            str(args.sink_delay),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parent.parent,
    )
    env = {
        **os.environ,
        "COURTIER_EMAIL_HOST": "127.0.0.1",
        "COURTIER_EMAIL_PORT": str(port),
        "COURTIER_DATABASE_URL": os.environ.get("COURTIER_DATABASE_URL", "")
        or f"sqlite:///{connection.settings_dict['NAME']}",
    }
    rates: dict[int, float] = {}
    cpu_rates: dict[int, float] = {}
    runs: dict[int, list[float]] = {1: [], 2: []}
    command = [sys.executable, "-m", "courtier.cli", "worker", "--batch", "50", "--idle", "0.05"]

    def run_workers(count: int, lead: float) -> float:
        """Start ``count`` workers, release the outbox ``lead`` seconds later, stop them once
        it is empty; return their CPU seconds (user + system).

        Every worker has started (Python, Django, its connections) and is polling before
        the first message falls due, so all of them send from the same moment: the span
        of ``sent_at`` then measures sending, not one worker starting later than another.
        """
        Message.objects.filter(state="queued").update(
            send_after=timezone.now() + timedelta(seconds=lead)
        )
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        procs = [
            subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
            for _ in range(count)
        ]
        try:
            time.sleep(lead)
            deadline = time.monotonic() + 600
            while Message.objects.filter(state__in=["queued", "sending"]).exists():
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise SystemExit("the workers stopped before the outbox was empty")
                time.sleep(0.05)
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(timeout=60)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)

    try:
        _wait_for(port)
        Message.objects.all().delete()
        connection.close()
        # What starting a worker and idling until the release costs: not part of sending.
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [*command, "--until-idle"], env=env, stdout=subprocess.DEVNULL, check=True
        )
        lead = 2 * (time.perf_counter() - started) + 0.5
        idle_cpu = run_workers(1, lead)
        # Interleaved (1, 2, 1, 2, ...) so a change in the machine's load hits both alike.
        cpu_runs: dict[int, list[float]] = {1: [], 2: []}
        for repeat in range(args.repeats):
            for workers in (1, 2):
                queue(workers * 100 + repeat)
                cpu = run_workers(workers, lead) - workers * idle_cpu
                sent = [
                    t
                    for t in Message.objects.filter(state="sent").values_list("sent_at", flat=True)
                    if t
                ]
                if len(sent) != n:
                    raise SystemExit(f"only {len(sent)} of {n} messages were sent")
                span = (max(sent) - min(sent)).total_seconds()
                runs[workers].append(n / span)
                cpu_runs[workers].append(n / max(cpu, 1e-9))
        for workers in (1, 2):
            rates[workers] = statistics.median(runs[workers])
            cpu_rates[workers] = statistics.median(cpu_runs[workers])

        # Ceiling: the same messages, prebuilt, through one bare smtplib connection.
        sample = next(iter(Message.objects.all()[:1]))
        from courtier.messaging.transports.email import EmailTransport

        raw = EmailTransport().build(sample).message().as_bytes(linesep="\r\n")
        start, cpu_start = time.perf_counter(), time.process_time()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for i in range(n):
                smtp.sendmail("bench@localhost", [f"c{i}@example.com"], raw)
        ceiling = n / (time.perf_counter() - start)
        ceiling_cpu = n / (time.process_time() - cpu_start)
    finally:
        sink.terminate()
        sink.wait()

    figures = {
        "benchmark": "dispatch",
        "database": vendor,
        "messages": n,
        "repeats": args.repeats,
        "sink_delay_s": args.sink_delay,
        "one_worker_runs_per_s": [round(r) for r in runs[1]],
        "two_workers_runs_per_s": [round(r) for r in runs[2]],
        "one_worker_per_s": round(rates[1]),
        "two_workers_per_s": round(rates[2]),
        "one_worker_per_cpu_s": round(cpu_rates[1]),
        "two_workers_per_cpu_s": round(cpu_rates[2]),
        "ceiling_per_s": round(ceiling),
        "ceiling_per_cpu_s": round(ceiling_cpu),
        "load_average": os.getloadavg()[0],
        "ratio_one_worker": round(rates[1] / ceiling, 3),
        "scaling_two_workers": round(rates[2] / rates[1], 2),
        "target_per_s": 200,
    }
    print(
        f"1 worker:  {figures['one_worker_per_s']:>6}/s wall, "
        f"{figures['one_worker_per_cpu_s']}/s per CPU-second of the worker"
    )
    print(f"2 workers: {figures['two_workers_per_s']:>6}/s  (x{figures['scaling_two_workers']})")
    print(
        f"bare smtplib loop (ceiling): {figures['ceiling_per_s']:>6}/s wall, "
        f"{figures['ceiling_per_cpu_s']}/s per CPU-second"
    )
    print(f"load average during the run: {figures['load_average']} on 2 shared cores")
    print(f"ratio 1 worker / ceiling: {figures['ratio_one_worker']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
