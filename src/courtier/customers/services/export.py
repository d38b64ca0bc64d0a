"""Exporting every customer with identifiers and facts, as CSV or JSON, streamed.

Customers are read in keyset chunks (``id > last ORDER BY id``), three queries a chunk, so
a million customers export in constant memory and the query count grows with chunks, not
customers. The CSV is the import format (docs/import.md): it imports back unchanged, its
cells neutralised against spreadsheet formulas by :func:`safe_cell`. The JSON holds the
full record, with every fact's provenance.

An export is an access to every exported record: each customer gets one access-log entry
(action ``export``), written in bulk per chunk before the chunk is handed out, so the log
never misses a record that left the system. The export is not a snapshot: a customer
created while it runs may or may not be in it, but none appears twice.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

import orjson
from django.db import connection
from django.utils import timezone

from courtier.core.actor import Actor
from courtier.core.csvsafe import safe_cell
from courtier.customers.models import Customer, Fact, Identifier, IdentifierKind
from courtier.customers.services.facts import FactRow, ProfileEntry, derive_profile
from courtier.customers.services.import_file import FACT_PREFIX, FIELD_COLUMNS
from courtier.customers.services.import_sql import insert_access_log

CHUNK = 1000
_SYSTEM_KINDS = (IdentifierKind.HANDLE, IdentifierKind.ACCOUNT)
# The ORM cannot take the maximum of a count; only the model's table name is formatted in.
_MOST_PER_KIND = (
    "SELECT kind, MAX(n) FROM (SELECT kind, COUNT(*) AS n "  # noqa: S608
    f"FROM {Identifier._meta.db_table} GROUP BY customer_id, kind) AS counts GROUP BY kind"
)


@dataclass
class Exported:
    """One customer as exported: the record, its identifiers and its derived profile."""

    customer_id: int
    head: dict[str, Any]
    identifiers: list[dict[str, Any]]
    profile: list[ProfileEntry]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


Progress = Callable[[int], None] | None


def customers(
    actor: Actor, reason: str, chunk_size: int = CHUNK, progress: Progress = None
) -> Iterator[Exported]:
    """Yield every customer in id order, logging each access before handing it out.

    ``progress`` is called with the number of customers of each chunk as it starts.
    """
    last = 0
    while True:
        chunk = list(
            Customer.objects.filter(id__gt=last)
            .order_by("id")
            .values("id", "public_id", *FIELD_COLUMNS, "created_at", "updated_at")[:chunk_size]
        )
        if not chunk:
            return
        ids = [row["id"] for row in chunk]
        last = ids[-1]
        identifiers: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for i in (
            Identifier.objects.filter(customer_id__in=ids)
            .order_by("customer_id", "kind", "id")
            .values(
                "customer_id", "public_id", "kind", "system", "raw_value", "value", "source",
                "verified_at",
            )
        ):  # fmt: skip
            identifiers[i["customer_id"]].append(
                {
                    "id": str(i["public_id"]),
                    "kind": i["kind"],
                    "system": i["system"],
                    "raw_value": i["raw_value"],
                    "value": i["value"],
                    "source": i["source"],
                    "verified_at": _iso(i["verified_at"]),
                }
            )
        facts: dict[int, list[FactRow]] = defaultdict(list)
        for f in Fact.objects.filter(customer_id__in=ids, retracted_at=None).order_by(
            "customer_id", "key", "observed_at", "id"
        ):
            facts[f.customer_id].append(
                FactRow(
                    str(f.public_id), f.key, f.value, f.source_kind, f.source,
                    f.observed_at, f.verified_at,
                )
            )  # fmt: skip
        # One statement a chunk: bulk_create would split it to fit SQLite's 999 parameters.
        insert_access_log([(pk, "export") for pk in ids], actor, reason, timezone.now())
        if progress:
            progress(len(ids))
        for row in chunk:
            customer_id = row.pop("id")
            row = {"id": str(row.pop("public_id")), **row}
            row["created_at"] = _iso(row["created_at"])
            row["updated_at"] = _iso(row["updated_at"])
            yield Exported(
                customer_id, row, identifiers[customer_id], derive_profile(facts[customer_id])
            )


def csv_header() -> list[str]:
    """Return the export's columns: enough identifier columns for the customer with most."""
    with connection.cursor() as cursor:
        cursor.execute(_MOST_PER_KIND)
        most: dict[str, int] = dict(cursor.fetchall())
    header = ["id", *FIELD_COLUMNS]
    for kind in IdentifierKind.values:
        for n in range(1, most.get(kind, 1) + 1):
            name = kind if n == 1 else f"{kind}{n}"
            header.append(name)
            if kind in _SYSTEM_KINDS:
                header.append(f"{name}_system")
    keys = Fact.objects.filter(retracted_at=None).values_list("key", flat=True).distinct()
    header.extend(FACT_PREFIX + key for key in sorted(set(keys)))
    return header


def csv_cells(header: list[str], customer: Exported) -> list[str]:
    """Return one customer's CSV line: identifiers in id order, the current fact values."""
    cells = {name: customer.head.get(name) for name in ("id", *FIELD_COLUMNS)}
    seen: dict[str, int] = defaultdict(int)
    for identifier in customer.identifiers:
        kind = identifier["kind"]
        seen[kind] += 1
        name = kind if seen[kind] == 1 else f"{kind}{seen[kind]}"
        cells[name] = identifier["value"]
        if kind in _SYSTEM_KINDS:
            cells[f"{name}_system"] = identifier["system"]
    for entry in customer.profile:
        cells[FACT_PREFIX + entry["key"]] = entry["value"]
    return [safe_cell(cells.get(name)) for name in header]


def write_csv(
    out: TextIO, actor: Actor, reason: str, chunk_size: int = CHUNK, progress: Progress = None
) -> int:
    """Write every customer to ``out`` as import-compatible CSV; return how many."""
    header = csv_header()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for customer in customers(actor, reason, chunk_size, progress):
        writer.writerow(csv_cells(header, customer))
        count += 1
    return count


def write_json(
    out: TextIO, actor: Actor, reason: str, chunk_size: int = CHUNK, progress: Progress = None
) -> int:
    """Write every customer to ``out`` as one JSON document, streamed; return how many."""
    out.write('{"format":"courtier-export","version":1,')
    out.write(f'"exported_at":"{timezone.now().isoformat()}","customers":[')
    count = 0
    for customer in customers(actor, reason, chunk_size, progress):
        record = {
            **customer.head,
            "identifiers": customer.identifiers,
            "profile": customer.profile,
        }
        out.write(("," if count else "") + "\n" + orjson.dumps(record).decode())
        count += 1
    out.write("\n]}\n")
    return count
