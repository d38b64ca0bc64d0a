"""Identity matching benchmark: our pipeline next to Splink (DuckDB) on the same data.

    python bench/identity.py --records 100000          # batch + real-time + Splink
    python bench/identity.py --small                   # 5,000 records, about a minute

It generates a labelled evaluation set (``courtier.identity.evaluation``, deterministic by
seed) and, each in its own process so peak memory is its own:

1. batch: ``courtier``'s pipeline (the code ``courtier dedupe`` runs) and Splink 5 with
   DuckDB, both trained without labels on the same records; pairwise precision, recall,
   F1, wall time and peak memory of each;
2. real time: the base loaded into SQLite with the matching index, then ``match()`` for
   held-out duplicates, p50/p99 per call, next to the ceiling (one indexed lookup of one
   blocking key, the least any index-backed matcher must do);
3. the command: the records loaded as customers, identifiers and facts into SQLite, and
   ``courtier dedupe`` (its service) timed end to end: read, train, rebuild the index,
   write the proposals.

Ends with one JSON line of every figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "phone",
    "email",
    "postal_code",
    "postal_address",
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_data(path: str, records: int, seed: int) -> None:
    from courtier.identity.evaluation import generate

    rows = generate(records, seed=seed)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "cluster_id", *FIELDS])
        writer.writeheader()
        writer.writerows(rows)


def read_rows(path: str) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def run_ours(path: str, link: float, review: float) -> dict[str, Any]:
    from courtier.identity import batch
    from courtier.identity.evaluation import score_clusters
    from courtier.identity.prepare import prepare

    # Rows are prepared as they are read, so the raw text of a million rows is never held
    # at once (``courtier dedupe`` reads the database in chunks the same way).
    truth: list[str] = []
    records = []
    prepare_seconds = 0.0
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            truth.append(row["cluster_id"])
            t0 = time.perf_counter()
            records.append(prepare(row))
            prepare_seconds += time.perf_counter() - t0
    started = time.perf_counter()
    result = batch.run(records, link_threshold=link, review_threshold=review)
    seconds = time.perf_counter() - started + prepare_seconds
    result.seconds["prepare"] = prepare_seconds
    figures = score_clusters(truth, result.labels)
    return {
        "seconds": round(seconds, 2),
        "stages": {k: round(v, 2) for k, v in result.seconds.items()},
        "precision": figures.precision,
        "recall": figures.recall,
        "f1": figures.f1,
        # The counts behind the rounded figures, so F1 can be checked to any precision.
        "true_pairs": figures.true_pairs,
        "predicted_pairs": figures.predicted_pairs,
        "correct_pairs": figures.correct_pairs,
        "candidate_pairs": result.candidate_pairs,
        "skipped_blocks": result.skipped_blocks,
        "peak_mb": round(peak_mb()),
    }


_CLEAN_SQL = """
CREATE TABLE people AS
SELECT id::BIGINT AS unique_id, cluster_id AS true_id,
  nullif(lower(strip_accents(regexp_replace(given_name, '[^[:alpha:]]+', '', 'g'))), '')
    AS given_name,
  nullif(lower(strip_accents(regexp_replace(family_name, '[^[:alpha:]]+', '', 'g'))), '')
    AS family_name,
  nullif(birth_date, '') AS birth_date,
  nullif(right(regexp_replace(phone, '[^0-9]', '', 'g'), 10), '') AS phone,
  nullif(lower(email), '') AS email,
  nullif(split_part(lower(email), '@', 1), '') AS email_local,
  nullif(upper(replace(postal_code, ' ', '')), '') AS postal_code,
  nullif(lower(postal_address), '') AS postal_address
FROM read_csv('{path}', all_varchar = true)
"""


def run_splink(path: str, link: float) -> dict[str, Any]:
    import logging

    import duckdb
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    from courtier.identity.evaluation import score_clusters

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(_CLEAN_SQL.format(path=path))
    db_api = DuckDBAPI(con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("family_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("phone"),
            cl.EmailComparison("email"),
            cl.ExactMatch("postal_code"),
            cl.JaroWinklerAtThresholds("postal_address", [0.9]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("phone"),
            block_on("email_local"),
            block_on("family_name", "substr(birth_date, 1, 4)"),
            block_on("given_name", "family_name"),
            block_on("postal_code", "substr(given_name, 1, 1)"),
            block_on("birth_date", "substr(given_name, 1, 1)"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(db_api.register("people"), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("given_name", "family_name", "birth_date")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=link
    )
    rows = con.execute(
        f"SELECT p.true_id, c.cluster_id FROM people p JOIN {clusters.physical_name} c "
        "ON c.unique_id = p.unique_id"
    ).fetchall()
    seconds = time.perf_counter() - started
    figures = score_clusters([r[0] for r in rows], [r[1] for r in rows])
    return {
        "seconds": round(seconds, 2),
        "precision": figures.precision,
        "recall": figures.recall,
        "f1": figures.f1,
        "records": len(rows),
        "peak_mb": round(peak_mb()),
    }


def run_realtime(path: str, queries: int, workdir: str) -> dict[str, Any]:
    os.environ["COURTIER_DATA_DIR"] = workdir
    os.environ["COURTIER_DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courtier.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from courtier.customers.models import Customer
    from courtier.identity import block
    from courtier.identity.models import BlockingKey, MatchRecord
    from courtier.identity.prepare import prepare
    from courtier.identity.services.matching import candidates_for

    call_command("migrate", verbosity=0)
    rows = read_rows(path)
    rng = random.Random(7)
    # Held out: one record of each of `queries` duplicated people, matched against the rest.
    by_person: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_person.setdefault(row["cluster_id"], []).append(index)
    multi = [m for m in by_person.values() if len(m) > 1]
    held = {rng.choice(m) for m in rng.sample(multi, min(queries, len(multi)))}
    started = time.perf_counter()
    customers = Customer._meta.db_table
    keys_table = BlockingKey._meta.db_table
    records_table = MatchRecord._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        batch_c: list[tuple[Any, ...]] = []
        batch_r: list[tuple[Any, ...]] = []
        batch_k: list[tuple[Any, ...]] = []
        from courtier.core.ids import new_id

        for index, row in enumerate(rows):
            if index in held:
                continue
            pk = index + 1
            prepared = prepare(row)
            name = f"{row['given_name']} {row['family_name']}".strip() or "?"
            batch_c.append((pk, new_id().hex, name, row["given_name"], row["family_name"]))
            batch_r.append((pk, json.dumps(prepared.to_row())))
            batch_k.extend((pk, k) for k in block.keys(prepared))
            if len(batch_c) >= 20_000:
                _flush(cursor, customers, records_table, keys_table, batch_c, batch_r, batch_k)
                batch_c, batch_r, batch_k = [], [], []
        _flush(cursor, customers, records_table, keys_table, batch_c, batch_r, batch_k)
    cursor = connection.cursor()
    cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - started

    found_right = 0
    timings: list[float] = []
    ceiling: list[float] = []
    probe = [rows[i] for i in sorted(held)]
    for row in probe[:50]:  # warm-up: the model load and the first statements are not timed
        candidates_for(prepare(row))
    for row in probe:
        record = prepare(row)
        t0 = time.perf_counter()
        found = candidates_for(record)
        timings.append(time.perf_counter() - t0)
        truth = {i + 1 for i in by_person[row["cluster_id"]] if i not in held}
        if found and found[0].internal_id in truth:
            found_right += 1
        key = block.keys(record)[0] if block.keys(record) else "x"
        t0 = time.perf_counter()
        cursor.execute(f"SELECT customer_id FROM {keys_table} WHERE key = %s LIMIT 1", [key])
        cursor.fetchall()
        ceiling.append(time.perf_counter() - t0)
    return {
        "base": len(rows) - len(held),
        "queries": len(probe),
        "load_seconds": round(load_seconds, 1),
        "p50_ms": round(statistics.median(timings) * 1000, 3),
        "p99_ms": round(_p99(timings) * 1000, 3),
        "ceiling_p50_ms": round(statistics.median(ceiling) * 1000, 3),
        "ceiling_p99_ms": round(_p99(ceiling) * 1000, 3),
        "top1_correct": round(found_right / max(len(probe), 1), 4),
        "peak_mb": round(peak_mb()),
    }


def _command_env(workdir: str) -> None:
    os.environ["COURTIER_DATA_DIR"] = workdir
    os.environ["COURTIER_DATABASE_URL"] = f"sqlite:///{workdir}/command.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courtier.settings")


def load_command_db(path: str, workdir: str) -> dict[str, Any]:
    """The records as customers, identifiers and facts in a SQLite base (set-up, untimed)."""
    _command_env(workdir)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from courtier.core.ids import new_id
    from courtier.customers.models import Customer, Fact, Identifier

    call_command("migrate", verbosity=0)
    now = "2026-01-01 00:00:00"
    customers: list[tuple[Any, ...]] = []
    identifiers: list[tuple[Any, ...]] = []
    facts: list[tuple[Any, ...]] = []
    for index, row in enumerate(read_rows(path)):
        pk = index + 1
        name = f"{row['given_name']} {row['family_name']}".strip() or "?"
        customers.append((pk, new_id().hex, name, row["given_name"], row["family_name"]))
        for kind in ("phone", "email"):
            if row[kind]:
                identifiers.append((new_id().hex, pk, kind, row[kind], row[kind].lower()))
        for key in ("birth_date", "postal_code", "postal_address"):
            if row[key]:
                facts.append((new_id().hex, pk, key, row[key]))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {Customer._meta.db_table} (id, public_id, display_name, given_name, "
            "family_name, preferred_name, salutation, language, register, time_zone, status, "
            f"created_at, updated_at) VALUES (%s, %s, %s, %s, %s, '', '', 'en', 'formal', '', "
            f"'active', '{now}', '{now}')",
            customers,
        )
        # A real base cannot give one identifier to two records: later copies lose it.
        cursor.executemany(
            f"INSERT OR IGNORE INTO {Identifier._meta.db_table} (public_id, customer_id, kind, "
            f"system, raw_value, value, source, created_at) VALUES (%s, %s, %s, '', %s, %s, "
            f"'bench', '{now}')",
            identifiers,
        )
        cursor.executemany(
            f"INSERT INTO {Fact._meta.db_table} (public_id, customer_id, key, value, "
            f"source_kind, source, observed_at, created_at) VALUES (%s, %s, %s, %s, 'import', "
            f"'bench', '{now}', '{now}')",
            facts,
        )
    return {}


def run_command(workdir: str) -> dict[str, Any]:
    """``courtier dedupe`` itself over the loaded base, in a fresh process (its own peak)."""
    _command_env(workdir)
    import django

    django.setup()
    from courtier.identity.models import MatchProposal
    from courtier.identity.services.dedupe import dedupe

    started = time.perf_counter()
    report = dedupe()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "stages": {k: round(v, 2) for k, v in report.seconds.items()},
        "customers": report.customers,
        "proposals": MatchProposal.objects.count(),
        "clusters": report.clusters,
        "peak_mb": round(peak_mb()),
    }


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _flush(
    cursor: Any, customers: str, records: str, keys: str, c: list[Any], r: list[Any], k: list[Any]
) -> None:
    now = "2026-01-01 00:00:00"
    cursor.executemany(
        f"INSERT INTO {customers} (id, public_id, display_name, given_name, family_name, "
        "preferred_name, salutation, language, register, time_zone, status, created_at, "
        f"updated_at) VALUES (%s, %s, %s, %s, %s, '', '', 'en', 'formal', '', 'active', "
        f"'{now}', '{now}')",
        c,
    )
    cursor.executemany(
        f"INSERT INTO {records} (customer_id, data, updated_at) VALUES (%s, %s, '{now}')", r
    )
    cursor.executemany(f"INSERT INTO {keys} (customer_id, key) VALUES (%s, %s)", k)


def _child(queue: Any, name: str, args: tuple[Any, ...]) -> None:
    try:
        queue.put(globals()[name](*args))
    except Exception as exc:  # reported in the figures, never hidden
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def in_process(name: str, *args: Any) -> dict[str, Any]:
    """Run one measurement in a fresh process, so its peak memory is its own."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, name, args))
    proc.start()
    result = queue.get()
    proc.join()
    return dict(result or {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--small", action="store_true", help="5,000 records: about a minute")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument(
        "--link",
        type=float,
        default=0.9,
        help="cluster threshold, both engines (the default of COURTIER_IDENTITY_CLUSTER_THRESHOLD)",
    )
    parser.add_argument("--review", type=float, default=0.5)
    parser.add_argument(
        "--skip", action="append", default=[], choices=["splink", "realtime", "command"]
    )
    args = parser.parse_args()
    records = 5000 if args.small else args.records
    figures: dict[str, Any] = {"records": records, "seed": args.seed, "link": args.link}
    with tempfile.TemporaryDirectory(prefix="identity-bench-") as workdir:
        path = os.path.join(workdir, "people.csv")
        started = time.perf_counter()
        in_process("write_data", path, records, args.seed)
        print(f"generated {records:,} records in {time.perf_counter() - started:.1f}s")
        figures["courtier"] = in_process("run_ours", path, args.link, args.review)
        print("courtier batch:", figures["courtier"])
        if "splink" not in args.skip:
            figures["splink"] = in_process("run_splink", path, args.link)
            print("splink batch:  ", figures["splink"])
            ours, theirs = figures["courtier"], figures["splink"]
            if "seconds" in ours and "seconds" in theirs:
                figures["time_ratio"] = round(ours["seconds"] / theirs["seconds"], 3)
                figures["f1_delta"] = round(ours["f1"] - theirs["f1"], 4)
                print(
                    f"time courtier/splink = {figures['time_ratio']}, "
                    f"F1 courtier - splink = {figures['f1_delta']}"
                )
        if "realtime" not in args.skip:
            figures["realtime"] = in_process("run_realtime", path, args.queries, workdir)
            rt = figures["realtime"]
            print("real time:", rt)
            if "p99_ms" in rt:
                figures["realtime_ratio_p99"] = round(rt["p99_ms"] / rt["ceiling_p99_ms"], 1)
                print(f"match p99 / ceiling p99 = {figures['realtime_ratio_p99']}")
        if "command" not in args.skip:
            in_process("load_command_db", path, workdir)
            figures["command"] = in_process("run_command", workdir)
            print("courtier dedupe over SQLite:", figures["command"])
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
