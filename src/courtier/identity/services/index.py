"""Keeping the matching index (prepared records and blocking keys) in step with customers.

The index is derived data: ``index_customers`` rewrites it for the customers named,
``refresh_index`` for every customer changed since the last write, and ``rebuild_index``
for the whole base. Merge and unmerge reindex the records they touch. ``customers`` never
calls into identity (the dependency is one-way), so new and edited customers reach the
index through ``courtier dedupe --refresh-index``, run every minute or so.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from courtier.customers.models import Customer, CustomerStatus, Fact, Identifier, IdentifierKind
from courtier.identity import block
from courtier.identity.models import BlockingKey, MatchRecord
from courtier.identity.prepare import Prepared, prepare
from courtier.identity.services import bulk

FACT_KEYS = ("birth_date", "postal_code", "postal_address")
CHUNK = 2000


def details_of(customer_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The matching details of each customer: names, phones, emails and current facts."""
    ids = list(customer_ids)
    details: dict[int, dict[str, Any]] = {}
    rows = Customer.objects.filter(pk__in=ids).values_list(
        "pk", "given_name", "family_name", "display_name"
    )
    for pk, given, family, display in rows:
        entry: dict[str, Any] = {"phones": [], "emails": []}
        if given or family:
            entry.update(given_name=given, family_name=family)
        else:
            entry["name"] = display
        details[pk] = entry
    identifiers = Identifier.objects.filter(
        customer_id__in=ids, kind__in=[IdentifierKind.PHONE, IdentifierKind.EMAIL]
    ).values_list("customer_id", "kind", "value")
    for customer_id, kind, value in identifiers:
        details[customer_id]["phones" if kind == IdentifierKind.PHONE else "emails"].append(value)
    facts = (
        Fact.objects.filter(customer_id__in=ids, key__in=FACT_KEYS, retracted_at=None)
        .order_by("customer_id", "key", "observed_at", "id")
        .values_list("customer_id", "key", "value")
    )
    for customer_id, key, value in facts:
        details[customer_id][key] = value  # ordered by time: the newest observation stays
    return details


@transaction.atomic
def index_customers(customer_ids: Iterable[int]) -> int:
    """Rewrite the match record and blocking keys of these customers; return how many.

    Merged-away customers leave the index: they are reached through their survivor.
    """
    ids = list(customer_ids)
    MatchRecord.objects.filter(customer_id__in=ids).delete()
    BlockingKey.objects.filter(customer_id__in=ids).delete()
    active = set(
        Customer.objects.filter(pk__in=ids)
        .exclude(status=CustomerStatus.MERGED)
        .values_list("pk", flat=True)
    )
    prepared = {pk: prepare(d) for pk, d in details_of(active).items()}
    _write(list(prepared), list(prepared.values()))
    return len(prepared)


def _write(ids: Sequence[int], records: Sequence[Prepared]) -> None:
    now = timezone.now()
    bulk.insert(
        MatchRecord,
        ("customer", "data", "updated_at"),
        ((pk, p.to_row(), now) for pk, p in zip(ids, records, strict=True)),
    )
    bulk.insert(
        BlockingKey,
        ("customer", "key"),
        ((pk, k) for pk, p in zip(ids, records, strict=True) for k in block.keys(p)),
    )


def active_ids() -> Iterator[list[int]]:
    """The ids of every customer not merged away, in chunks."""
    qs = Customer.objects.exclude(status=CustomerStatus.MERGED).order_by("pk")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last).values_list("pk", flat=True)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def load_prepared(
    progress: Callable[[int], None] | None = None,
) -> tuple[array[int], list[Prepared]]:
    """Every active customer's id and prepared record, read in chunks.

    The ids are machine integers (8 bytes each, not a 36-byte Python int and a pointer).
    """
    ids: array[int] = array("q")
    records: list[Prepared] = []
    for chunk in active_ids():
        details = details_of(chunk)
        for pk in chunk:
            ids.append(pk)
            records.append(prepare(details[pk]))
        if progress:
            progress(len(chunk))
    return ids, records


def rebuild_index(ids: Sequence[int], records: Sequence[Prepared]) -> None:
    """Replace the whole index with these prepared records, in one transaction.

    Readers keep seeing the old index until it commits (SQLite WAL, PostgreSQL MVCC).
    """
    with transaction.atomic():
        MatchRecord.objects.all().delete()
        BlockingKey.objects.all().delete()
        with _secondary_indexes_rebuilt(BlockingKey):
            _write(ids, records)


@contextmanager
def _secondary_indexes_rebuilt(model: type[models.Model]) -> Iterator[None]:
    """On SQLite, drop the table's secondary indexes for a bulk load and recreate them after.

    Nine million keys inserted into a (key, customer) index in customer order are nine
    million random B-tree inserts; building the index once after the load is one sort
    (SQLite's own advice for bulk loads). The statements are SQLite's own, read back from
    ``sqlite_master``, so the schema ends exactly as the migrations left it; DDL is
    transactional there, and readers never see the table without them. PostgreSQL keeps
    its indexes: dropping one would lock the table against the real-time matcher.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [model._meta.db_table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)


# Rows committed a little after others can carry earlier timestamps; reindexing a few
# customers twice is cheaper than missing one.
REFRESH_MARGIN = timedelta(minutes=5)


def refresh_index(progress: Callable[[int], None] | None = None) -> int:
    """Reindex every customer changed since the index was last written; return how many.

    "Changed" means the customer row was saved, or an identifier or fact was added, since
    the newest match record (less ``REFRESH_MARGIN``). Run it often (``courtier dedupe
    --refresh-index`` from cron or a worker) so new customers become matchable. A removed
    identifier leaves no timestamp; the nightly full ``courtier dedupe`` catches those.
    """
    newest = MatchRecord.objects.aggregate(newest=Max("updated_at"))["newest"]
    if newest is None:
        changed: set[int] = set()
        for chunk in active_ids():
            changed.update(chunk)
    else:
        since = newest - REFRESH_MARGIN
        changed = set(Customer.objects.filter(updated_at__gt=since).values_list("pk", flat=True))
        changed.update(
            Identifier.objects.filter(created_at__gt=since).values_list("customer_id", flat=True)
        )
        changed.update(
            Fact.objects.filter(created_at__gt=since).values_list("customer_id", flat=True)
        )
    ordered = sorted(changed)
    for start in range(0, len(ordered), CHUNK):
        index_customers(ordered[start : start + CHUNK])
        if progress:
            progress(min(start + CHUNK, len(ordered)))
    return len(ordered)
