"""Console pages for rules: list, edit with errors, preview, enable and disable, history."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.journeys.models import Rule
from courtier.journeys.services.runner import consume_events
from courtier.journeys.starters import install_starters
from tests.console.conftest import agent, as_agent, as_manager, hx, manager, outsider

__all__ = ["agent", "as_agent", "as_manager", "manager", "outsider"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def starters(system: Actor) -> None:
    install_starters(system)


def _form(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Welcome VIPs",
        "description": "",
        "trigger": "customer.created",
        "days": "0",
        "condition": json.dumps({"attr": "tags", "op": "contains", "value": "vip"}),
        "actions": json.dumps([{"type": "send", "purpose": "welcome"}]),
        "rate_per_hour": "100",
    }
    return {**data, **changes}


def test_the_list_shows_every_rule_and_its_state(starters: None, as_agent: Client) -> None:
    page = as_agent.get("/console/rules/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Renewal notice, 30 days ahead" in html
    assert "date.agreement_renewal" in html
    assert html.count("disabled</span>") == 5
    assert "New rule" not in html  # an agent reads rules, a manager changes them


def test_only_managers_edit_enable_and_disable(
    starters: None, as_agent: Client, client: Client, outsider: Any
) -> None:
    rule = Rule.objects.get(starter="welcome")
    assert as_agent.get("/console/rules/new").status_code == 403
    assert as_agent.post(f"/console/rules/{rule.public_id}/enable").status_code == 403
    assert as_agent.post("/console/rules/new", _form()).status_code == 403
    rule.refresh_from_db()
    assert not rule.enabled
    client.force_login(outsider)
    assert client.get("/console/rules/").status_code == 403
    anonymous = Client().get("/console/rules/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/console/sign-in")


def test_a_manager_creates_a_rule_and_sees_each_error_by_path(
    starters: None, as_manager: Client
) -> None:
    bad = as_manager.post(
        "/console/rules/new",
        _form(condition=json.dumps({"and": [{"attr": "customer.mood", "op": "eq", "value": 1}]})),
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "<code>condition.and[0].attr</code>: unknown attribute &#x27;customer.mood&#x27;" in html
    assert 'id="condition" name="condition" rows="8" spellcheck="false" aria-invalid="true"' in html
    not_json = as_manager.post("/console/rules/new", _form(actions="[{"))
    assert not_json.status_code == 422
    assert "<code>actions</code>: is not JSON" in not_json.content.decode()
    assert "[{" in not_json.content.decode()  # what was typed is kept
    assert not Rule.objects.filter(name="Welcome VIPs").exists()
    made = as_manager.post("/console/rules/new", _form())
    rule = Rule.objects.get(name="Welcome VIPs")
    assert made.status_code == 302
    assert made["Location"] == f"/console/rules/{rule.public_id}"
    # The rule's page shows its condition as the JSON staff wrote, not Python's repr.
    shown = as_manager.get(made["Location"]).content.decode()
    assert "&quot;attr&quot;: &quot;tags&quot;" in shown
    edited = as_manager.post(f"/console/rules/{rule.public_id}/edit", _form(rate_per_hour="5"))
    assert edited.status_code == 302
    rule.refresh_from_db()
    assert rule.rate_per_hour == 5


def test_preview_enable_history_and_disable(
    starters: None, as_manager: Client, marie: Customer, jean: Customer
) -> None:
    rule = Rule.objects.get(starter="welcome")
    page = as_manager.get(f"/console/rules/{rule.public_id}").content.decode()
    assert "<strong>2</strong> customers would be acted on now" in page
    assert "Bienvenue" in page  # Marie's sample message, in French
    assert as_manager.post(f"/console/rules/{rule.public_id}/enable").status_code == 302
    rule.refresh_from_db()
    assert rule.enabled
    consume_events()
    page = as_manager.get(f"/console/rules/{rule.public_id}").content.decode()
    assert page.count(">Fired</span>") == 2
    partial = as_manager.get(
        f"/console/rules/{rule.public_id}?outcome=suppressed", headers=hx("history")
    )
    assert partial.content.decode().startswith('<div id="history">')
    assert "Nothing yet." in partial.content.decode()
    as_manager.post(f"/console/rules/{rule.public_id}/disable")
    rule.refresh_from_db()
    assert not rule.enabled


def test_a_large_audience_asks_for_the_confirmation(
    starters: None, as_manager: Client, settings: Any, marie: Customer, jean: Customer
) -> None:
    settings.RULES_CONFIRM_ABOVE = 1
    rule = Rule.objects.get(starter="welcome")
    page = as_manager.get(f"/console/rules/{rule.public_id}").content.decode()
    assert "Enable for 2 customers" in page
    refused = as_manager.post(f"/console/rules/{rule.public_id}/enable")
    assert refused.status_code == 302
    shown = as_manager.get(refused["Location"]).content.decode()
    assert "would act on 2 customers now, more than 1" in shown
    rule.refresh_from_db()
    assert not rule.enabled
    as_manager.post(f"/console/rules/{rule.public_id}/enable", {"confirm": "2", "checked": "on"})
    confirmed = Rule.objects.get(pk=rule.pk)
    assert confirmed.enabled
    assert confirmed.confirmed_audience == 2


def test_the_admin_lists_rules_firings_and_webhook_calls(starters: None, alice: Any) -> None:
    client = Client()
    client.force_login(alice)
    for url in ["/admin/journeys/rule/", "/admin/journeys/firing/", "/admin/journeys/webhookcall/"]:
        assert client.get(url).status_code == 200, url
    rule = Rule.objects.get(starter="welcome")
    assert client.get(f"/admin/journeys/rule/{rule.pk}/change/").status_code == 200


def test_rule_pages_carry_the_strict_csp_and_escape_what_staff_typed(
    as_manager: Client, system: Actor, marie: Customer
) -> None:
    evil = '<script>alert("x")</script>'
    made = as_manager.post("/console/rules/new", _form(name=f"Evil {evil}", description=evil))
    rule = Rule.objects.get(name=f"Evil {evil}")
    assert made.status_code == 302
    for url in ["/console/rules/", f"/console/rules/{rule.public_id}"]:
        response = as_manager.get(url)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        body = response.content.decode()
        assert evil not in body
        assert "&lt;script&gt;" in body
        assert " style=" not in body
