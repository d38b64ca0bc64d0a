"""Recognition benchmark: identifier as typed -> customer card, in process and over HTTP.

    .venv/bin/python bench/recognize.py [--customers N] [--database-url URL]

Generates N customers (default 1,000,000; 1-3 identifiers, ~10 contacts each) through the
project's migrations and :mod:`bench.datagen`, then measures, in one run:

- ``recognize()`` in process (normalising, the card, the access-log write) over 10,000
  random identifiers typed in mixed formats, against the bare indexed lookup and the whole
  card as one hand-written SQL query on the raw driver (:mod:`bench.cardsql`); the card
  and ``recognize()`` are timed in turn on each phone number, alternating which goes
  first, so both meet the same mix of cold and cached pages;
- ``GET /api/v1/recognize?phone=...`` on ``courtier serve --workers 2`` (granian WSGI)
  with 16 concurrent wrk connections, against a bare ASGI app (:mod:`bench.bare_asgi`)
  serving the same card from the same database under granian with 2 workers;
- the resident memory of each server worker after its run.

Prints a table with the ratios, appends it to docs/benchmarks.md and ends with one JSON
line of every figure. Data is kept under --data-dir and reused by the next run of the
same size (``--regenerate`` to rebuild it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cardsql, datagen, httpload  # noqa: E402

# Kept between runs so the full-size data is generated once, not per run.
_DEFAULT_DIR = str(Path(tempfile.gettempdir()) / "courtier-bench")
PHONE_STYLES = (
    "+1 {a}-{e}-{l}",
    "({a}) {e} {l}",
    "{a}.{e}.{l}",
    "1-{a}/{e}-{l}",
    "+1{a}{e}{l}",
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--database-url", default="", help="default: a SQLite file in --data-dir")
    p.add_argument("--data-dir", default=os.environ.get("BENCH_DATA_DIR", _DEFAULT_DIR))
    p.add_argument("--samples", type=int, default=10_000)
    p.add_argument("--seconds", type=int, default=20, help="length of each HTTP run")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument(
        "--threads", type=int, default=0, help="courtier serve --threads (0: its default)"
    )
    p.add_argument("--regenerate", action="store_true", help="rebuild the data")
    p.add_argument("--no-http", action="store_true", help="measure in process only")
    p.add_argument("--no-record", action="store_true", help="do not append to docs/")
    return p.parse_args(argv)


def typed_phone(e164: str, rng: random.Random) -> str:
    national = e164[2:]
    style = rng.choice(PHONE_STYLES)
    return style.format(a=national[:3], e=national[3:6], l=national[6:])


def typed_email(value: str, rng: random.Random) -> str:
    return "".join(c.upper() if rng.random() < 0.3 else c for c in value)


def samples(customers: int, count: int, seed: int) -> list[tuple[int, str, str, str]]:
    """Return ``(customer, kind, typed, stored)`` for random identifiers in mixed formats."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        i = rng.randint(1, customers)
        kind, value, _system = rng.choice(datagen.identifiers_of(i))
        if kind == "phone":
            typed = typed_phone(value, rng)
        elif kind == "email":
            typed = typed_email(value, rng)
        else:
            typed = value.lower() if rng.random() < 0.5 else value
        out.append((i, kind, typed, value))
    return out


def percentiles(ns: list[int]) -> dict[str, float]:
    """p50 / p99 / mean in milliseconds from nanosecond timings."""
    ordered = sorted(ns)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6

    return {
        "p50_ms": round(pick(0.50), 4),
        "p90_ms": round(pick(0.90), 4),
        "p99_ms": round(pick(0.99), 4),
        "mean_ms": round(statistics.fmean(ordered) / 1e6, 4),
    }


def prepare(args: argparse.Namespace) -> tuple[str, dict[str, float]]:
    """Point Django at the benchmark database, migrate and fill it unless already filled."""
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{data_dir / f'recognize-{args.customers}.sqlite3'}"
    os.environ["COURTIER_DATABASE_URL"] = url
    os.environ["COURTIER_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("COURTIER_SECRET_KEY", "benchmark-only-" + "k" * 40)
    os.environ["DJANGO_SETTINGS_MODULE"] = "courtier.settings"
    marker = data_dir / f"{hashlib.sha256(url.encode()).hexdigest()[:12]}-{args.customers}.json"
    fresh = args.regenerate or not marker.exists()
    if fresh:
        marker.unlink(missing_ok=True)
        _drop(url)
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    if not fresh:
        return url, json.loads(marker.read_text())
    call_command("migrate", verbosity=0)
    connection.close()
    print(f"generating {args.customers:,} customers into {url}", flush=True)
    counts = datagen.load(url, args.customers)
    marker.write_text(json.dumps(counts))
    return url, counts


def _drop(url: str) -> None:
    if cardsql.vendor_of(url) == "sqlite":
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def warm_file_cache(url: str) -> float:
    """Read a SQLite database file once so the operating system holds it; return seconds.

    Other work on a shared machine evicts the file between runs, and then the first few
    thousand cards of whichever side runs first are read from disk. A server in use stays
    warm, so both the product and its ceilings are measured warm.
    """
    if cardsql.vendor_of(url) != "sqlite":
        return 0.0
    started = time.perf_counter()
    path = url.split("///", 1)[1]
    for suffix in ("", "-wal"):
        if Path(path + suffix).exists():
            with open(path + suffix, "rb") as handle:
                while handle.read(1 << 24):
                    pass
    return round(time.perf_counter() - started, 1)


def bench_token() -> str:
    """A staff member and an API token for the HTTP runs."""
    from django.contrib.auth.models import User

    from courtier.staff.services import create_token

    user, _ = User.objects.get_or_create(username="bench", defaults={"is_staff": True})
    return create_token(user, f"bench {datetime.now(UTC):%Y-%m-%d %H:%M:%S}")


def in_process(url: str, picks: list[tuple[int, str, str, str]]) -> dict[str, Any]:
    """Time recognize() and the two SQL ceilings over the same identifiers."""
    from courtier.core.actor import Actor
    from courtier.customers.services.recognition import recognize

    actor = Actor.system("benchmark")
    vendor = cardsql.vendor_of(url)
    raw = cardsql.connect(url)
    lookup, card_sql = cardsql.LOOKUP_SQL[vendor], cardsql.CARD_SQL[vendor]
    phones = [p for p in picks if p[1] == "phone"]

    def timed(fn: Any, items: list[Any]) -> list[int]:
        for item in items[:500]:  # warm the caches and the connection
            fn(item)
        out = []
        for item in items:
            t0 = time.perf_counter_ns()
            fn(item)
            out.append(time.perf_counter_ns() - t0)
        return out

    wrong = 0

    def product(p: tuple[int, str, str, str]) -> None:
        nonlocal wrong
        card = recognize(actor, p[1], p[2], reason="benchmark")
        wrong += card["matched"]["value"] != p[3]

    def paired(first: Any, second: Any, items: list[Any]) -> tuple[list[int], list[int]]:
        # Both sides read the same customer's pages: whichever runs second finds them in
        # the cache (a cold card costs 3-4x a warm one at 1M customers). Alternating who
        # goes first gives each side the same mix of cold and warm reads.
        a_out: list[int] = []
        b_out: list[int] = []
        for n, item in enumerate(items):
            order = ((first, a_out), (second, b_out))
            for fn, out in order if n % 2 else order[::-1]:
                t0 = time.perf_counter_ns()
                fn(item)
                out.append(time.perf_counter_ns() - t0)
        return a_out, b_out

    def card(p: tuple[int, str, str, str]) -> None:
        raw.execute(card_sql, (p[3],)).fetchone()

    for item in phones[:500]:  # warm the connection and the statement caches
        product(item)
        card(item)
    mine, bare = paired(product, card, phones[500:])
    results = {
        "recognize": percentiles(mine),
        "recognize_any_kind": percentiles(timed(product, picks)),
        "sql_lookup": percentiles(timed(lambda p: raw.execute(lookup, p[1:4:2]).fetchone(), picks)),
        "sql_card": percentiles(bare),
    }
    raw.close()
    if wrong:
        raise SystemExit(f"{wrong} recognitions returned the wrong customer")
    return results


def over_http(
    args: argparse.Namespace, url: str, picks: list[tuple[int, str, str, str]]
) -> dict[str, Any]:
    """Load the product server and the bare ASGI app the same way, one after the other."""
    token = bench_token()
    phones = [p[2] for p in picks if p[1] == "phone"]
    out: dict[str, Any] = {}
    data_dir = Path(args.data_dir)
    env = {**os.environ, "BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    venv_bin = Path(sys.executable).parent
    runs = {
        "product": (
            [str(venv_bin / "courtier"), "serve", "--no-static", "--workers", str(args.workers)]
            + (["--threads", str(args.threads)] if args.threads else []),
            "/api/v1/recognize?phone=",
            [f"Authorization: Bearer {token}"],
        ),
        "bare_asgi": (
            [
                str(venv_bin / "granian"),
                "--interface",
                "asgi",
                "--workers",
                str(args.workers),
                "--no-ws",
                "--log-level",
                "warning",
                "bench.bare_asgi:app",
            ],
            "/card?phone=",
            [],
        ),
    }
    for name, (argv, prefix, headers) in runs.items():
        paths = data_dir / f"paths-{name}.txt"
        paths.write_text("".join(f"{prefix}{quote(p)}\n" for p in phones))
        port = httpload.free_port()
        argv = [*argv, "--port", str(port)]
        server = httpload.Server(argv, port, env)
        try:
            server.wait_ready(prefix + quote(phones[0]))
            httpload.run_wrk(port, paths, 3, args.connections, headers)  # warm-up
            figures = httpload.run_wrk(port, paths, args.seconds, args.connections, headers)
            figures["workers"] = server.workers_memory()
        finally:
            server.stop()
        out[name] = figures
    return out


def report(args: argparse.Namespace, url: str, figures: dict[str, Any]) -> str:
    """The human table, with each figure next to its target and its ceiling."""
    ip = figures["in_process"]
    rows = [
        ("in process", "", "p50 ms", "p99 ms"),
        (
            "recognize() incl. access log, by phone",
            "",
            ip["recognize"]["p50_ms"],
            ip["recognize"]["p99_ms"],
        ),
        (
            "recognize(), any kind of identifier",
            "",
            ip["recognize_any_kind"]["p50_ms"],
            ip["recognize_any_kind"]["p99_ms"],
        ),
        ("ceiling: indexed SQL lookup", "", ip["sql_lookup"]["p50_ms"], ip["sql_lookup"]["p99_ms"]),
        ("ceiling: card as one SQL query", "", ip["sql_card"]["p50_ms"], ip["sql_card"]["p99_ms"]),
        ("recognize() / SQL card (p99)", "<= 3x", "", f"{figures['ratio_p99_vs_sql_card']}x"),
    ]
    if "http" in figures:
        rows.append(("HTTP, 16 connections", "req/s", "p50 ms", "p99 ms"))
        for name, label in (("product", "courtier serve (WSGI)"), ("bare_asgi", "bare ASGI")):
            h = figures["http"][name]
            rss = "/".join(str(round(w.get("VmRSS", 0) / 1024)) for w in h["workers"])
            rows.append(
                (f"{label}, RSS MB {rss}", h["rps"], h["p50_us"] / 1000, h["p99_us"] / 1000)
            )
        rows.append(("product / bare ASGI throughput", ">= 40%", "", f"{figures['http_ratio']}%"))
    width = max(len(str(r[0])) for r in rows) + 2
    lines = [f"{r[0]!s:<{width}}{r[1]!s:>10}{r[2]!s:>10}{r[3]!s:>10}" for r in rows]
    return "\n".join(lines)


def record(
    args: argparse.Namespace, url: str, table: str, figures: dict[str, Any], line: str
) -> None:
    """Append this run to docs/benchmarks.md."""
    docs = ROOT / "docs" / "benchmarks.md"
    docs.parent.mkdir(exist_ok=True)
    if not docs.exists():
        docs.write_text("# Benchmarks\n\nResults as measured, newest last.\n")
    shown = url if not url.startswith("sqlite") else "SQLite (file in the bench data dir)"
    command = "python bench/recognize.py " + " ".join(sys.argv[1:])
    with docs.open("a") as f:
        f.write(
            f"\n## Recognition, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"{args.customers:,} customers, {shown}\n\n"
            f"Command: `{command.strip()}`  \n"
            "Machine: 2 cores, shared with other work and noisy (load average "
            f"{figures['load_before'][0]} before, {figures['load_after'][0]} after).\n\n"
            f"```\n{table}\n```\n\n```json\n{line}\n```\n"
        )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not args.no_http:
        httpload.require_wrk()
    url, counts = prepare(args)
    picks = samples(args.customers, args.samples, seed=int(time.time()))
    warmed = warm_file_cache(url)
    figures: dict[str, Any] = {
        "benchmark": "recognize",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "customers": args.customers,
        "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in os.getloadavg()],
        "database": cardsql.vendor_of(url),
        "rows": counts,
        "file_cache_warm_s": warmed,
        "samples": len(picks),
        "in_process": in_process(url, picks),
    }
    ip = figures["in_process"]
    figures["ratio_p99_vs_sql_card"] = round(
        ip["recognize"]["p99_ms"] / ip["sql_card"]["p99_ms"], 2
    )
    if not args.no_http:
        from django.db import connection

        connection.close()
        figures["http"] = over_http(args, url, picks)
        figures["http_ratio"] = round(
            100 * figures["http"]["product"]["rps"] / figures["http"]["bare_asgi"]["rps"], 1
        )
    figures["load_after"] = [round(x, 2) for x in os.getloadavg()]
    table = report(args, url, figures)
    line = json.dumps(figures, separators=(",", ":"))
    print(table)
    if not args.no_record:
        record(args, url, table, figures, line)
    print(line)


if __name__ == "__main__":
    main()
