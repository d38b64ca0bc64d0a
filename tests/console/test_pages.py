"""Search, screen pop and customer page through HTTP: content, escaping, access log, CSP."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from courtier.audit.models import AccessLog
from courtier.core.actor import Actor
from courtier.customers.models import Customer, Identifier
from courtier.customers.services.records import NewIdentifier, create_customer
from tests.console.conftest import hx


def test_search_page_and_fragment_share_one_url(as_agent: Client, marie: Customer, jean: Customer):
    page = as_agent.get("/console/search", {"q": "tremblay marie"})
    fragment = as_agent.get("/console/search", {"q": "tremblay marie"}, headers=hx())
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.content.decode()
    assert "<html" not in fragment.content.decode()
    for body in (page.content.decode(), fragment.content.decode()):
        assert "Marie Tremblay" in body
        assert f"/console/customers/{marie.public_id}" in body
        assert "Jean Dupont" not in body
    assert (
        "Nobody matches"
        in as_agent.get("/console/search", {"q": "zzzz"}, headers=hx()).content.decode()
    )
    assert (
        "at least 2" in as_agent.get("/console/search", {"q": "z"}, headers=hx()).content.decode()
    )


def test_every_page_carries_a_strict_csp_and_no_inline_script(as_agent: Client, marie: Customer):
    response = as_agent.get(f"/console/customers/{marie.public_id}")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    body = response.content.decode()
    assert "<script>" not in body
    assert " on" + "click=" not in body
    assert 'src="/static/console/vendor/htmx-2.0.11.min.js"' in body


def test_everything_typed_is_escaped(as_agent: Client, system: Actor):
    evil = '<script>alert("x")</script>'
    create_customer(system, {"display_name": f"Evil {evil}"})
    search = as_agent.get("/console/search", {"q": f"evil {evil}"}).content.decode()
    assert evil not in search
    found = as_agent.get("/console/search", {"q": "evil"}).content.decode()
    assert evil not in found
    assert "Evil &lt;script&gt;" in found
    pop = as_agent.get("/console/incoming", {"handle": "x<b>y"}).content.decode()
    assert "<b>" not in pop.split("<main", 1)[1]


def test_screen_pop_says_who_and_how_to_greet(as_agent: Client, marie: Customer, agent: User):
    response = as_agent.get("/console/incoming", {"phone": "(514) 555-0199"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Marie Tremblay" in body
    assert "« Bonjour Madame Tremblay »" in body
    assert "(vous, français)" in body
    assert "postal_code" in body
    assert "H2X 1Y4" in body
    assert 'id="open-cases"' in body
    assert 'id="pending-promises"' in body
    entry = AccessLog.objects.filter(customer_id=marie.pk, action="recognize").get()
    assert (entry.actor_label, entry.user_id) == ("bob", agent.pk)


def test_screen_pop_by_email_and_handle(as_agent: Client, marie: Customer, system: Actor):
    assert (
        "Marie Tremblay"
        in as_agent.get(
            "/console/incoming", {"email": "MARIE.TREMBLAY@example.com"}
        ).content.decode()
    )
    create_customer(
        system, {"display_name": "Luc Roy"}, identifiers=[NewIdentifier("handle", "@lucroy")]
    )
    assert "Luc Roy" in as_agent.get("/console/incoming", {"handle": "LucRoy"}).content.decode()


def test_unknown_number_offers_a_prefilled_create_form(as_agent: Client, db: None):
    body = as_agent.get("/console/incoming", {"phone": "514 555 0000"}).content.decode()
    assert "Nobody uses this phone yet" in body
    assert 'value="514 555 0000"' in body
    assert 'id="candidates"' in body
    response = as_agent.post(
        "/console/customers/new",
        {"kind": "phone", "value": "514 555 0000", "display_name": "Nadia Roy"},
    )
    customer = Customer.objects.get(display_name="Nadia Roy")
    assert response.status_code == 302
    assert response["Location"] == f"/console/customers/{customer.public_id}"
    assert Identifier.objects.get(customer=customer).value == "+15145550000"


def test_create_form_names_what_is_missing_and_writes_nothing(as_agent: Client, marie: Customer):
    response = as_agent.post(
        "/console/customers/new", {"kind": "phone", "value": "514 555 0000", "display_name": ""}
    )
    assert response.status_code == 422
    assert "display_name: a name is needed" in response.content.decode()
    taken = as_agent.post(
        "/console/customers/new", {"kind": "phone", "value": "514 555 0199", "display_name": "X"}
    )
    assert taken.status_code == 409
    assert "already belongs to another customer" in taken.content.decode()
    assert Customer.objects.count() == 1


def test_malformed_or_missing_identifier_is_explained(as_agent: Client, db: None):
    bad = as_agent.get("/console/incoming", {"phone": "not a number"})
    assert bad.status_code == 422
    assert "phone: is not a phone number" in bad.content.decode()
    none = as_agent.get("/console/incoming")
    assert none.status_code == 400
    assert "exactly one of phone, email or handle" in none.content.decode()


def test_customer_page_shows_and_logs_the_look(as_agent: Client, marie: Customer, agent: User):
    body = as_agent.get(f"/console/customers/{marie.public_id}").content.decode()
    assert "Marie Tremblay" in body
    assert "« Bonjour Madame Tremblay »" in body
    assert "+1 514-555-0199" in body
    assert "A-1001" in body
    assert "H2X 1Y4" in body
    assert "system: billing" in body
    assert (
        AccessLog.objects.filter(customer_id=marie.pk, action="view", user_id=agent.pk).count() == 1
    )


def test_unknown_customer_is_a_404_page(as_agent: Client, db: None):
    response = as_agent.get("/console/customers/00000000-0000-7000-8000-000000000000")
    assert response.status_code == 404
    assert "No customer has this id." in response.content.decode()


def test_every_console_page_leads_to_the_others(as_agent: Client):
    page = as_agent.get("/console/search").content.decode()
    for path in (
        "/console/cases/",
        "/console/promises/",
        "/console/messaging/messages/",
        "/console/messaging/templates/",
        "/console/rules/",
        "/console/identity/",
    ):
        assert f'href="{path}"' in page, path
