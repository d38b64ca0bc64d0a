"""Real-time matching and the decision taken on a contact, against the database index."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courtier.core.actor import Actor
from courtier.core.errors import Invalid
from courtier.customers.models import Customer
from courtier.identity.models import BlockingKey, MatchProposal
from courtier.identity.services import match, resolve
from courtier.identity.services.index import index_customers

from .conftest import person


def test_new_number_and_nickname_still_find_marie(indexed_marie: Customer, jean: Customer):
    index_customers([jean.pk])
    found = match({"name": "Marie TREMBLAY", "phone": "514 555 0000", "birth_date": "1980-04-03"})
    assert found[0].customer_id == str(indexed_marie.public_id)
    reasons = {r["field"]: r["level"] for r in found[0].reasons}
    assert reasons["given_name"] == "exact"
    assert reasons["birth_date"] == "day_month_swapped"
    assert reasons["phone"] == "else"
    assert found[0].probability > 0.9
    assert all(c.customer_id != str(jean.public_id) for c in found if c.probability > 0.5)


def test_candidates_come_from_two_indexed_queries(indexed_marie: Customer, system: Actor):
    for n in range(30):
        index_customers([person(system, f"Other{n}", "Person", [f"514 555 02{n:02d}"]).pk])
    with CaptureQueriesContext(connection) as queries:
        match({"given_name": "Marie", "family_name": "Tremblay"})
    statements = [q["sql"] for q in queries.captured_queries]
    assert any(BlockingKey._meta.db_table in s and "WHERE key = " in s for s in statements)
    assert len(statements) <= 3  # keys, records, and at most the model once


def test_work_email_with_same_local_part_is_found(indexed_marie: Customer):
    found = match({"email": "marie.tremblay@acme.ca", "name": "Marie Tremblay"})
    assert found[0].customer_id == str(indexed_marie.public_id)
    assert {"field": "email", "level": "same_local_part"} in [
        {k: r[k] for k in ("field", "level")} for r in found[0].reasons
    ]


def test_household_member_is_not_taken_for_another(gagnons: tuple[Customer, Customer]):
    mother, son = gagnons
    found = match(
        {
            "given_name": "Mathieu",
            "family_name": "Gagnon",
            "phone": "514 555 0101",
            "birth_date": "2001-09-10",
            "postal_code": "H2X1Y4",
        }
    )
    assert found[0].customer_id == str(son.public_id)
    assert all(c.probability < 0.5 for c in found if c.customer_id == str(mother.public_id))


def test_junk_details_get_a_clear_refusal(db: None):
    with pytest.raises(Invalid) as caught:
        match({"given_name": "J", "phone": "0000000000", "email": "test@test"})
    assert {e.field for e in caught.value.errors} == {"given_name", "phone", "email"}


def test_strong_match_is_linked(indexed_marie: Customer, system: Actor):
    outcome = resolve(
        system,
        {"name": "Marie Tremblay", "email": "marie.tremblay@acme.ca", "birth_date": "1980-03-04"},
    )
    assert outcome.outcome == "linked"
    assert outcome.customer_id == str(indexed_marie.public_id)


def test_junk_alongside_a_strong_match_never_auto_links(indexed_marie: Customer, system: Actor):
    outcome = resolve(
        system,
        {"name": "Marie Tremblay", "birth_date": "1980-03-04", "email": "test@test"},
    )
    assert outcome.outcome == "review"
    assert [p.field for p in outcome.problems] == ["email"]


def test_middling_match_goes_to_the_review_queue(indexed_marie: Customer, system: Actor):
    filed = person(system, "Marie", "Tremblay", ["438 555 0177"])
    index_customers([filed.pk])
    outcome = resolve(
        system, {"name": "Marie Tremblay", "phone": "438 555 0177"}, new_customer=filed
    )
    assert outcome.outcome == "review"
    assert outcome.proposal_id is not None
    proposal = MatchProposal.objects.get(public_id=outcome.proposal_id)
    assert {proposal.left_id, proposal.right_id} == {indexed_marie.pk, filed.pk}
    assert proposal.status == "pending"


def test_stranger_is_proposed_as_new(indexed_marie: Customer, system: Actor):
    outcome = resolve(system, {"name": "Zoé Lavoie", "phone": "819 555 0123"})
    assert outcome.outcome == "new"
    assert outcome.customer_id is None


def test_new_customers_become_matchable_after_a_refresh(indexed_marie: Customer, system: Actor):
    from django.core.management import call_command

    newcomer = person(system, "Gabriel", "Fontaine", ["819 555 0144"], birth_date="1991-02-03")
    assert match({"name": "Gabriel Fontaine", "birth_date": "1991-02-03"}) == []
    call_command("dedupe", refresh_index=True)
    found = match({"name": "Gabriel Fontaine", "birth_date": "1991-02-03"})
    assert found[0].customer_id == str(newcomer.public_id)


def test_a_key_shared_by_very_many_is_skipped_not_crowding_out_the_others(
    indexed_marie: Customer, system: Actor
):
    from courtier.identity import block
    from courtier.identity.models import BlockingKey

    crowd = [person(system, f"Crowd{n}", "Member") for n in range(block.MAX_BLOCK + 5)]
    BlockingKey.objects.bulk_create([BlockingKey(customer=c, key="p:5145550199") for c in crowd])
    found = match({"name": "Marie Tremblay", "phone": "514 555 0199", "birth_date": "1980-03-04"})
    assert found[0].customer_id == str(indexed_marie.public_id)
    assert all(c.display_name != "Crowd0 Member" for c in found)
