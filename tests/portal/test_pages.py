"""The customer's pages: see, correct, decide (issue 7, item 2, and its bad input)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.test import Client

from courtier.cases.models import Case
from courtier.customers.models import Customer, Fact
from courtier.interactions.models import Interaction
from courtier.messaging.models import Message, PreferenceChange
from courtier.messaging.services.preferences import preferences_of
from courtier.portal.services.signin import request_sign_in

from .conftest import World, signed_in_client
from .test_isolation import snapshot


def text(response: Any) -> str:
    return str(response.content.decode())


def test_home_greets_and_lists_requests_promises_renewals(world: World):
    page = text(signed_in_client(world.marie).get("/portal/"))
    assert "Bonjour Madame Tremblay" in page
    assert "Internet drops at night" in page
    assert "Rappel" in page or "Call back" in page
    assert "Fibre 500" in page


def test_strict_headers_on_every_portal_page(world: World):
    response = signed_in_client(world.marie).get("/portal/about-me/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src" not in csp  # no script at all
    assert response["Cache-Control"] == "no-store"
    assert "<script" not in text(response)
    # The console keeps its own policy (scripts from this origin for htmx).
    assert "script-src 'self'" in Client().get("/console/").headers["Content-Security-Policy"]


def test_facts_with_source_confirm_and_correct(world: World, desk):
    client = signed_in_client(world.marie)
    fact = Fact.objects.get(customer=world.marie, key="postal_code")
    page = text(client.get("/portal/about-me/"))
    assert "H2X 1Y4" in page
    assert "billing" in page
    assert client.post(f"/portal/about-me/{fact.public_id}/confirm/").status_code == 302
    fact.refresh_from_db()
    assert fact.verified_at is not None
    response = client.post(f"/portal/about-me/{fact.public_id}/wrong/", {"note": "H2X 1Y5"})
    assert response.status_code == 302
    case = Case.objects.get(customer=world.marie, subject__startswith="Correction")
    assert case.owner.username == "bob"  # Marie has no account owner: the desk takes it
    assert "H2X 1Y5" in Interaction.objects.filter(customer=world.marie).latest("id").body


def test_preferences_take_effect_at_once_with_history(world: World):
    client = signed_in_client(world.marie)
    data = {
        "consent_service_email": "on",
        "consent_service_sms": "on",
        "consent_service_portal": "on",
        "consent_proactive_portal": "on",
        "preferred_channel": "sms",
        "quiet_start": "22:00",
        "quiet_end": "07:30",
        "language": "en",
        "register": "informal",
    }
    assert client.post("/portal/preferences/", data).status_code == 302
    prefs = preferences_of(Customer.objects.get(pk=world.marie.pk))
    assert prefs.preferred_channel == "sms"
    assert not prefs.consents_to("proactive", "email")
    page = text(client.get("/portal/preferences/"))
    assert "consent.proactive.email" in page
    assert "portal" in page.lower()
    assert "Hi Marie" in text(client.get("/portal/"))  # language and register applied
    # ... and kept in the same history the customer reads, with their old values.
    assert {
        (c.field, c.old_value, c.new_value, c.origin)
        for c in PreferenceChange.objects.filter(
            customer=world.marie, field__in=["language", "register"]
        )
    } == {("language", "fr", "en", "portal"), ("register", "formal", "informal", "portal")}


def test_bad_preferences_name_the_field_and_change_nothing(world: World):
    client = signed_in_client(world.marie)
    before = snapshot()
    response = client.post("/portal/preferences/", {"quiet_start": "25:99", "language": "xx"})
    assert response.status_code == 422
    assert "quiet_start" in text(response)
    assert snapshot() == before


def test_open_a_request_and_reply(world: World, desk):
    client = signed_in_client(world.marie)
    response = client.post("/portal/requests/new/", {"subject": "Move", "text": "New address"})
    assert response.status_code == 302
    case = Case.objects.get(customer=world.marie, subject="Move")
    assert case.owner.username == "bob"
    assert client.post(response["Location"], {"text": "And a <b>question</b>"}).status_code == 302
    page = text(client.get(response["Location"]))
    assert "And a &lt;b&gt;question&lt;/b&gt;" in page
    assert "requests/" in text(client.get("/portal/requests/"))


def test_request_without_an_owner_is_refused_clearly(world: World, settings):
    settings.PORTAL_DESK = ""
    client = signed_in_client(world.marie)
    before = snapshot()
    response = client.post("/portal/requests/new/", {"subject": "Move", "text": "x"})
    assert response.status_code == 422
    assert "please call us" in text(response)
    assert snapshot() == before


def test_unknown_fields_are_refused(world: World, desk):
    client = signed_in_client(world.marie)
    case = world.marie_case
    attempts = [
        ("/portal/requests/new/", {"subject": "s", "text": "t", "owner": "alice"}),
        (f"/portal/requests/{case.public_id}/", {"text": "t", "status": "closed"}),
        ("/portal/preferences/", {"language": "en", "verified_at": "2020-01-01"}),
        ("/portal/requests/new/", {"subject": "s", "text": "t", "customer_id": "1"}),
    ]
    for path, data in attempts:
        before = snapshot()
        response = client.post(path, data)
        assert response.status_code == 422, path
        assert "is not a field of this form" in text(response)
        assert snapshot() == before


def test_oversized_replies_and_uploads_are_refused(world: World):
    client = signed_in_client(world.marie)
    path = f"/portal/requests/{world.marie_case.public_id}/"
    before = snapshot()
    response = client.post(path, {"text": "x" * 5001})
    assert response.status_code == 422
    assert "longer than 5000" in text(response)
    big = client.post(path, {"text": "x" * 70_000})
    assert big.status_code == 413
    upload = client.post(
        path, {"text": "hi", "file": io.BytesIO(b"x" * 100_000)}, format="multipart"
    )
    assert upload.status_code == 413
    assert snapshot() == before


def test_script_in_any_field_is_escaped(world: World, desk):
    client = signed_in_client(world.marie)
    evil = '<script>alert("x")</script>'
    client.post("/portal/requests/new/", {"subject": evil, "text": evil})
    for path in ("/portal/", "/portal/requests/"):
        page = text(client.get(path))
        assert "<script>" not in page
        assert "&lt;script&gt;" in page


def test_messages_with_their_reason(world: World):
    request_sign_in("marie.tremblay@example.com", "127.0.0.1")
    message = Message.objects.get(customer=world.marie)
    page = text(signed_in_client(world.marie).get("/portal/messages/"))
    assert "portal_link" in page
    assert message.decision in page
    # A sign-in message is listed with its reason, never with its link.
    assert "/portal/sign-in/link/" not in page


def test_who_looked_names_staff_role_and_context(world: World):
    page = text(signed_in_client(world.marie).get("/portal/who-looked/"))
    assert "bob" in page
    assert "opened case" in page


def test_download_holds_everything_as_json_and_csv(world: World):
    client = signed_in_client(world.marie)
    response = client.post("/portal/download/")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["customer"][0]["family_name"] == "Tremblay"
    assert {f["key"] for f in data["facts"]} == {"postal_code"}
    assert data["requests"][0]["subject"] == "Internet drops at night"
    assert data["agreements"][0]["product"] == "Fibre 500"
    assert "H3B 2Y5" not in response.content.decode("latin-1")  # nothing of Jean's
    rows = list(csv.DictReader(io.StringIO(archive.read("facts.csv").decode())))
    assert rows[0]["value"] == "H2X 1Y4"


def test_language_switch(world: World):
    client = signed_in_client(world.marie)
    assert "Accueil" in text(client.get("/portal/"))
    client.post("/portal/language/", {"language": "en", "next": "/portal/"})
    assert ">Home<" in text(client.get("/portal/"))
    anonymous = Client()
    anonymous.post("/portal/language/", {"language": "fr", "next": "https://evil.test/"})
    assert "Connexion" in text(anonymous.get("/portal/sign-in/"))
