"""API tokens: stored as hashes, revocable, tied to an active staff member."""

from __future__ import annotations

from courtier.customers.models import Customer
from courtier.staff import services as staff
from courtier.staff.models import ApiToken
from tests.conftest import ApiClient


def test_only_the_hash_is_stored(alice):
    token = staff.create_token(alice, "telephony")
    stored = ApiToken.objects.get()
    assert token.startswith("ctr_")
    assert len(token) > 40
    assert token not in stored.token_hash


def test_revoked_token_stops_working(alice, marie: Customer):
    token = staff.create_token(alice, "telephony")
    client = ApiClient(token)
    assert client.get("/recognize", phone="5145550199").status_code == 200
    assert staff.revoke_token(token) is True
    assert client.get("/recognize", phone="5145550199").status_code == 401
    assert staff.revoke_token(token) is False


def test_token_of_a_deactivated_staff_member_is_refused(bob, marie: Customer):
    token = staff.create_token(bob, "chat")
    bob.is_active = False
    bob.save()
    staff._cache.clear()
    assert ApiClient(token).get("/recognize", phone="5145550199").status_code == 401


def test_the_bearer_scheme_is_read_in_any_case_and_nothing_else_is(alice, marie: Customer):
    from django.test import Client

    token = staff.create_token(alice, "telephony")
    headers = {
        f"bearer {token}": 200,
        f"BEARER  {token}": 200,
        f"Basic {token}": 401,
        token: 401,
        "Bearer ": 401,
    }
    for header, status in headers.items():
        response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/recognize?phone=5145550199")
        assert response.status_code == status, header
