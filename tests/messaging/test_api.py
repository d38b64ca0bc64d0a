"""The messaging REST API: templates, preview, preferences, the message log."""

from __future__ import annotations

from typing import Any

from courtier.customers.models import Customer
from courtier.messaging.models import Template
from tests.conftest import ApiClient

EMAIL = {
    "purpose": "case_update",
    "channel": "email",
    "language": "fr",
    "subject": "Votre demande {{ case }}",
    "text": "Votre demande {{ case }} avance.",
}


def _problem(response: Any, status: int) -> dict[str, str]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}


def test_template_lifecycle(api: ApiClient):
    created = api.post("/messaging/templates", EMAIL)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["category"], body["updated_by"]) == ("service", "alice via token tests")
    tid = body["id"]
    assert [t["id"] for t in api.get("/messaging/templates").json()] == [tid]
    changed = {**EMAIL, "text": "Nouvelle version {{ case }}."}
    assert (
        api.client.put(
            f"/api/v1/messaging/templates/{tid}", changed, content_type="application/json"
        ).json()["text"]
        == "Nouvelle version {{ case }}."
    )
    assert _problem(api.post("/messaging/templates", EMAIL), 409) == {
        "language": "already has a template for this purpose and channel"
    }
    assert api.delete(f"/messaging/templates/{tid}").status_code == 204
    _problem(api.get(f"/messaging/templates/{tid}"), 404)


def test_bad_template_is_refused_with_field_and_line(api: ApiClient):
    errors = _problem(
        api.post("/messaging/templates", {**EMAIL, "text": "ok\n{{ x.__class__ }}"}), 422
    )
    assert errors["text"].startswith("line 2:")
    errors = _problem(api.post("/messaging/templates", {**EMAIL, "colour": "red"}), 422)
    assert "colour" in errors


def test_preview_for_a_real_customer(api: ApiClient, marie: Customer, welcome: list[Template]):
    response = api.post(
        "/messaging/preview",
        {
            "customer_id": str(marie.public_id),
            "purpose": "welcome",
            "channel": "sms",
            "context": {"account": "A-1001"},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["language"], body["language_fallback"], body["sms_encoding"]) == (
        "en",
        True,
        "gsm7",
    )
    unsaved = api.post(
        "/messaging/preview",
        {
            "customer_id": str(marie.public_id),
            "purpose": "anything",
            "channel": "portal",
            "text": "{% if %}",
        },
    )
    assert _problem(unsaved, 422)["text"].startswith("line 1:")


def test_preferences_and_their_history(api: ApiClient, marie: Customer):
    path = f"/customers/{marie.public_id}/preferences"
    assert api.get(path).json()["consents"]["offers"]["email"] is False
    changed = api.patch(
        path,
        {
            "quiet_start": "22:00",
            "consents": {"offers": {"email": True}},
            "caps": {"offers": {"count": 2, "days": 30}},
        },
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["quiet_start"] == "22:00"
    assert body["consents"]["offers"]["email"] is True
    assert body["caps"]["offers"] == {"count": 2, "days": 30}
    history = api.get(path + "/history").json()
    assert {h["field"] for h in history} == {"quiet_start", "consent.offers.email", "caps.offers"}
    assert {h["origin"] for h in history} == {"api"}
    assert _problem(api.patch(path, {"quiet_end": "late"}), 422) == {
        "quiet_end": "must be a time such as 21:00"
    }
    assert "preferred_channel" in _problem(api.patch(path, {"preferred_channel": "fax"}), 422)


def test_queue_and_read_the_message_log(api: ApiClient, marie: Customer, welcome: list[Template]):
    path = f"/customers/{marie.public_id}/messages"
    queued = api.post(path, {"purpose": "welcome", "context": {"account": "A"}, "key": "w1"})
    assert queued.status_code == 201, queued.content
    again = api.post(path, {"purpose": "welcome", "context": {"account": "A"}, "key": "w1"})
    assert again.json()["suppressed_reason"] == "duplicate"
    page = api.get(path).json()
    assert [m["state"] for m in page["items"]] == ["suppressed", "queued"]
    one = api.get(f"/messaging/messages/{queued.json()['id']}").json()
    assert one["decision"].startswith("email in fr")
    assert [m["id"] for m in api.get("/messaging/messages", state="queued").json()["items"]] == [
        one["id"]
    ]
    assert "purpose" in _problem(api.post(path, {"purpose": "nope"}), 422)
    _problem(api.get("/messaging/messages", sort="-id"), 422)
