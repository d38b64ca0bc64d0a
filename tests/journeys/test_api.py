"""The rules API: create, refuse bad conditions naming the path, preview, dry run, enable."""

from __future__ import annotations

from typing import Any

import pytest

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.records import NewIdentifier, create_customer
from courtier.journeys.models import Rule
from courtier.journeys.services.actions import change_tag
from courtier.journeys.services.runner import consume_events
from courtier.messaging.services.templates import save_template
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db
WELCOME_FR = {
    "name": "Welcome French speakers",
    "trigger": "customer.created",
    "condition": {"and": [{"attr": "customer.language", "op": "eq", "value": "fr"}]},
    "actions": [{"type": "send", "purpose": "welcome"}],
}


@pytest.fixture
def welcome(system: Actor) -> None:
    for channel, language, text in [
        ("email", "fr", "Bienvenue chez nous."),
        ("sms", "fr", "Bienvenue chez nous."),
        ("email", "en", "Welcome aboard."),
    ]:
        save_template(
            system,
            {
                "purpose": "welcome",
                "channel": channel,
                "language": language,
                "subject": "Bienvenue" if channel == "email" else "",
                "text": text,
            },
        )


def _fields(response: Any) -> dict[str, str]:
    body = response.json()
    return {e["field"]: e["message"] for e in body.get("errors", [])}


def test_create_list_get_and_change_a_rule(api: ApiClient) -> None:
    created = api.post("/rules", WELCOME_FR)
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule["enabled"] is False
    assert [r["name"] for r in api.get("/rules").json()] == [WELCOME_FR["name"]]
    assert api.get(f"/rules/{rule['id']}").json()["condition"] == WELCOME_FR["condition"]
    changed = api.patch(f"/rules/{rule['id']}", {"rate_per_hour": 50})
    assert changed.status_code == 200
    assert changed.json()["rate_per_hour"] == 50
    assert changed.json()["condition"] == WELCOME_FR["condition"]
    assert api.get("/rules/00000000-0000-0000-0000-000000000000").status_code == 404


@pytest.mark.parametrize(
    ("condition", "field", "says"),
    [
        (
            {"and": [{"attr": "customer.shoe_size", "op": "eq", "value": 9}]},
            "condition.and[0].attr",
            "unknown attribute 'customer.shoe_size'",
        ),
        (
            {"or": [{"attr": "tags", "op": "contains", "value": "vip"}, {"nand": []}]},
            "condition.or[1].attr",
            "unknown attribute None",
        ),
        (
            {"not": {"attr": "agreements.count", "op": "gt", "value": "three"}},
            "condition.not.value",
            "must be number",
        ),
        (
            {"attr": "customer.language", "op": "like", "value": "f%"},
            "condition.op",
            "unknown operator 'like'",
        ),
        ({"and": {"attr": "language"}}, "condition.and", "must be a list"),
    ],
)
def test_a_bad_condition_is_refused_naming_its_path(
    api: ApiClient, condition: dict[str, Any], field: str, says: str
) -> None:
    response = api.post("/rules", {**WELCOME_FR, "condition": condition})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    fields = _fields(response)
    assert field in fields, fields
    assert says in fields[field]
    assert field in response.json()["detail"]
    assert not Rule.objects.exists()


def test_bad_trigger_and_actions_are_refused_naming_the_field(api: ApiClient) -> None:
    response = api.post(
        "/rules",
        {
            **WELCOME_FR,
            "trigger": "moon.full",
            "actions": [{"type": "send", "purpose": "nonsense"}, {"type": "teleport"}],
        },
    )
    assert response.status_code == 422
    fields = _fields(response)
    assert "trigger" in fields
    assert fields["actions[0].purpose"] == "'nonsense' has no templates"
    assert fields["actions[1].type"].startswith("must be one of send")
    unknown = api.post("/rules", {**WELCOME_FR, "colour": "red"})
    assert unknown.status_code == 422
    assert "colour" in _fields(unknown)


def test_preview_dry_run_enable_disable_and_history(
    api: ApiClient, system: Actor, welcome: None, marie: Customer, jean: Customer
) -> None:
    create_customer(
        system,
        {"display_name": "Ann Lee", "language": "en"},
        identifiers=[NewIdentifier("email", "ann@example.com")],
    )
    dry = api.post("/rules/dry-run", WELCOME_FR)
    assert dry.status_code == 200, dry.content
    assert dry.json()["count"] == 2  # Marie and Jean, created this week; Ann speaks English
    assert dry.json()["not_matching"] == 1
    sample = dry.json()["customers"][0]
    assert sample["messages"][0]["channel"] == "email"
    assert "Bienvenue chez nous." in sample["messages"][0]["text"]
    assert not Rule.objects.exists()  # a dry run writes nothing

    rule = api.post("/rules", WELCOME_FR).json()
    assert api.get(f"/rules/{rule['id']}/preview").json()["count"] == 2
    enabled = api.post(f"/rules/{rule['id']}/enable", {})
    assert enabled.json()["enabled"] is True
    consume_events()
    page = api.get(f"/rules/{rule['id']}/history").json()
    outcomes = sorted((i["customer"], i["outcome"], i["reason"]) for i in page["items"])
    assert outcomes == [
        ("Ann Lee", "suppressed", "condition not met"),
        ("Jean Dupont", "fired", ""),
        ("Marie Tremblay", "fired", ""),
    ]
    fired = api.get(f"/rules/{rule['id']}/history", outcome="fired").json()["items"]
    assert len(fired) == 2
    assert api.get(f"/rules/{rule['id']}/preview").json()["count"] == 0  # all settled
    assert api.post(f"/rules/{rule['id']}/disable").json()["enabled"] is False


def test_enabling_a_mass_message_needs_the_confirmation(
    api: ApiClient, settings: Any, welcome: None, marie: Customer, jean: Customer
) -> None:
    settings.RULES_CONFIRM_ABOVE = 1
    rule = api.post("/rules", {**WELCOME_FR, "condition": {}}).json()
    refused = api.post(f"/rules/{rule['id']}/enable", {})
    assert refused.status_code == 409
    assert _fields(refused) == {"confirm": "must be at least 2 to enable"}
    assert api.post(f"/rules/{rule['id']}/enable", {"confirm": 2}).json()["enabled"] is True


def test_triggers_are_listed(api: ApiClient, system: Actor, marie: Customer) -> None:
    names = {t["name"]: t["kind"] for t in api.get("/rules/triggers").json()}
    assert names["promise.kept"] == "event"
    assert names["date.agreement_renewal"] == "date"
    change_tag(system, marie, "vip", add=True)  # tags exist for conditions to read


def test_the_preview_shows_a_template_that_would_not_render(
    api: ApiClient, system: Actor, marie: Customer
) -> None:
    save_template(
        system,
        {
            "purpose": "welcome",
            "channel": "email",
            "language": "fr",
            "subject": "Bienvenue",
            "text": "Votre compte {{ account }} est prêt.",  # no trigger provides an account
        },
    )
    sample = api.post("/rules/dry-run", WELCOME_FR).json()["customers"][0]["messages"][0]
    assert sample["channel"] == "email"
    assert sample["error"].startswith("would not render:")
    assert "account" in sample["error"]


def test_the_rules_api_is_in_the_openapi_document(api: ApiClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    assert "/api/v1/rules/{rule_id}/preview" in paths
    assert "/api/v1/rules/dry-run" in paths
