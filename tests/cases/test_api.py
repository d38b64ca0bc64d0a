"""The cases API: open, converse, hand off, report; errors are problem+json naming the field."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import User

from courtier.customers.models import Customer
from tests.conftest import ApiClient


def open_one(api: ApiClient, customer: Customer, **extra: str) -> Any:
    body = {"customer_id": str(customer.public_id), "subject": "Bill too high", "channel": "phone"}
    response = api.post("/cases", {**body, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def test_open_a_case_and_read_it_back(api: ApiClient, marie: Customer):
    case = open_one(api, marie, priority="high")
    assert case["owner"] == "alice"  # the token's staff member took the contact
    assert case["status"] == "open"
    assert case["sla"] in {"on_track", "due"}
    got = api.get(f"/cases/{case['id']}").json()
    assert got["id"] == case["id"]
    assert got["first_response_due_at"] == case["first_response_due_at"]


def test_unknown_fields_and_bad_values_are_named(api: ApiClient, marie: Customer):
    response = api.post(
        "/cases",
        {"customer_id": str(marie.public_id), "subject": "x", "channel": "phone", "owner": "bob"},
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "owner"
    response = api.post(
        "/cases", {"customer_id": str(marie.public_id), "subject": " ", "channel": "phone"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "subject", "message": "is empty"}]
    assert api.get(f"/cases/{uuid.uuid4()}").status_code == 404


def test_account_owner_then_list_mine(api: ApiClient, marie: Customer, bob: User):
    assert api.get(f"/customers/{marie.public_id}/account-owner").status_code == 404
    response = api.client.put(
        f"/api/v1/customers/{marie.public_id}/account-owner",
        {"username": "bob"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["username"] == "bob"
    case = open_one(api, marie)
    assert case["owner"] == "bob"
    assert api.get("/cases", owner="me").json()["items"] == []
    listed = api.get("/cases", owner="bob", active="true").json()["items"]
    assert [c["id"] for c in listed] == [case["id"]]
    assert api.get("/cases", sort="owner").status_code == 422


def test_conversation_reply_and_status(api: ApiClient, marie: Customer):
    case = open_one(api, marie)
    assert (
        api.post(f"/cases/{case['id']}/status", {"status": "waiting_customer"}).json()["status"]
        == "waiting_customer"
    )
    reply = api.post(
        f"/cases/{case['id']}/interactions",
        {"channel": "email", "direction": "inbound", "summary": "Here is my bill"},
    )
    assert reply.status_code == 201
    assert api.get(f"/cases/{case['id']}").json()["status"] == "open"
    convo = api.get(f"/cases/{case['id']}/interactions").json()
    assert [i["summary"] for i in convo] == ["Here is my bill"]
    loose = api.post(
        f"/customers/{marie.public_id}/interactions",
        {"channel": "phone", "direction": "outbound", "summary": "Called back"},
    ).json()
    attached = api.post(f"/cases/{case['id']}/attach", {"interaction_id": loose["id"]})
    assert attached.status_code == 200
    assert attached.json()["first_response_at"] is not None
    again = api.post(f"/cases/{case['id']}/attach", {"interaction_id": loose["id"]})
    assert again.status_code == 409
    assert api.post(f"/cases/{case['id']}/status", {"status": "done"}).status_code == 422


def test_hand_off_through_the_api(api: ApiClient, marie: Customer, bob: User):
    case = open_one(api, marie)
    no_note = api.post(f"/cases/{case['id']}/handoffs", {"to": "bob", "note": ""})
    assert no_note.status_code == 422
    assert no_note.json()["errors"][0]["field"] == "note"
    to_self = api.post(f"/cases/{case['id']}/handoffs", {"to": "alice", "note": "context"})
    assert to_self.status_code == 422
    assert "already owns" in to_self.json()["detail"]
    done = api.post(f"/cases/{case['id']}/handoffs", {"to": "bob", "note": "Needs billing access"})
    assert done.status_code == 201
    assert (done.json()["from_user"], done.json()["to_user"]) == ("alice", "bob")
    assert api.get(f"/cases/{case['id']}").json()["handoff_count"] == 1
    assert [h["note"] for h in api.get(f"/cases/{case['id']}/handoffs").json()] == [
        "Needs billing access"
    ]
    report = api.get("/reports/cases").json()
    assert report["handoffs"]["handoffs"] == 1
    assert report["first_contact_resolution"]["resolved"] == 0


def test_api_needs_a_token(marie: Customer):
    from django.test import Client

    assert Client().get("/api/v1/cases").status_code == 401


def test_the_endpoints_are_documented(api: ApiClient):
    paths = api.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/cases",
        "/api/v1/cases/{case_id}/handoffs",
        "/api/v1/cases/{case_id}/promises",
        "/api/v1/customers/{customer_id}/agreements",
        "/api/v1/promises/{promise_id}/keep",
        "/api/v1/reports/cases",
        "/api/v1/reports/promises",
        "/api/v1/tasks",
    ):
        assert path in paths
