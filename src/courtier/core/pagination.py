"""Keyset (cursor) pagination: stable under inserts, as fast on page 1,000 as on page 1.

A cursor is an opaque token holding the sort and the last row's sort value and id. Only
fields named in the endpoint's allow-list can be sorted on; anything else is refused with
the allowed names, never passed to the database.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from django.db.models import Field, Model, Q, QuerySet

from courtier.core.errors import Invalid

M = TypeVar("M", bound=Model)
MAX_LIMIT = 200


@dataclass
class Page(Generic[M]):
    """One page of rows and the cursor for the next one (None on the last page)."""

    items: list[M]
    next_cursor: str | None


def _encode(sort: str, value: Any, pk: int) -> str:
    raw = orjson.dumps([sort, value, pk], default=str)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        raise Invalid.field("cursor", "is not a cursor this API returned") from None
    if not (isinstance(data, list) and len(data) == 3 and isinstance(data[2], int)):
        raise Invalid.field("cursor", "is not a cursor this API returned")
    return data


def paginate(
    qs: QuerySet[M],
    *,
    sort: str,
    allowed: tuple[str, ...],
    cursor: str | None,
    limit: int,
) -> Page[M]:
    """Return one page of ``qs`` sorted by ``sort`` (``field`` or ``-field``) then id."""
    name = sort.removeprefix("-")
    if name not in allowed:
        raise Invalid.field(
            "sort", f"can only be one of {', '.join(allowed)} (prefix - for descending)"
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid.field("limit", f"must be between 1 and {MAX_LIMIT}")
    descending = sort.startswith("-")
    if cursor:
        cur_sort, value, pk = _decode(cursor)
        if cur_sort != sort:
            raise Invalid.field("cursor", "was made for another sort order")
        field = qs.model._meta.get_field(name)
        assert isinstance(field, Field)  # allow-listed names are concrete columns
        try:
            value = field.to_python(value)
        except Exception:
            raise Invalid.field("cursor", "is not a cursor this API returned") from None
        op = "lt" if descending else "gt"
        qs = qs.filter(Q(**{f"{name}__{op}": value}) | Q(**{name: value, f"pk__{op}": pk}))
    order = [sort, "-pk" if descending else "pk"]
    rows = list(qs.order_by(*order)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode(sort, getattr(last, name), last.pk)
    return Page(rows, next_cursor)
