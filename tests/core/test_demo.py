"""The demo company: realistic, normalised, recognisable, and never built twice."""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from courtier.core import demo
from courtier.core.actor import Actor
from courtier.core.demo.texts import SUMMARIES
from courtier.core.errors import Invalid
from courtier.customers.models import Customer, Identifier
from courtier.customers.normalize import normalize
from courtier.customers.services.facts import profile_of
from courtier.customers.services.recognition import recognize
from courtier.customers.services.records import clean_customer_fields
from courtier.interactions.models import Channel, Interaction
from courtier.staff.services import actor_for_token
from tests.core.servers import courtier, environment, free_port, wait_until_serving

SIZE = 60


@pytest.fixture
def company(db: None) -> demo.DemoSummary:
    return demo.build_demo(SIZE, seed=7)


def test_customers_speak_both_languages_with_accents_registers_and_time_zones(company):
    customers = list(Customer.objects.all())
    assert len(customers) == SIZE == company.customers
    assert {c.language for c in customers} == {"en", "fr"}
    assert {c.register for c in customers} == {"formal", "informal"}
    assert any(not c.display_name.isascii() for c in customers if c.language == "fr")
    assert any(c.preferred_name for c in customers)
    assert len({c.salutation for c in customers}) >= 3
    assert len({c.time_zone for c in customers}) >= 2
    for c in customers:
        fields = {
            "display_name": c.display_name,
            "given_name": c.given_name,
            "family_name": c.family_name,
            "preferred_name": c.preferred_name,
            "salutation": c.salutation,
            "language": c.language,
            "register": c.register,
            "time_zone": c.time_zone,
        }
        # Exactly what the product's own validation accepts.
        assert clean_customer_fields(fields, creating=True) == fields


def test_identifiers_of_every_kind_are_normalised_and_typed_in_mixed_formats(company):
    identifiers = list(Identifier.objects.all())
    assert {i.kind for i in identifiers} == {"phone", "email", "handle", "account"}
    for i in identifiers:
        assert i.value == normalize(i.kind, i.raw_value), i.raw_value
    phones = [i.raw_value for i in identifiers if i.kind == "phone"]
    shapes = {re.sub(r"\d", "9", p) for p in phones}
    assert {"(999) 999-9999", "+9 999 999 9999", "999.999.9999"} <= shapes
    assert all(re.fullmatch(r"\+1\d{3}555\d{4}", i.value) for i in identifiers if i.kind == "phone")
    emails = [i for i in identifiers if i.kind == "email"]
    assert any(e.raw_value != e.value for e in emails), "some addresses typed in mixed case"
    accounts = [i for i in identifiers if i.kind == "account"]
    assert len(accounts) == SIZE
    assert {a.system for a in accounts} == {"billing"}


def test_every_identifier_is_recognised_from_the_way_it_was_typed(company):
    actor = Actor.system("tests")
    for i in Identifier.objects.select_related("customer"):
        card = recognize(actor, i.kind, i.raw_value)
        assert card["id"] == str(i.customer.public_id)
        assert card["display_name"] == i.customer.display_name


def test_two_years_of_contacts_on_every_channel_in_the_customers_language(company):
    now = timezone.now()
    contacts = list(Interaction.objects.select_related("customer", "staff"))
    assert len(contacts) == company.interactions >= 3 * SIZE
    assert {c.channel for c in contacts} == set(Channel.values)
    oldest = min(c.occurred_at for c in contacts)
    newest = max(c.occurred_at for c in contacts)
    assert now - timedelta(days=731) <= oldest < now - timedelta(days=650)
    assert now - timedelta(days=30) < newest <= now
    stems = {
        lang: {line[col].split("{")[0] for lines in SUMMARIES.values() for line in lines}
        for lang, col in (("en", 1), ("fr", 2))
    }
    for c in contacts:
        assert any(c.summary.startswith(s) for s in stems[c.customer.language]), c.summary
        # Contacts happen while the customer is awake, in their own time zone.
        assert 8 <= c.occurred_at.astimezone(ZoneInfo(c.customer.time_zone)).hour < 20
    agents = {c.staff.get_full_name() for c in contacts if c.staff}
    assert len(agents) >= 4
    assert "Sophie Lambert" in agents
    assert {c.source for c in contacts if not c.staff} >= {"mail gateway", "sms gateway"}


def test_profiles_show_stale_and_conflicting_facts_with_their_sources(company):
    entries = [e for c in Customer.objects.all() for e in profile_of(c)]
    assert {e["key"] for e in entries} == {
        "postal_code",
        "postal_address",
        "date_of_birth",
        "employer",
    }
    conflicts = [e for e in entries if e["conflict"]]
    assert any(e["key"] == "postal_code" for e in conflicts)
    for entry in conflicts:
        assert len({v["value"] for v in entry["values"]}) >= 2
        assert "crm" in {v["source"] for v in entry["values"]}
    stale = [e for e in entries if e["stale"]]
    assert stale
    assert all(e["verified_at"] is None for e in stale)
    fresh_postal = [e for e in entries if e["key"] == "postal_code" and not e["stale"]]
    assert len(fresh_postal) > len(stale)
    sources = {v["source_kind"] for e in entries for v in e["values"]}
    assert sources == {"system", "customer", "staff"}


def test_the_same_seed_invents_the_same_company(db: None):
    first = demo.build_demo(20, seed=3)
    names = list(Customer.objects.order_by("id").values_list("display_name", flat=True))
    demo.wipe_demo()
    assert demo.build_demo(20, seed=3) == first
    assert list(Customer.objects.order_by("id").values_list("display_name", flat=True)) == names


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def test_demo_twice_reuses_the_company_and_reset_rebuilds_it(db: None):
    first = run_demo("--customers", "30")
    counts = demo.counts()
    ids = set(Customer.objects.values_list("public_id", flat=True))
    again = run_demo("--customers", "30")
    assert "Reusing the demo company" in again
    assert demo.counts() == counts
    assert set(Customer.objects.values_list("public_id", flat=True)) == ids
    password = re.search(r"Login: demo / (\S+)", first)
    assert password
    assert password[1] in again
    rebuilt = run_demo("--customers", "30", "--reset")
    assert "Built in" in rebuilt
    assert demo.counts() == counts
    assert not ids & set(Customer.objects.values_list("public_id", flat=True))


def test_demo_prints_a_login_and_a_token_that_work(db: None):
    out = run_demo("--customers", "10")
    password = re.search(r"Login: demo / (\S+)", out)
    token = re.search(r"API token: (ctr_\S+)", out)
    assert password
    assert token
    user = User.objects.get(username="demo")
    assert user.is_superuser
    assert user.password.startswith("argon2$")
    assert user.check_password(password[1])
    actor = actor_for_token(token[1])
    assert actor is not None
    assert actor.user_id == user.pk


def test_demo_refuses_a_database_holding_real_customers(marie: Customer):
    with pytest.raises(CommandError, match="not the demo's"):
        run_demo("--customers", "10", "--reset")
    assert list(Customer.objects.all()) == [marie]


def test_a_bad_size_is_refused_naming_the_option(db: None):
    with pytest.raises(CommandError, match="customers: must be between 1 and 1,000,000"):
        run_demo("--customers", "0")


def test_demo_serves_what_it_built_over_real_http(tmp_path: Path):
    port = free_port()
    args = ["demo", "--customers", "40", "--port", str(port), "--workers", "1", "--threads", "2"]
    with courtier(args, environment(tmp_path)) as server:
        url = server.wait_for("URL: ").removeprefix("URL: ")
        assert url == f"http://127.0.0.1:{port}/"
        token = server.wait_for("API token: ").removeprefix("API token: ")
        assert server.wait_for("Login: demo / ")
        server.wait_for("Serving on")
        with sqlite3.connect(tmp_path / "courtier.sqlite3") as db:
            raw, name = db.execute(
                "SELECT i.raw_value, c.display_name FROM customers_identifier i "
                "JOIN customers_customer c ON c.id = i.customer_id "
                "WHERE i.kind = 'phone' ORDER BY i.id DESC LIMIT 1"
            ).fetchone()
        db.close()
        wait_until_serving(url)
        answer = httpx.get(
            f"{url}api/v1/recognize?phone={quote(raw, safe='')}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        card = answer.json()
        assert card["display_name"] == name
        assert card["matched"]["kind"] == "phone"
        assert card["interactions"]
        assert card["profile"]
        refused = httpx.get(f"{url}api/v1/recognize?phone={quote(raw, safe='')}", timeout=10)
        assert refused.status_code == 401


def test_a_failed_rebuild_keeps_the_demo_that_was_there(db: None):
    built, _ = demo.ensure_demo(15, seed=5)
    ids = set(Customer.objects.values_list("public_id", flat=True))
    with pytest.raises(Invalid, match="customers: must be between"):
        demo.ensure_demo(0, reset=True)
    assert demo.counts() == built
    assert set(Customer.objects.values_list("public_id", flat=True)) == ids
