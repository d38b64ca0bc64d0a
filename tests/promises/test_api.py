"""The promises API: agreements, promises, keeping, tasks and the kept-rate report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from courtier.customers.models import Customer
from courtier.promises.services.due import create_due_promise_tasks
from tests.conftest import ApiClient


def setup_case_and_contract(api: ApiClient, customer: Customer) -> tuple[str, str]:
    case = api.post(
        "/cases", {"customer_id": str(customer.public_id), "subject": "Outage", "channel": "phone"}
    ).json()
    agreement = api.post(
        f"/customers/{customer.public_id}/agreements",
        {"product": "Fibre 500", "start_date": "2026-01-15", "term_months": 12, "price": "59.90"},
    )
    assert agreement.status_code == 201, agreement.content
    return case["id"], agreement.json()["id"]


def test_extension_promise_kept_moves_the_agreement(api: ApiClient, marie: Customer):
    case_id, agreement_id = setup_case_and_contract(api, marie)
    made = api.post(
        f"/cases/{case_id}/promises",
        {
            "kind": "extension",
            "months": 6,
            "agreement_id": agreement_id,
            "text": "Sorry for the outage",
        },
    )
    assert made.status_code == 201, made.content
    promise = made.json()
    assert (promise["state"], promise["made_by"], promise["agreement_id"]) == (
        "pending",
        "alice",
        agreement_id,
    )
    kept = api.post(f"/promises/{promise['id']}/keep", {"note": "done"})
    assert kept.json()["state"] == "kept"
    twice = api.post(f"/promises/{promise['id']}/keep", {})
    assert twice.status_code == 409
    assert twice.json()["errors"][0]["field"] == "state"
    agreement = api.get(f"/agreements/{agreement_id}").json()
    assert (agreement["end_date"], agreement["effective_end_date"]) == ("2027-01-15", "2027-07-15")
    assert agreement["effective_renewal_date"] == "2027-07-15"
    listed = api.get(f"/customers/{marie.public_id}/agreements").json()
    assert [a["id"] for a in listed] == [agreement_id]


def test_bad_promises_are_named(api: ApiClient, marie: Customer, jean: Customer):
    case_id, _ = setup_case_and_contract(api, marie)
    _, theirs = setup_case_and_contract(api, jean)
    other = api.post(
        f"/cases/{case_id}/promises", {"kind": "extension", "months": 6, "agreement_id": theirs}
    )
    assert other.status_code == 422
    assert other.json()["errors"] == [
        {"field": "agreement_id", "message": "belongs to another customer"}
    ]
    negative = api.post(f"/cases/{case_id}/promises", {"kind": "credit", "amount": "-10"})
    assert negative.json()["errors"][0]["field"] == "amount"
    absurd = api.post(
        f"/cases/{case_id}/promises", {"kind": "extension", "months": 999, "agreement_id": theirs}
    )
    assert {e["field"] for e in absurd.json()["errors"]} == {"months", "agreement_id"}
    unknown = api.post(
        f"/cases/{case_id}/promises", {"kind": "credit", "amount": "5", "colour": "red"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "colour"
    bad_agreement = api.post(
        f"/customers/{marie.public_id}/agreements",
        {"product": "X", "start_date": "2026-01-15", "term_months": -1, "price": "-3"},
    )
    assert {e["field"] for e in bad_agreement.json()["errors"]} == {"term_months", "price"}
    assert api.get("/promises").json()["items"] == []
    cancelled = api.post(f"/agreements/{theirs}/status", {"status": "cancelled"})
    assert cancelled.json()["status"] == "cancelled"
    on_cancelled = api.post(
        f"/cases/{case_id}/promises", {"kind": "credit", "amount": "5", "agreement_id": theirs}
    )
    assert on_cancelled.json()["errors"][0]["field"] == "agreement_id"
    assert api.post(f"/agreements/{theirs}/status", {"status": "paused"}).status_code == 422


def test_list_overdue_and_report(api: ApiClient, marie: Customer):
    case_id, _ = setup_case_and_contract(api, marie)
    soon = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
    callback = api.post(f"/cases/{case_id}/promises", {"kind": "callback", "due_at": soon}).json()
    credit = api.post(f"/cases/{case_id}/promises", {"kind": "credit", "amount": "20"}).json()
    assert credit["amount"] == "20.00"
    mine = api.get("/promises", owner="me", state="pending").json()["items"]
    assert {p["id"] for p in mine} == {callback["id"], credit["id"]}
    assert api.get("/promises", overdue="true").json()["items"] == []
    broken = api.post(f"/promises/{credit['id']}/break", {"reason": "billing refused"})
    assert broken.json()["reason"] == "billing refused"
    assert api.post(f"/promises/{callback['id']}/cancel", {}).status_code == 422
    assert create_due_promise_tasks(datetime.now(UTC) + timedelta(minutes=5)) == 1
    (task,) = api.get("/tasks").json()
    assert (task["origin_id"], task["owner"]) == (callback["id"], "alice")
    report = api.get("/reports/promises").json()
    assert report["overall"]["broken"] == 1
    assert report["overall"]["rate"] == 0.0
    assert report["staff"][0]["staff"] == "alice"
