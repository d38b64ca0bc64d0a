"""The portal in a real browser: Playwright driving Debian's chromium (issue 7, item 4).

Marie asks for a link; the outbox worker delivers it to a real SMTP server (aiosmtpd)
on loopback; the browser opens the link from that email, signs in, changes a consent,
opens a request, replies and downloads the archive. Screenshots (phone and desktop) go
to ``$COURTIER_SCREENSHOTS`` when set (docs/screenshots/ in the repository).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from courtier.cases.models import Case
from courtier.customers.models import Customer
from courtier.messaging.services.preferences import preferences_of
from courtier.messaging.transports.email import EmailTransport
from courtier.messaging.worker import Worker
from tests.browser import CHROMIUM, chromium, live_server
from tests.messaging.servers import SmtpSink

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def server(transactional_db: None) -> Iterator[str]:
    with live_server() as url:
        yield url


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_TIMEOUT = 5
        yield sink


@pytest.fixture
def playwright() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("COURTIER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_sign_in_by_email_link_then_consent_request_reply_download(
    server: str, smtp: SmtpSink, playwright: Any, verified_marie: Customer, desk: Any, settings
):
    settings.BASE_URL = server
    phone = playwright.new_context(viewport={"width": 375, "height": 740}, accept_downloads=True)
    page = phone.new_page()
    page.goto(f"{server}/portal/requests/")
    page.wait_for_url("**/portal/sign-in/**")
    shoot(page, "portal-sign-in-phone.png")
    page.fill("#identifier", "Marie.Tremblay@Example.com")
    page.click("button[type=submit]")
    # The sign-in page has an h1 too: wait for the answer page, not any heading.
    page.wait_for_function("document.title.startsWith('Check your messages')")
    assert Worker({"email": EmailTransport()}).run_once() == 1
    (mail,) = smtp.mailbox.received
    assert mail["To"] == "marie.tremblay@example.com"
    body = mail.get_body(("plain",))
    assert body is not None
    link = re.search(r"http://\S+/portal/sign-in/link/\S+", body.get_content())
    assert link is not None
    page.goto(link.group(0))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server}/portal/")
    assert "Bonjour Madame Tremblay" in page.content()
    shoot(page, "portal-home-phone.png")

    # A consent: no more proactive information by email.
    page.goto(f"{server}/portal/preferences/")
    page.uncheck("#consent_proactive_email")
    page.click("form button[type=submit] >> text=Enregistrer")
    page.wait_for_url("**/portal/preferences/?saved=1")
    assert not preferences_of(verified_marie).consents_to("proactive", "email")
    assert "consent.proactive.email" in page.content()

    # A request, then a reply.
    page.goto(f"{server}/portal/requests/new/")
    page.fill("#subject", "Déménagement")
    page.fill("#text", "Je déménage le 1er juillet.")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal/requests/[0-9a-f-]{36}/$"))
    page.fill("#text", "Au 12 rue <b>Principale</b>.")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Au 12 rue <b>Principale</b>.")
    case = Case.objects.get(customer=verified_marie, subject="Déménagement")
    assert case.owner.username == "bob"
    shoot(page, "portal-request-phone.png")

    # The archive.
    page.goto(f"{server}/portal/download/")
    with page.expect_download() as info:
        page.click("main button[type=submit]")
    data = Path(info.value.path()).read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    document = json.loads(archive.read("data.json"))
    assert document["customer"][0]["given_name"] == "Marie"
    assert "Déménagement" in {r["subject"] for r in document["requests"]}
    assert any("Principale" in (t["body"] or "") for t in document["timeline"])
    assert "requests.csv" in archive.namelist()
    assert "Déménagement" in archive.read("requests.csv").decode()

    desktop = playwright.new_context(viewport={"width": 1280, "height": 800})
    desktop.add_cookies(phone.cookies())
    wide = desktop.new_page()
    wide.goto(f"{server}/portal/")
    shoot(wide, "portal-home-desktop.png")
    wide.goto(f"{server}/portal/preferences/")
    shoot(wide, "portal-preferences-desktop.png")
    phone.close()
    desktop.close()
