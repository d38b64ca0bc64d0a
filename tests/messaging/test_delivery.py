"""Claims and leases, on either database: no two claims share a message; a dead worker's
claim is taken over when its lease runs out, and its late report is ignored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.interactions.models import Interaction
from courtier.messaging.models import Template
from courtier.messaging.services.delivery import Backoff, claim, mark_failed, mark_sent
from courtier.messaging.services.outbox import MessageRequest, queue_messages

DAYTIME = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def _queue(system: Actor, marie: Customer, n: int) -> None:
    queue_messages(
        system,
        [MessageRequest(marie, "welcome", {"account": i}, channel="portal") for i in range(n)],
        DAYTIME,
    )


def test_claims_never_overlap(marie: Customer, system: Actor, welcome: list[Template]):
    _queue(system, marie, 5)
    first = claim(3, lease=60)
    second = claim(3, lease=60)
    assert len(first) == 3
    assert len(second) == 2
    assert not {m.pk for m in first} & {m.pk for m in second}
    assert claim(3, lease=60) == []
    assert {m.state for m in first + second} == {"sending"}
    assert {m.attempts for m in first + second} == {1}


def test_an_expired_lease_is_taken_over_and_the_late_report_ignored(
    marie: Customer, system: Actor, welcome: list[Template]
):
    _queue(system, marie, 1)
    (dead,) = claim(1, lease=30)
    assert claim(1, lease=30) == []  # still leased
    (taken,) = claim(1, lease=30, now=timezone.now() + timedelta(seconds=31))
    assert taken.pk == dead.pk
    assert taken.attempts == 2
    assert mark_sent(taken, "p-2") is True
    assert mark_sent(dead, "p-1") is False  # the first worker woke up too late
    assert mark_failed(dead, "late", permanent=True, backoff=Backoff()) == "stale"
    taken.refresh_from_db()
    assert (taken.state, taken.provider_id) == ("sent", "p-2")
    assert Interaction.objects.filter(customer=marie, direction="outbound").count() == 1


def test_a_message_that_kills_every_worker_is_eventually_failed(
    marie: Customer, system: Actor, welcome: list[Template]
):
    from courtier.messaging.models import Message
    from courtier.messaging.services.delivery import MAX_CLAIMS

    _queue(system, marie, 1)
    (m,) = claim(1, lease=1)
    Message.objects.filter(pk=m.pk).update(attempts=MAX_CLAIMS)
    assert claim(1, lease=1, now=timezone.now() + timedelta(seconds=2)) == []
    m.refresh_from_db()
    assert (m.state, m.last_error) == ("failed", "the worker stopped during every attempt")


def test_a_hand_over_is_recorded_with_its_timeline_entry_and_access_log(
    marie: Customer, system: Actor, welcome: list[Template]
):
    # PostgreSQL records it in one statement (services/handover.py), SQLite through
    # record_interaction: the rows must be the same either way.
    from courtier.audit.models import AccessLog
    from courtier.messaging.models import Message

    _queue(system, marie, 2)
    first, second = claim(2, lease=60)
    logged = AccessLog.objects.filter(customer_id=marie.pk).count()
    assert mark_sent(first, "p-1") is True
    assert mark_sent(second, "p-2", delivered=True) is True
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.provider_id, first.claimed_until) == ("sent", "p-1", None)
    assert first.sent_at is not None
    assert first.delivered_at is None
    assert second.state == "delivered"
    assert second.delivered_at == second.sent_at
    entries = Interaction.objects.filter(customer=marie, direction="outbound").order_by("id")
    assert [(i.channel, i.summary, i.body, i.source, i.staff_id) for i in entries] == [
        ("portal", "welcome", m.text, "messaging", None) for m in (first, second)
    ]
    assert entries[0].occurred_at == first.sent_at
    assert entries[0].public_id != entries[1].public_id
    rows = AccessLog.objects.filter(customer_id=marie.pk).order_by("id")[logged:]
    assert [(r.actor_kind, r.actor_label, r.action, r.reason) for r in rows] == [
        ("system", "worker", "update", "recorded portal contact")
    ] * 2
    assert Message.objects.filter(state="sending").count() == 0
