"""``courtier export``: streamed CSV and JSON, formulas neutralised, round-trips through import."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courtier.audit.models import AccessLog
from courtier.core.actor import Actor
from courtier.customers.models import Customer, Fact, Identifier
from courtier.customers.services.facts import NewFact
from courtier.customers.services.import_ import import_customers
from courtier.customers.services.records import NewIdentifier, create_customer


def export(fmt: str = "csv", **options: Any) -> str:
    out = io.StringIO()
    call_command("export", format=fmt, stdout=out, **options)
    return out.getvalue()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def mallory(db: None, system: Actor) -> Customer:
    """A customer whose name and facts are spreadsheet formulas."""
    return create_customer(
        system,
        {"display_name": '=HYPERLINK("http://evil.example","x")', "given_name": "@SUM(A1)"},
        identifiers=[
            NewIdentifier("phone", "418 555 0177"),
            NewIdentifier("phone", "+33 1 23 45 67 89"),
            NewIdentifier("handle", "@mallory", system="telegram"),
        ],
        facts=[
            NewFact("note", "-2+3", source="crm"),
            NewFact("tier", "gold", source="billing"),
            NewFact("tier", "silver", source="crm"),
        ],
    )


def everything() -> dict[str, Any]:
    """Each customer's fields, identifiers and current fact values, keyed by public id."""
    state: dict[str, Any] = {}
    for customer in Customer.objects.all():
        fields = {f: getattr(customer, f) for f in ("display_name", "given_name", "family_name")}
        fields.update(language=customer.language, register=customer.register)
        identifiers = set(customer.identifiers.values_list("kind", "value", "system"))
        facts = dict(customer.facts.values_list("key", "value").order_by("observed_at", "id"))
        state[str(customer.public_id)] = (fields, identifiers, facts)
    return state


def test_csv_export_is_the_import_format_with_formulas_neutralised(marie, jean, mallory):
    text = export()
    header = text.splitlines()[0].split(",")
    assert header[:3] == ["id", "display_name", "given_name"]
    assert {"phone", "phone2", "handle", "handle_system", "account", "account_system"} <= set(
        header
    )
    assert {"fact:postal_code", "fact:note", "fact:tier"} <= set(header)
    by_id = {row["id"]: row for row in rows(text)}
    marie_row = by_id[str(marie.public_id)]
    # An E.164 phone starts with "+": protected, so a spreadsheet shows it as text.
    assert marie_row["phone"] == "'+15145550199"
    assert marie_row["email"] == "marie.tremblay@example.com"
    assert (marie_row["account"], marie_row["account_system"]) == ("A-1001", "billing")
    assert marie_row["fact:postal_code"] == "H2X 1Y4"
    bad = by_id[str(mallory.public_id)]
    assert bad["display_name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert bad["given_name"] == "'@SUM(A1)"
    assert bad["fact:note"] == "'-2+3"
    assert (bad["phone"], bad["phone2"]) == ("'+14185550177", "'+33123456789")
    assert (bad["handle"], bad["handle_system"]) == ("mallory", "telegram")
    assert bad["fact:tier"] == "silver"  # the most recent observation is the current value
    assert by_id[str(jean.public_id)]["fact:tier"] == ""


def test_each_exported_customer_gets_one_access_log_entry(marie, jean):
    AccessLog.objects.all().delete()
    export()
    assert sorted(AccessLog.objects.values_list("customer_id", "action", "reason")) == sorted(
        [(marie.pk, "export", "export csv"), (jean.pk, "export", "export csv")]
    )


def test_json_export_holds_the_full_record_with_fact_provenance(marie, mallory):
    document = json.loads(export("json"))
    assert document["format"] == "courtier-export"
    by_id = {c["id"]: c for c in document["customers"]}
    record = by_id[str(mallory.public_id)]
    assert record["display_name"].startswith("=HYPERLINK")  # JSON is data, not a sheet
    assert {(i["kind"], i["value"], i["system"]) for i in record["identifiers"]} == {
        ("phone", "+14185550177", ""),
        ("phone", "+33123456789", ""),
        ("handle", "mallory", "telegram"),
    }
    tier = next(p for p in record["profile"] if p["key"] == "tier")
    assert tier["conflict"] is True
    assert {(v["value"], v["source"]) for v in tier["values"]} == {
        ("gold", "billing"),
        ("silver", "crm"),
    }
    assert by_id[str(marie.public_id)]["created_at"].endswith("+00:00")


def test_export_then_import_into_an_empty_database_gives_the_same_customers(
    tmp_path, marie, jean, mallory
):
    path = tmp_path / "export.csv"
    call_command("export", output=str(path), stdout=io.StringIO())
    before = everything()
    Customer.objects.all().delete()
    result = import_customers(path)
    assert (result.created, result.rejected) == (3, [])
    assert everything() == before
    assert set(Fact.objects.values_list("source", flat=True)) == {"export.csv"}
    # and importing it once more into the database it came from changes nothing
    again = import_customers(path)
    assert (again.unchanged, again.created, again.updated) == (3, 0, 0)


def test_export_streams_in_a_fixed_number_of_queries(tmp_path, db):
    def make(start: int, count: int) -> None:
        path = tmp_path / f"people{start}.csv"
        lines = ["display_name,phone,email,fact:tier"]
        lines += [f"P{n},514 555 {n:04d},p{n}@example.com,gold" for n in range(start, count)]
        path.write_text("\n".join(lines) + "\n")
        assert import_customers(path).created == count - start

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export(chunk_size=1000)
        return len(captured)

    make(0, 20)
    small = queries()
    make(20, 400)
    assert queries() == small <= 8
    # with small chunks the count grows per chunk, never per customer
    with CaptureQueriesContext(connection) as captured:
        assert len(rows(export(chunk_size=100))) == 400
    assert len(captured) <= small + 4 * 4


def test_console_script_imports_and_exports_in_a_fresh_database(tmp_path):
    env = {
        **os.environ,
        "COURTIER_DATA_DIR": str(tmp_path),
        "COURTIER_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    courtier = str(Path(sys.executable).with_name("courtier"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
            [courtier, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    assert run("migrate", "-v0").returncode == 0
    source = tmp_path / "legacy.csv"
    source.write_text("display_name,phone,email\nAnn,514 555 0100,ann@example.com\nBad,12,\n")
    done = run("import", str(source))
    assert done.returncode == 1
    assert done.stdout.strip() == "1 created, 0 updated, 0 unchanged, 1 rejected"
    assert "line 3: phone: is not a possible phone number" in done.stderr
    exported = run("export")
    assert exported.returncode == 0
    (row,) = rows(exported.stdout)
    assert (row["display_name"], row["phone"], row["email"]) == (
        "Ann",
        "'+15145550100",
        "ann@example.com",
    )
    again = tmp_path / "again.csv"
    again.write_text(exported.stdout)
    second = run("import", str(again))
    assert (second.returncode, second.stdout.strip()) == (
        0,
        "0 created, 0 updated, 1 unchanged, 0 rejected",
    )


def test_output_file_is_written_whole(tmp_path, marie):
    path = tmp_path / "out.json"
    call_command("export", format="json", output=str(path), stdout=io.StringIO())
    assert json.loads(path.read_text())["customers"][0]["id"] == str(marie.public_id)
    assert not (tmp_path / "out.json.partial").exists()
    assert Identifier.objects.count() == 3
