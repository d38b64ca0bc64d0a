"""Recording a hand-over on PostgreSQL in one statement: the worker's hottest write.

After the provider accepts a message, three rows change together: the message becomes
``sent`` (or ``delivered``), an outbound interaction goes on the customer's timeline,
and the access log says the worker wrote to that record. Through the ORM that is eight
round trips to the server (BEGIN, the UPDATE, SAVEPOINT, two INSERTs, RELEASE, COMMIT
and a ``SET LOCAL``), and with the SMTP hand-over in between they were half of a
message's time on PostgreSQL (bench/dispatch.py: 102/s on a loaded machine). Here it is
one statement with data-modifying CTEs: atomic by itself (PostgreSQL runs a statement
outside a transaction as its own), and the interaction and access-log rows exist only
if the conditional UPDATE matched, exactly as in
:func:`courtier.interactions.services.record_interaction`, whose rows these are
(``tests/messaging/test_delivery.py`` compares the two).

Each message still commits on its own before the next is sent: a worker killed after
the server's "250 OK" can repeat only the message in flight.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from courtier.audit.models import AccessLog
from courtier.core.actor import Actor
from courtier.core.ids import new_id
from courtier.interactions.models import Interaction
from courtier.interactions.services import MAX_BODY
from courtier.messaging.models import Message

# Only model table names are formatted in, never input.
_SENT = (
    f"WITH m AS (UPDATE {Message._meta.db_table} SET state = %s, sent_at = %s, "
    "delivered_at = %s, provider_id = %s, claimed_until = NULL, last_error = '' "
    "WHERE id = %s AND state = 'sending' AND attempts = %s RETURNING customer_id), "
    f"i AS (INSERT INTO {Interaction._meta.db_table} "
    "(public_id, customer_id, channel, direction, occurred_at, summary, body, staff_id, "
    "source, created_at) "
    "SELECT %s, customer_id, %s, 'outbound', %s, %s, %s, NULL, 'messaging', %s FROM m "
    "RETURNING customer_id) "
    f"INSERT INTO {AccessLog._meta.db_table} "
    "(customer_id, at, actor_kind, actor_label, user_id, action, reason) "
    "SELECT customer_id, %s, %s, %s, NULL, 'update', %s FROM i"
)


def record_handover(
    actor: Actor, message: Message, provider_id: str, *, state: str, now: datetime
) -> bool:
    """Mark ``message`` sent/delivered with its timeline entry and access-log row, at once.

    PostgreSQL only. Returns False (and writes nothing) if the message is no longer
    ``sending`` for this attempt. Commits on its own outside a transaction.
    """
    summary = message.purpose if not message.subject else f"{message.purpose}: {message.subject}"
    params = (
        state,
        now,
        now if state == "delivered" else None,
        provider_id[:200],
        message.pk,
        message.attempts,
        new_id(),
        message.channel,
        now,
        summary[:300].strip(),
        message.text[:MAX_BODY],
        now,
        now,
        actor.kind,
        actor.label[:150],
        f"recorded {message.channel} contact",
    )
    with connection.cursor() as cursor:
        cursor.execute(_SENT, params)
        return bool(cursor.rowcount)
