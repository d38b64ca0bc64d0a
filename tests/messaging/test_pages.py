"""The messaging pages through Django's test client: editor, preview, preferences, log."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.messaging.models import Message, Template
from courtier.messaging.services.outbox import queue_message
from courtier.messaging.services.preferences import preferences_of
from courtier.messaging.services.style import unsubscribe_url


@pytest.fixture
def staff(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def test_pages_need_a_staff_member(db: None):
    response = Client().get("/console/messaging/templates/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_editor_refuses_a_sandbox_escape_with_the_line(staff: Client):
    response = staff.post(
        "/console/messaging/templates/",
        {
            "purpose": "welcome",
            "channel": "portal",
            "language": "en",
            "text": "Hello\n{{ ''.__class__ }}",
            "save": "1",
        },
    )
    assert response.status_code == 200
    assert "line 2:" in response.content.decode()
    assert not Template.objects.exists()


def test_editor_previews_for_marie_then_saves(staff: Client, marie: Customer):
    form = {
        "purpose": "case_update",
        "channel": "sms",
        "language": "fr",
        "text": "Votre demande avance \u2013 merci\u00a0!",
        "preview_customer": str(marie.public_id),
    }
    preview = staff.post("/console/messaging/templates/", {**form, "preview": "1"})
    page = preview.content.decode()
    assert "Bonjour Madame Tremblay, Votre demande avance - merci !" in page
    assert "gsm7, 1 segment" in page
    assert not Template.objects.exists()
    saved = staff.post("/console/messaging/templates/", {**form, "save": "1"})
    template = Template.objects.get()
    assert saved["Location"] == f"/console/messaging/templates/{template.public_id}/"
    assert template.updated_by == "alice"


def test_preferences_page_changes_and_shows_history(staff: Client, marie: Customer):
    path = f"/console/customers/{marie.public_id}/preferences/"
    assert "No change yet" in staff.get(path).content.decode()
    form: dict[str, Any] = {
        "preferred_channel": "sms",
        "quiet_start": "22:00",
        "quiet_end": "07:30",
        "consent_service_email": "on",
        "consent_service_sms": "on",
        "consent_service_portal": "on",
        "consent_proactive_email": "on",
    }
    assert staff.post(path, form).status_code == 302
    prefs = preferences_of(marie)
    assert prefs.preferred_channel == "sms"
    assert prefs.consents_to("proactive", "sms") is False
    page = staff.get(path).content.decode()
    assert "consent.proactive.sms" in page
    assert "staff" in page
    bad = staff.post(path, {**form, "quiet_end": "soon"})
    assert "quiet_end: must be a time such as 21:00" in bad.content.decode()


def test_message_log_shows_decisions_and_states(
    staff: Client, marie: Customer, system: Actor, welcome: list[Template]
):
    queue_message(system, marie, "welcome", {"account": "A"}, key="1")
    queue_message(system, marie, "welcome", {"account": "A"}, key="1")
    page = staff.get("/console/messaging/messages/", {"customer": str(marie.public_id)})
    text = page.content.decode()
    assert "suppressed (duplicate)" in text
    assert "email in fr" in text
    only = staff.get("/console/messaging/messages/", {"state": "suppressed"}).content.decode()
    assert only.count('data-state="suppressed"') == 1
    assert 'data-state="queued"' not in only


def test_one_click_unsubscribe(marie: Customer, system: Actor, welcome: list[Template]):
    url = unsubscribe_url(str(marie.public_id), "service").removeprefix("http://localhost:8000")
    assert "Stop these emails?" in Client().get(url).content.decode()
    done = Client().post(url)
    assert done.status_code == 200
    assert preferences_of(marie).consents_to("service", "email") is False
    assert marie.preference_changes.get().origin == "email"
    forged = Client().post(url[:-3] + "xyz")
    assert forged.status_code == 400
    assert Message.objects.count() == 0
