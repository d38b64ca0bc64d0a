"""Download my data: everything held about the customer, as JSON and CSV in one zip.

The archive is built from the scope (so it can hold nothing of anyone else), one JSON
document with every section and one CSV per section; CSV cells are neutralised against
spreadsheet formulas. Building it is logged as an export in the access log.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from django.utils import timezone

from courtier.audit.services import log_access
from courtier.core.csvsafe import safe_cell
from courtier.portal.scope import CustomerScope
from courtier.portal.services.account import actor_for


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _rows(qs: Iterable[Any], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for obj in qs:
        row = {}
        for name in fields:
            value: Any = obj
            for part in name.split("."):
                value = getattr(value, part, None)
            row[name.replace(".", "_")] = _plain(value)
        out.append(row)
    return out


def sections(scope: CustomerScope) -> dict[str, list[dict[str, Any]]]:
    """Every section of the customer's data as lists of plain rows."""
    c = scope.customer
    return {
        "customer": _rows(
            [c],
            (
                "public_id",
                "display_name",
                "given_name",
                "family_name",
                "preferred_name",
                "salutation",
                "language",
                "register",
                "time_zone",
                "status",
                "created_at",
            ),
        ),
        "identifiers": _rows(
            scope.identifiers(), ("public_id", "kind", "system", "value", "source", "verified_at")
        ),
        "facts": _rows(
            scope.facts(),
            ("public_id", "key", "value", "source_kind", "source", "observed_at", "verified_at"),
        ),
        "requests": _rows(
            scope.cases(),
            ("public_id", "subject", "status", "channel", "opened_at", "resolved_at"),
        ),
        "timeline": _rows(
            scope.timeline(),
            ("public_id", "channel", "direction", "occurred_at", "summary", "body", "source"),
        ),
        "agreements": _rows(
            scope.agreements(),
            (
                "public_id",
                "product",
                "status",
                "start_date",
                "effective_end_date",
                "effective_renewal_date",
                "price",
                "currency",
            ),
        ),
        "promises": _rows(
            scope.promises(),
            ("public_id", "kind", "text", "amount", "months", "due_at", "state", "made_at"),
        ),
        "messages": _rows(
            scope.messages(),
            ("public_id", "purpose", "channel", "subject", "state", "decision", "created_at"),
        ),
        "preference_history": _rows(
            scope.preference_history(),
            ("at", "field", "old_value", "new_value", "actor_label", "origin"),
        ),
        "access_log": _rows(
            scope.accesses(), ("at", "actor_kind", "actor_label", "action", "reason")
        ),
    }


def build_archive(scope: CustomerScope) -> bytes:
    """Return the zip (``data.json`` and one CSV per section) and log the export."""
    data = sections(scope)
    buffer = io.BytesIO()
    stamp = timezone.now().isoformat()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        document = {"exported_at": stamp, **data}
        archive.writestr("data.json", orjson.dumps(document, option=orjson.OPT_INDENT_2))
        for name, rows in data.items():
            text = io.StringIO()
            header = list(rows[0]) if rows else []
            writer = csv.writer(text)
            writer.writerow(header)
            for row in rows:
                writer.writerow([safe_cell("" if v is None else str(v)) for v in row.values()])
            archive.writestr(f"{name}.csv", text.getvalue())
    log_access(scope.customer.pk, actor_for(scope), "export", "downloaded their data (portal)")
    return buffer.getvalue()
