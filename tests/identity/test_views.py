"""Console review pages: side by side, merge, undo, refusals shown on the page."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.identity.models import Merge
from courtier.identity.services.matching import propose

from .conftest import person


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_a_signed_in_staff_member(db: None):
    response = Client().get("/console/identity/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_review_side_by_side_then_merge_and_undo(bob: User, marie: Customer, system: Actor):
    twin = person(system, "Marie", "Tremblay", ["438 555 0177"], [], birth_date="1980-03-04")
    proposal = propose(
        marie.pk,
        twin.pk,
        0.97,
        [{"field": "given_name", "level": "exact", "weight": 6.3}],
        "dedupe",
    )
    client = signed_in(bob)

    queue = client.get("/console/identity/")
    assert queue.status_code == 200
    assert f"/console/identity/proposals/{proposal.public_id}/" in queue.content.decode()

    page = client.get(f"/console/identity/proposals/{proposal.public_id}/").content.decode()
    assert page.count("Marie Tremblay") >= 2
    assert "+15145550199" in page
    assert "+14385550177" in page
    assert "H2X 1Y4" in page
    assert "1980-03-04" in page
    assert "given_name" in page
    assert "exact" in page

    merged = client.post(f"/console/identity/proposals/{proposal.public_id}/merge")
    record = Merge.objects.get()
    assert merged["Location"] == f"/console/identity/merges/{record.public_id}/"
    assert "Undo this merge" in client.get(merged["Location"]).content.decode()

    again = client.post(f"/console/identity/proposals/{proposal.public_id}/merge", follow=True)
    assert "already decided" in again.content.decode()

    client.post(f"/console/identity/merges/{record.public_id}/unmerge")
    twin.refresh_from_db()
    assert twin.status == "active"
    twice = client.post(f"/console/identity/merges/{record.public_id}/unmerge", follow=True)
    assert "already undone" in twice.content.decode()


def test_rejecting_a_proposal(bob: User, marie: Customer, jean: Customer):
    proposal = propose(marie.pk, jean.pk, 0.6, [], "recognition")
    client = signed_in(bob)
    response = client.post(f"/console/identity/proposals/{proposal.public_id}/reject")
    assert response["Location"] == "/console/identity/"
    proposal.refresh_from_db()
    assert proposal.status == "rejected"


def test_unknown_ids_answer_404(bob: User):
    client = signed_in(bob)
    missing = "0190a000-0000-7000-8000-000000000000"
    assert client.get(f"/console/identity/proposals/{missing}/").status_code == 404
    assert client.get(f"/console/identity/merges/{missing}/").status_code == 404
