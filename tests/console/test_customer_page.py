"""The customer page's timeline, logging, fact editing and settling; fixed query counts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courtier.core.actor import Actor
from courtier.customers.card import sections as card_sections
from courtier.customers.models import Customer, Fact
from courtier.customers.services.facts import record_fact
from courtier.interactions.models import Interaction
from courtier.interactions.services import record_interaction
from tests.console.conftest import hx


def history(customer: Customer, system: Actor, count: int, channel: str = "sms") -> None:
    start = timezone.now() - timedelta(days=count)
    for n in range(count):
        record_interaction(
            system,
            customer,
            channel=channel,
            direction="inbound",
            summary=f"{channel} {n}",
            occurred_at=start + timedelta(days=n),
        )


def summaries(body: str) -> list[str]:
    return re.findall(r'<span class="summary">([^<]*)</span>', body)


def test_timeline_scrolls_by_keyset_pages(as_agent: Client, marie: Customer, system: Actor):
    history(marie, system, 45)
    url = f"/console/customers/{marie.public_id}"
    first = as_agent.get(url).content.decode()
    assert summaries(first)[:2] == ["sms 44", "sms 43"]
    assert len(summaries(first)) == 20
    more = re.search(r'id="timeline-more">\s*<a href="([^"]+)"', first)
    assert more
    nxt = as_agent.get(more.group(1).replace("&amp;", "&"), headers=hx("timeline-more"))
    rows = nxt.content.decode()
    assert "<html" not in rows
    assert summaries(rows)[0] == "sms 24"
    last = re.search(r'href="([^"]+)"', rows.split('id="timeline-more"')[1])
    assert last
    end = as_agent.get(last.group(1).replace("&amp;", "&"), headers=hx("timeline-more"))
    assert summaries(end.content.decode())[-1] == "sms 0"
    assert 'id="timeline-more"' not in end.content.decode()


def test_channel_filter(as_agent: Client, marie: Customer, system: Actor):
    history(marie, system, 3, "sms")
    history(marie, system, 2, "branch")
    url = f"/console/customers/{marie.public_id}"
    body = as_agent.get(url, {"channel": "branch"}, headers=hx("timeline")).content.decode()
    assert summaries(body) == ["branch 1", "branch 0"]
    assert body.startswith('<section class="card" id="timeline"')
    bad = as_agent.get(url, {"channel": "pigeon"})
    assert bad.status_code == 422
    assert "channel: must be one of" in bad.content.decode()
    assert as_agent.get(url, {"cursor": "garbage"}).status_code == 422


def test_log_an_interaction_and_see_it(as_agent: Client, marie: Customer, agent: User):
    url = f"/console/customers/{marie.public_id}/interactions"
    response = as_agent.post(
        url,
        {"channel": "branch", "summary": "Came in about the bill"},
        headers=hx("timeline"),
    )
    assert response.status_code == 200
    assert summaries(response.content.decode()) == ["Came in about the bill"]
    saved = Interaction.objects.get(customer=marie)
    assert (saved.channel, saved.direction, saved.staff_id) == ("branch", "inbound", agent.pk)
    plain = as_agent.post(url, {"channel": "phone", "summary": "Called back"})
    assert plain.status_code == 302


def test_a_bad_interaction_is_refused_naming_the_field(as_agent: Client, marie: Customer):
    url = f"/console/customers/{marie.public_id}/interactions"
    response = as_agent.post(url, {"channel": "pigeon", "summary": ""}, headers=hx("timeline"))
    assert response.status_code == 422
    body = response.content.decode()
    assert "channel: must be one of" in body
    assert "summary: is empty" in body
    assert not Interaction.objects.exists()


def test_edit_a_fact_sourced_to_the_staff_member(as_agent: Client, marie: Customer, agent: User):
    url = f"/console/customers/{marie.public_id}/facts"
    response = as_agent.post(url, {"key": "preferred_channel", "value": "sms"}, headers=hx("facts"))
    assert response.status_code == 200
    assert "preferred_channel" in response.content.decode()
    fact = Fact.objects.get(customer=marie, key="preferred_channel")
    assert (fact.source_kind, fact.source, fact.staff_id) == ("staff", "bob", agent.pk)
    bad = as_agent.post(url, {"key": "Bad Key", "value": "x"}, headers=hx("facts"))
    assert bad.status_code == 422
    assert "key: must be lower-case" in bad.content.decode()


def test_stale_facts_are_badged(as_agent: Client, marie: Customer, system: Actor, settings):
    settings.FACT_STALE_DAYS = 30
    record_fact(
        system,
        marie,
        "city",
        "Laval",
        source="crm",
        observed_at=timezone.now() - timedelta(days=40),
    )
    body = as_agent.get(f"/console/customers/{marie.public_id}").content.decode()
    assert re.search(r"Laval</strong>\s*<span class=\"badge stale\">stale</span>", body)


def test_conflicts_side_by_side_and_only_a_manager_settles(
    as_agent: Client, as_manager: Client, marie: Customer, system: Actor, manager: User
):
    laval = record_fact(system, marie, "city", "Laval", source="crm")
    record_fact(system, marie, "city", "Montréal", source="billing")
    page = as_agent.get(f"/console/customers/{marie.public_id}").content.decode()
    assert "conflict" in page
    assert "Laval" in page
    assert "Montréal" in page
    assert "Keep this" not in page
    url = f"/console/customers/{marie.public_id}/facts/city/settle"
    assert as_agent.post(url, {"fact": str(laval.public_id)}).status_code == 403
    manager_page = as_manager.get(f"/console/customers/{marie.public_id}").content.decode()
    assert "Keep this" in manager_page
    response = as_manager.post(url, {"fact": str(laval.public_id)}, headers=hx("facts"))
    assert response.status_code == 200
    assert "badge conflict" not in response.content.decode()
    standing = Fact.objects.filter(customer=marie, key="city", retracted_at=None)
    assert {(f.value, f.source) for f in standing} == {("Laval", "crm"), ("Laval", "carla")}


def _counts(client: Client, customer: Customer) -> dict[str, int]:
    base = f"/console/customers/{customer.public_id}"
    requests: dict[str, Callable[[], Any]] = {
        "customer page": lambda: client.get(base),
        "timeline filter": lambda: client.get(base, {"channel": "sms"}, headers=hx("timeline")),
        "screen pop": lambda: client.get("/console/incoming", {"phone": "5145550199"}),
        "search fragment": lambda: client.get("/console/search", {"q": "marie"}, headers=hx()),
        "search page": lambda: client.get("/console/search", {"q": "marie"}),
    }
    counts = {}
    for name, call in requests.items():
        with CaptureQueriesContext(connection) as ctx:
            assert call().status_code == 200
        counts[name] = len(ctx.captured_queries)
    return counts


def test_no_page_issues_more_queries_as_history_grows(
    as_agent: Client, marie: Customer, system: Actor
):
    history(marie, system, 1)
    small = _counts(as_agent, marie)
    history(marie, system, 80)
    for n in range(30):
        record_fact(system, marie, f"note_{n}", "x", source="crm")
    large = _counts(as_agent, marie)
    assert large == small
    # session, user, one permission query, then the page's reads and its access-log row;
    # the screen pop reads the recognition card, one query per registered card section;
    # search reads its hits' identifiers in the same statement on PostgreSQL.
    search = 4 if connection.vendor == "postgresql" else 5
    assert small == {
        "customer page": 9 + len(card_sections()),
        "timeline filter": 6,
        "screen pop": 7 + len(card_sections()),
        "search fragment": search,
        "search page": search,
    }


def test_without_javascript_a_refused_form_comes_back_on_the_whole_page(
    as_agent: Client, marie: Customer
):
    base = f"/console/customers/{marie.public_id}"
    logged = as_agent.post(f"{base}/interactions", {"channel": "phone", "summary": ""})
    assert logged.status_code == 422
    assert "<html" in logged.content.decode()
    assert "summary: is empty" in logged.content.decode()
    fact = as_agent.post(f"{base}/facts", {"key": "city", "value": ""})
    assert fact.status_code == 422
    assert "<html" in fact.content.decode()
    assert "value: is empty" in fact.content.decode()
