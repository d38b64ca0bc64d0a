"""The template editor in a real browser (Playwright driving Debian's chromium)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections

from courtier.customers.models import Customer
from courtier.messaging.models import Template
from tests.browser import ARGS, CHROMIUM, live_server

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
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own database
    # calls are still plain synchronous ones, made between browser steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                yield browser.new_page()
            finally:
                browser.close()
                # Database calls made while Playwright's loop runs get a connection of
                # their own (asgiref sees another context); close it before the test
                # database is dropped.
                connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


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
