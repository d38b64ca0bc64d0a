"""Merge keeps everything and is recorded; unmerge restores exactly what was there."""

from __future__ import annotations

from typing import Any

import pytest

from courtier.audit.models import AccessLog
from courtier.core.actor import Actor
from courtier.core.errors import Conflict
from courtier.customers.models import Customer, Fact, Identifier
from courtier.customers.services.recognition import recognize
from courtier.customers.services.search import search_customers
from courtier.identity.models import BlockingKey, MatchProposal
from courtier.identity.services import accept_proposal, merge, survivor_of, unmerge
from courtier.identity.services.index import index_customers
from courtier.identity.services.matching import propose
from courtier.interactions.models import Interaction
from courtier.interactions.services import record_interaction

from .conftest import person


def snapshot(*customers: Customer) -> dict[str, Any]:
    """Every row that belongs to these customers, with every column."""
    ids = [c.pk for c in customers]
    state: dict[str, Any] = {}
    for model in (Customer, Identifier, Fact, Interaction):
        field = "pk" if model is Customer else "customer_id"
        rows = model.objects.filter(**{f"{field}__in": ids}).order_by("pk").values()
        # updated_at is Django's auto_now: it says the row was touched, which it was.
        state[model.__name__] = [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]
    return state


@pytest.fixture
def twin(db: None, system: Actor, marie: Customer) -> Customer:
    other = person(
        system,
        "Marie",
        "Tremblay",
        ["438 555 0177"],
        ["mtremblay@acme.ca"],
        birth_date="1980-03-04",
    )
    record_interaction(
        system, other, channel="phone", direction="inbound", summary="Billing question"
    )
    record_interaction(system, marie, channel="email", direction="inbound", summary="Moved house")
    index_customers([marie.pk, other.pk])
    return other


def test_merge_moves_everything_and_unmerge_restores_it_exactly(
    marie: Customer, twin: Customer, system: Actor
):
    before = snapshot(marie, twin)
    record = merge(system, marie, twin)

    twin.refresh_from_db()
    assert twin.status == "merged"
    assert survivor_of(twin) == marie
    assert not Identifier.objects.filter(customer=twin).exists()
    assert Identifier.objects.filter(customer=marie).count() == 5
    assert Fact.objects.filter(customer=marie, key="birth_date", source="billing").exists()
    assert Interaction.objects.filter(customer=marie).count() == 2
    assert recognize(system, "phone", "438 555 0177")["id"] == str(marie.public_id)
    assert not BlockingKey.objects.filter(customer=twin).exists()
    assert sorted(record.moved) == ["ended", "facts", "identifiers", "merged_status", "rows"]
    assert AccessLog.objects.filter(customer_id=twin.pk, reason__startswith="merged into").exists()

    unmerge(system, record)
    assert snapshot(marie, twin) == before
    assert recognize(system, "phone", "438 555 0177")["id"] == str(twin.public_id)
    assert BlockingKey.objects.filter(customer=twin).exists()


def test_rows_added_to_the_survivor_after_the_merge_stay_with_it(
    marie: Customer, twin: Customer, system: Actor
):
    record = merge(system, marie, twin)
    later = record_interaction(system, marie, channel="sms", direction="inbound", summary="Thanks")
    unmerge(system, record)
    later.refresh_from_db()
    assert later.customer_id == marie.pk


def test_merging_into_itself_is_refused(marie: Customer, system: Actor):
    with pytest.raises(Conflict, match="itself"):
        merge(system, marie, marie)


def test_merging_an_already_merged_record_is_refused(
    marie: Customer, twin: Customer, jean: Customer, system: Actor
):
    merge(system, marie, twin)
    with pytest.raises(Conflict, match="already merged"):
        merge(system, jean, twin)
    with pytest.raises(Conflict, match="already merged"):
        merge(system, twin, jean)


def test_unmerging_twice_is_refused(marie: Customer, twin: Customer, system: Actor):
    record = merge(system, marie, twin)
    unmerge(system, record)
    with pytest.raises(Conflict, match="already undone"):
        unmerge(system, record)


def test_unmerge_waits_for_a_later_merge_of_the_survivor(
    marie: Customer, twin: Customer, jean: Customer, system: Actor
):
    first = merge(system, marie, twin)
    second = merge(system, jean, marie)
    with pytest.raises(Conflict, match="undo that merge first"):
        unmerge(system, first)
    unmerge(system, second)
    unmerge(system, first)
    assert Customer.objects.get(pk=twin.pk).status == "active"


def test_accepting_a_proposal_merges_and_unmerge_rejects_it(
    marie: Customer, twin: Customer, system: Actor
):
    proposal = propose(marie.pk, twin.pk, 0.97, [], "dedupe")
    record = accept_proposal(system, proposal)
    assert MatchProposal.objects.get(pk=proposal.pk).status == "merged"
    with pytest.raises(Conflict, match="already decided"):
        accept_proposal(system, proposal)
    unmerge(system, record)
    assert MatchProposal.objects.get(pk=proposal.pk).status == "rejected"


def test_search_follows_a_merge_and_its_undoing(marie: Customer, twin: Customer, system: Actor):
    def found(typed: str) -> set[str]:
        return {hit["id"] for hit in search_customers(typed)}

    assert found("555 0177") == {str(twin.public_id)}
    record = merge(system, marie, twin)
    # The merged record's phone and email now lead to the survivor only.
    assert found("555 0177") == {str(marie.public_id)}
    assert found("mtremblay@acme") == {str(marie.public_id)}
    unmerge(system, record)
    assert found("555 0177") == {str(twin.public_id)}
