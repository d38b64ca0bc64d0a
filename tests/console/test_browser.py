"""The console in a real browser: Playwright driving Debian's chromium against a live server.

``./dev setup`` installs chromium with apt when it is missing; nothing is ever downloaded by
Playwright itself. Set ``COURTIER_SCREENSHOTS=docs/screenshots`` to refresh the README's
screenshots; otherwise they go to a temporary directory and are only checked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.customers.services.facts import record_fact
from courtier.customers.services.records import NewIdentifier, create_customer
from courtier.interactions.services import record_interaction
from tests.browser import ARGS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 800}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./dev setup, which installs Debian's chromium")
    # Playwright's sync API keeps an event loop running in this thread while the browser is
    # open; the ORM calls the tests (and their database teardown) make are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def world(bob: User, marie: Customer, system: Actor) -> Customer:
    # A transactional test's flush removed the roles the data migration made: make them again.
    import_module("courtier.console.migrations.0002_roles").create_roles(django_apps, None)
    bob.groups.add(Group.objects.get(name="agent"))
    create_customer(
        system,
        {"given_name": "Hélène", "family_name": "Bélanger-Côté", "language": "fr"},
        identifiers=[NewIdentifier("phone", "418 555 0123")],
    )
    record_fact(system, marie, "preferred_channel", "sms", source="portal", source_kind="customer")
    record_fact(system, marie, "city", "Laval", source="crm")
    record_fact(system, marie, "city", "Montréal", source="billing")
    record_interaction(
        system, marie, channel="phone", direction="inbound", summary="Asked about her bill"
    )
    return marie


@pytest.fixture
def page(browser: Browser, live_server, world: Customer) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/console/")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill("battery staple 7")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Find a customer")).to_be_visible()
    yield page
    context.close()
    # A CSP violation or a script error shows up here: the pages must run clean.
    assert errors == []


def shots_dir(tmp_path: Path) -> Path:
    target = Path(os.environ.get("COURTIER_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def test_search_by_accented_name_and_phone_fragment_with_the_keyboard(page: Page):
    box = page.get_by_label("Search customers")
    box.fill("helene")
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="Hélène Bélanger-Côté")).to_be_visible()
    box.press("ArrowDown")
    expect(results.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hélène Bélanger-Côté")).to_be_visible()
    box = page.get_by_label("Search customers")
    box.fill("555 01")
    expect(
        page.locator("#search-results").get_by_role("link", name="Marie Tremblay")
    ).to_be_visible()
    expect(page.locator("#search-results").get_by_role("link")).to_have_count(2)
    box.fill("(514) 555-01")
    expect(page.locator("#search-results").get_by_role("link")).to_have_count(1)
    box.press("Enter")
    expect(page.get_by_role("heading", name="Marie Tremblay")).to_be_visible()


def test_screen_pop_for_a_known_and_an_unknown_number(page: Page):
    page.goto("/console/incoming?phone=514-555-0199")
    expect(page.get_by_role("heading", name="Marie Tremblay")).to_be_visible()
    expect(page.get_by_text("« Bonjour Madame Tremblay »")).to_be_visible()
    expect(page.get_by_text("(vous, français)").first).to_be_visible()
    expect(page.get_by_text("Asked about her bill")).to_be_visible()
    page.goto("/console/incoming?phone=%2B1%20438%20555%200000")
    expect(page.get_by_role("heading", name="Nobody uses this phone yet")).to_be_visible()
    expect(page.get_by_role("textbox", name="Phone")).to_have_value("+1 438 555 0000")
    page.get_by_role("textbox", name="Name").fill("Nadia Roy")
    page.get_by_role("button", name="Create customer").click()
    expect(page.get_by_role("heading", name="Nadia Roy")).to_be_visible()
    expect(page.get_by_text("+1 438 555 0000")).to_be_visible()


def test_log_an_interaction_in_two_clicks_and_see_it(page: Page, world: Customer):
    page.goto(f"/console/customers/{world.public_id}")
    page.get_by_text("Branch visit", exact=True).click()  # click 1
    page.get_by_label("What happened").fill("Brought the signed contract")
    page.get_by_role("button", name="Save").click()  # click 2
    timeline = page.locator("#timeline-rows")
    expect(timeline.locator("li").first).to_contain_text("Brought the signed contract")
    expect(timeline.locator("li").first).to_contain_text("Branch")
    page.get_by_role("link", name="Phone", exact=True).click()
    expect(timeline.locator("li")).to_have_count(1)
    expect(timeline).to_contain_text("Asked about her bill")


def test_screenshots_at_desktop_and_phone_width(page: Page, world: Customer, tmp_path: Path):
    target = shots_dir(tmp_path)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto("/console/search")
        page.get_by_label("Search customers").fill("tremblay")
        expect(
            page.locator("#search-results").get_by_role("link", name="Marie Tremblay")
        ).to_be_visible()
        page.screenshot(path=target / f"search-{label}.png")
        page.goto("/console/incoming?phone=514-555-0199")
        expect(page.get_by_text("« Bonjour Madame Tremblay »")).to_be_visible()
        page.screenshot(path=target / f"screen-pop-{label}.png", full_page=True)
        page.goto(f"/console/customers/{world.public_id}")
        expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
        page.screenshot(path=target / f"customer-{label}.png", full_page=True)
        # Nothing may stick out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    for name in ("search", "screen-pop", "customer"):
        for label in ("desktop", "phone"):
            assert (target / f"{name}-{label}.png").stat().st_size > 5_000
