"""Writing and reading the access log."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from courtier.audit.models import AccessLog
from courtier.core.actor import Actor
from courtier.core.sql import HotQuery

_INSERT = HotQuery(
    f"INSERT INTO {AccessLog._meta.db_table} "
    "(customer_id, at, actor_kind, actor_label, user_id, action, reason) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def log_access(customer_id: int, actor: Actor, action: str, reason: str) -> None:
    """Append one access-log row for ``customer_id``.

    Runs inside the caller's transaction when there is one, so a refused change leaves no
    entry claiming it happened; outside one, the row is committed before this returns (on
    SQLite in WAL mode with synchronous=NORMAL: it survives the process crashing, and only
    a power cut can take back the last moments of commits). A single hand-written INSERT
    on the driver's connection, because recognition, the hottest path in the product,
    calls this on every lookup.
    """
    _INSERT.execute(
        (
            customer_id,
            connection.ops.adapt_datetimefield_value(timezone.now()),
            actor.kind,
            actor.label[:150],
            actor.user_id,
            action,
            reason[:200],
        )
    )


def accesses(customer_id: int) -> QuerySet[AccessLog]:
    """Return the access log of one customer, newest first."""
    return AccessLog.objects.filter(customer_id=customer_id).order_by("-at", "-id")
