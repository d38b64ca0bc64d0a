"""``courtier dedupe`` writes the index and proposals with raw inserts: they must read back
exactly as rows the ORM wrote, and a second run must leave decided pairs alone."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.identity.models import BlockingKey, MatchProposal, MatchRecord
from courtier.identity.prepare import Prepared, prepare
from courtier.identity.services import reject_proposal
from courtier.identity.services.dedupe import dedupe
from courtier.identity.services.index import details_of

from .conftest import person


def test_dedupe_rows_read_back_as_orm_rows_and_a_rerun_keeps_decisions(
    marie: Customer, system: Actor
):
    twin = person(system, "MARIE", "Tremblay", [], ["marie.tremblay@acme.ca"])
    started = timezone.now()
    report = dedupe()
    assert report.proposals >= 1
    proposal = MatchProposal.objects.get(left=marie, right=twin)
    assert isinstance(proposal.public_id, uuid.UUID)
    assert proposal.status == "pending"
    assert proposal.source == "dedupe"
    assert proposal.decided_at is None
    assert proposal.decided_by == ""
    assert started - timedelta(seconds=1) <= proposal.created_at <= timezone.now()
    assert {r["field"] for r in proposal.reasons} >= {"given_name", "family_name"}
    assert all(isinstance(r["weight"], float) for r in proposal.reasons)

    record = MatchRecord.objects.get(customer=twin)
    assert Prepared.from_row(record.data) == prepare(details_of([twin.pk])[twin.pk])
    assert record.updated_at >= started - timedelta(seconds=1)
    keys = set(BlockingKey.objects.filter(customer=twin).values_list("key", flat=True))
    assert any(k.startswith("e:") for k in keys)

    reject_proposal(system, proposal)
    dedupe()
    assert MatchProposal.objects.filter(left=marie, right=twin).count() == 1
    assert MatchProposal.objects.get(left=marie, right=twin).status == "rejected"
    assert MatchRecord.objects.filter(customer=twin).count() == 1


def test_rebuilding_the_index_leaves_its_table_schema_as_the_migrations_made_it(
    marie: Customer, jean: Customer
):
    def constraints() -> dict[str, Any]:
        with connection.cursor() as cursor:
            found: dict[str, Any] = connection.introspection.get_constraints(
                cursor, BlockingKey._meta.db_table
            )
        return found

    before = constraints()
    dedupe()
    assert constraints() == before
    assert BlockingKey.objects.filter(customer=jean).exists()
