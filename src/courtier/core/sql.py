"""Small helpers for the few hand-written queries on hot paths.

Raw cursors skip Django's value converters, so each backend hands back its own types:
SQLite gives UUIDs as 32 hex characters and datetimes as naive UTC, PostgreSQL gives
``uuid.UUID`` and aware ``datetime``. These helpers make both into API strings.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def uid(value: object) -> str:
    """Return a UUID column's value as the canonical dashed string."""
    if isinstance(value, uuid.UUID):
        return str(value)
    h = str(value)
    if len(h) == 32:
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return h


def db_uid(value: uuid.UUID, vendor: str) -> object:
    """Return a UUID as the backend stores it, for use as a raw query parameter."""
    return value.hex if vendor == "sqlite" else value


def iso(value: object) -> str | None:
    """Return a datetime column's value as ISO 8601 in UTC, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    text = str(value)
    # SQLite: "2026-11-23 11:43:12.123456", stored in UTC by Django.
    return text.replace(" ", "T", 1) + "+00:00"


def aware(value: object) -> datetime | None:
    """Return a datetime column's value as an aware UTC datetime, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
