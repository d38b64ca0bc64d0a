"""The template editor in a real browser (Playwright driving Debian's chromium)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from courtier.customers.models import Customer
from courtier.messaging.models import Template

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def server(transactional_db: None) -> Iterator[str]:
    """A live server for this test only, so its database connection closes with it.

    (pytest-django's session-wide live server keeps its connection until the session
    ends, after the PostgreSQL test database should already have been dropped.)
    """
    shared = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():  # type: ignore[attr-defined]
            conn.inc_thread_sharing()
            shared[conn.alias] = conn
    thread = LiveServerThread("127.0.0.1", _StaticFilesHandler, shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def browser_page() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own database
    # calls are still plain synchronous ones, made between browser steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
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
