"""The template editor in a real browser (Playwright driving Debian's chromium)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from courtier.customers.models import Customer
from courtier.messaging.models import Template
from tests.browser import CHROMIUM, chromium, live_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def server(transactional_db: None) -> Iterator[str]:
    with live_server() as url:
        yield url


@pytest.fixture
def browser_page() -> Iterator[Any]:
    with chromium() as browser:
        yield browser.new_page()


def test_staff_previews_then_saves_a_template(
    server: str, browser_page: Any, alice: Any, marie: Customer
):
    page = browser_page
    page.goto(f"{server}/console/messaging/templates/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "correct horse 9")
    page.click("input[type=submit]")
    page.wait_for_url("**/console/messaging/templates/")
    page.fill("input[name=purpose]", "welcome")
    page.select_option("select[name=channel]", "email")
    page.select_option("select[name=language]", "fr")
    page.fill("input[name=subject]", "Bienvenue {{ customer.address }}")
    page.fill("textarea[name=text]", "Votre compte\n{% if %}")
    page.click("button[name=save]")
    assert page.text_content("[data-field=text]").startswith("line 2:")
    page.fill("textarea[name=text]", "Votre compte est prêt.")
    page.fill("input[name=preview_customer]", str(marie.public_id))
    page.click("button[name=preview]")
    assert page.text_content("#preview-subject") == "Bienvenue Madame Tremblay"
    assert page.text_content("#preview-text").startswith("Bonjour Madame Tremblay,")
    assert not Template.objects.exists()
    page.click("button[name=save]")
    page.wait_for_url("**/console/messaging/templates/*/")
    saved = Template.objects.get()
    assert (saved.purpose, saved.language, saved.updated_by) == ("welcome", "fr", "alice")
    assert page.locator("tbody tr[aria-current=true]").count() == 1
