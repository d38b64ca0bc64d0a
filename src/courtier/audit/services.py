"""Writing and reading the access log."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
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


# PostgreSQL's counterpart of SQLite's synchronous=NORMAL, for a row written on its own:
# the commit returns before the WAL flush. Sent as one string, so the SET LOCAL and the
# INSERT form a single implicit transaction and nothing else is affected. The flush was the
# largest part of a screen pop's database time (1.5 ms p50 of 9.6, more at p99).
_INSERT_UNFLUSHED = HotQuery("SET LOCAL synchronous_commit TO OFF; " + _INSERT.sql)


def log_access(customer_id: int, actor: Actor, action: str, reason: str) -> None:
    """Append one access-log row for ``customer_id``.

    Runs inside the caller's transaction when there is one, so a refused change leaves no
    entry claiming it happened, and the row is as durable as that transaction. Outside
    one, the row is committed before this returns and survives Courtier's process
    crashing; only a crash of the machine (SQLite in WAL mode with synchronous=NORMAL) or
    of the database server (PostgreSQL with synchronous_commit off for this statement)
    can take back the last moments of such rows, and never half of one. A single
    hand-written INSERT on the driver's connection, because recognition, the hottest path
    in the product, calls this on every lookup.
    """
    conn = connections[DEFAULT_DB_ALIAS]  # one lookup of the thread's connection, not three
    alone = conn.vendor == "postgresql" and not conn.in_atomic_block
    (_INSERT_UNFLUSHED if alone else _INSERT).execute(
        (
            customer_id,
            conn.ops.adapt_datetimefield_value(timezone.now()),
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
