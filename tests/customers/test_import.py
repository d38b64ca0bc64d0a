"""``courtier import``: upsert by identifier, every bad line reported, re-import a no-op."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from courtier.audit.models import AccessLog
from courtier.customers.models import Customer, Fact, Identifier
from courtier.customers.services.import_ import import_customers

HEADER = "display_name,given_name,family_name,language,register,phone,email,fact:postal_code\n"


def write(tmp_path: Path, text: str, name: str = "crm.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, **options: object) -> tuple[str, str, int]:
    """Run the real command; return stdout, stderr and the exit status it would give."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", str(path), stdout=out, stderr=err, no_progress=True, **options)
        status = 0
    except CommandError as exc:
        err.write(f"CommandError: {exc}\n")
        status = exc.returncode
    return out.getvalue(), err.getvalue(), status


def counts() -> tuple[int, int, int, int]:
    return (
        Customer.objects.count(),
        Identifier.objects.count(),
        Fact.objects.count(),
        AccessLog.objects.count(),
    )


def test_rows_become_customers_with_normalised_identifiers_and_sourced_facts(tmp_path, db):
    path = write(
        tmp_path,
        HEADER
        + ",Marie,Tremblay,fr,formal,(514) 555-0199,Marie.Tremblay@Example.com,H2X 1Y4\n"
        + "Jean Dupont,,,,,+1 438 555 0142,,\n",
    )
    out, err, status = run(path)
    assert (status, err) == (0, "")
    assert out.strip() == "2 created, 0 updated, 0 unchanged, 0 rejected"
    marie = Customer.objects.get(identifiers__value="+15145550199")
    assert (marie.display_name, marie.language) == ("Marie Tremblay", "fr")
    assert set(marie.identifiers.values_list("kind", "value", "raw_value", "source")) == {
        ("phone", "+15145550199", "(514) 555-0199", "crm.csv"),
        ("email", "marie.tremblay@example.com", "Marie.Tremblay@Example.com", "crm.csv"),
    }
    (fact,) = marie.facts.all()
    assert (fact.key, fact.value, fact.source_kind, fact.source) == (
        "postal_code",
        "H2X 1Y4",
        "import",
        "crm.csv",
    )
    jean = Customer.objects.get(display_name="Jean Dupont")
    assert (jean.language, jean.register) == ("en", "formal")  # empty cells take defaults
    logged = AccessLog.objects.filter(customer_id__in=[marie.pk, jean.pk])
    assert sorted(logged.values_list("action", "reason")) == [("create", "import crm.csv")] * 2


def test_each_kind_of_bad_row_is_reported_by_line_and_column_and_good_rows_are_kept(tmp_path, db):
    text = (
        HEADER
        + 'Good One,,,,,514 555 0100,,"multi\nline"\n'  # lines 2-3: a quoted newline
        + "Bad Phone,,,,,12,,\n"  # line 4
        + "Bad Email,,,,,,not-an-email,\n"  # line 5
        + "Bad Language,,,de,,514 555 0101,,\n"  # line 6
        + "Too Few,Cells\n"  # line 7
        + ",,,,,514 555 0102,,\n"  # line 8: new customer without a name
        + "No Key,,,,,,,H1A 1A1\n"  # line 9: nothing to find the customer by again
        + "X" * 201
        + ",,,,,514 555 0103,,\n"  # line 10: oversized name
        + "Long Fact,,,,,514 555 0104,,"
        + "y" * 1001
        + "\n"  # line 11
        + "\n"  # line 12: blank lines are skipped
        + "Good Two,,,,informal,514 555 0105,,\n"  # line 13
    )
    out, err, status = run(write(tmp_path, text))
    assert status == 1
    assert out.strip() == "2 created, 0 updated, 0 unchanged, 8 rejected"
    lines = err.splitlines()
    assert lines[0] == "line 4: phone: is not a possible phone number (wrong length)"
    assert lines[1].startswith("line 5: email: is not an email address")
    assert lines[2] == "line 6: language: must be one of en, fr"
    assert lines[3] == "line 7: has 2 cells, the header has 8"
    assert lines[4] == "line 8: display_name: a name is needed (or given/family name)"
    assert lines[5].startswith("line 9: phone: no identifier: give a phone, email")
    assert lines[6] == "line 10: display_name: is longer than 200 characters"
    assert lines[7] == "line 11: fact:postal_code: is longer than 1000 characters"
    assert lines[8].startswith("CommandError: 8 of 10 rows rejected")
    assert set(Customer.objects.values_list("display_name", flat=True)) == {"Good One", "Good Two"}
    assert Fact.objects.get().value == "multi\nline"


def test_importing_the_same_file_twice_changes_nothing(tmp_path, db):
    path = write(
        tmp_path,
        "given_name,family_name,phone,phone2,email,account,account_system,fact:tier\n"
        "Marie,Tremblay,514 555 0199,438 555 0100,marie@example.com,A-1,billing,gold\n"
        "Jean,Dupont,438 555 0142,,,,,silver\n"
        "Amélie,Roy,,,amelie@example.com,,,\n",
    )
    assert run(path)[0].strip() == "3 created, 0 updated, 0 unchanged, 0 rejected"
    before = counts()
    stamps = dict(Customer.objects.values_list("id", "updated_at"))
    out, err, status = run(path)
    assert (out.strip(), err, status) == ("0 created, 0 updated, 3 unchanged, 0 rejected", "", 0)
    assert counts() == before
    assert dict(Customer.objects.values_list("id", "updated_at")) == stamps


def test_a_row_with_a_known_account_updates_that_customer(tmp_path, marie, jean):
    path = write(
        tmp_path,
        "preferred_name,account,account_system,handle,handle_system,fact:postal_code\n"
        "Mimi,a-1001,billing,@marie_t,whatsapp,H2X 1Y4\n",
        name="billing.csv",
    )
    before = marie.updated_at
    out, _, status = run(path, source="billing")
    assert (out.strip(), status) == ("0 created, 1 updated, 0 unchanged, 0 rejected", 0)
    marie.refresh_from_db()
    assert marie.preferred_name == "Mimi"
    assert marie.display_name == "Marie Tremblay"  # not in the file: left as it was
    assert marie.updated_at > before
    assert marie.identifiers.filter(kind="handle", value="marie_t", system="whatsapp").exists()
    # The fixture recorded H2X 1Y4 from system "billing"; an import is another kind of
    # source, so this is a second observation of the same value, not an overwrite.
    assert list(marie.facts.values_list("source_kind", "value").order_by("id")) == [
        ("system", "H2X 1Y4"),
        ("import", "H2X 1Y4"),
    ]
    assert AccessLog.objects.filter(customer_id=marie.pk, reason="import billing.csv").count() == 1
    assert Customer.objects.count() == 2


def test_a_row_with_a_known_identifier_updates_and_adds_the_new_ones(tmp_path, marie):
    path = write(tmp_path, "phone,email,time_zone\n514.555.0199,marie@work.example,Europe/Paris\n")
    out, _, _ = run(path)
    assert out.strip() == "0 created, 1 updated, 0 unchanged, 0 rejected"
    marie.refresh_from_db()
    assert marie.time_zone == "Europe/Paris"
    assert marie.identifiers.filter(kind="email").count() == 2


def test_a_row_pointing_at_two_customers_is_rejected_naming_both(tmp_path, marie, jean):
    path = write(tmp_path, "display_name,phone,phone2\nWho,514 555 0199,438 555 0142\n")
    before = counts()
    out, err, status = run(path)
    assert status == 1
    assert out.strip() == "0 created, 0 updated, 0 unchanged, 1 rejected"
    first = err.splitlines()[0]
    assert first.startswith("line 2: conflict: ")
    assert f"phone: phone +15145550199 belongs to customer {marie.public_id}" in first
    assert f"phone2: phone +14385550142 belongs to customer {jean.public_id}" in first
    assert counts() == before


def test_rows_of_one_file_about_one_customer_meet_even_across_chunks(tmp_path, db):
    path = write(
        tmp_path,
        "display_name,phone,email\n"
        "Marie,514 555 0199,\n"
        "Marie T,514 555 0199,marie@example.com\n"
        "Other,438 555 0142,\n"
        "Marie T,,marie@example.com\n",
    )
    out, _, _ = run(path, chunk_size=2)
    assert out.strip() == "2 created, 1 updated, 1 unchanged, 0 rejected"
    marie = Customer.objects.get(identifiers__kind="email")
    assert marie.display_name == "Marie T"
    assert marie.identifiers.count() == 2


def test_a_conflict_inside_one_chunk_names_the_line_that_created_the_customer(tmp_path, db):
    path = write(
        tmp_path,
        "display_name,phone,email\n"
        "A,514 555 0199,\nB,,b@example.com\nC,514 555 0199,b@example.com\n",
    )
    _, err, status = run(path)
    assert status == 1
    assert "(created from line 2)" in err
    assert "(created from line 3)" in err
    assert Customer.objects.count() == 2


def test_unknown_column_stops_the_import_before_anything_is_written(tmp_path, db):
    path = write(tmp_path, "display_name,phone,favourite_colour\nAnn,514 555 0100,blue\n")
    _, err, status = run(path)
    assert status == 1
    assert "column favourite_colour: is not a known column" in err
    assert "Nothing was imported" in err
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("display_name,phone\nAnn,514 555 0100\nRené,514 555 0101\n", "line 3: byte 0xe9"),
        ('display_name,phone\nAnn,514 555 0100\n"Bob,514 555 0101\n', "line 3: broken CSV"),
        ('display_name,phone\nAnn,514 555 0100\n"Bob"x,514 555 0101\n', "line 3: broken CSV"),
        ("display_name,phone,phone\nAnn,1,2\n", "column phone: appears twice"),
        ("display_name,fact:Postal Code\n", "column fact:postal code: fact name must be"),
        ("", "crm.csv is empty"),
    ],
)
def test_a_broken_file_names_its_line_and_imports_nothing(tmp_path, db, text, message):
    # The first case is Latin-1: the good row before the bad byte is not imported either.
    path = write(tmp_path, text, encoding="latin-1")
    _, err, status = run(path)
    assert status == 1
    assert message in err
    assert counts() == (0, 0, 0, 0)


def test_a_byte_order_mark_and_semicolons_from_a_spreadsheet_are_understood(tmp_path, db):
    path = write(tmp_path, "\ufeffdisplay_name;phone\nAnn Lee;514 555 0100\n")
    assert run(path)[0].strip() == "1 created, 0 updated, 0 unchanged, 0 rejected"
    assert Customer.objects.get().display_name == "Ann Lee"


def test_cells_protected_by_an_export_lose_their_apostrophe(tmp_path, db):
    path = write(tmp_path, "display_name,phone\n'=1+2,'+15145550199\n")
    run(path)
    customer = Customer.objects.get()
    assert customer.display_name == "=1+2"
    assert customer.identifiers.get().value == "+15145550199"


def test_a_row_the_database_refuses_is_rejected_and_its_chunk_neighbours_kept(tmp_path, db):
    # A real refusal, by the database itself, in the middle of a chunk.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON customers_customer "
                "WHEN NEW.display_name = 'Boom' BEGIN SELECT RAISE(ABORT, 'no Boom'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.display_name = 'Boom' THEN RAISE EXCEPTION 'no Boom' "
                "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON customers_customer "
                "FOR EACH ROW EXECUTE FUNCTION refuse_boom()"
            )
    path = write(
        tmp_path, "display_name,phone\nAnn,514 555 0100\nBoom,514 555 0101\nCid,514 555 0102\n"
    )
    out, err, status = run(path)
    assert status == 1
    assert out.strip() == "2 created, 0 updated, 0 unchanged, 1 rejected"
    assert err.startswith("line 3: the database refused the row: no Boom")
    assert set(Customer.objects.values_list("display_name", flat=True)) == {"Ann", "Cid"}
    assert Identifier.objects.count() == 2
    assert AccessLog.objects.count() == 2


def test_the_service_reports_rows_for_callers_other_than_the_command(tmp_path, db):
    path = write(tmp_path, "display_name,email\nAnn,ann@example.com\nBad,@\n")
    result = import_customers(path, source="legacy crm")
    assert (result.created, result.total) == (1, 2)
    (error,) = result.rejected
    assert (error.line, error.fields) == (3, ["email"])
    assert Identifier.objects.get().source == "legacy crm"


def test_the_documented_example_file_imports_cleanly_and_twice_changes_nothing(db):
    example = Path(__file__).parents[2] / "docs" / "examples" / "customers.csv"
    out, err, status = run(example)
    assert (out.strip(), err, status) == ("4 created, 0 updated, 0 unchanged, 0 rejected", "", 0)
    marie = Customer.objects.get(identifiers__value="A-1001")
    assert (marie.display_name, marie.salutation, marie.time_zone) == (
        "Marie Tremblay",
        "ms",
        "America/Toronto",
    )
    assert marie.facts.get(key="birth_date").source == "billing"
    jean = Customer.objects.get(identifiers__kind="handle")
    assert jean.identifiers.filter(kind="phone").count() == 2
    assert run(example)[0].strip() == "0 created, 0 updated, 4 unchanged, 0 rejected"


def test_a_row_found_by_id_alone_updates_that_customer(tmp_path, marie):
    path = write(tmp_path, f"id,preferred_name\n{marie.public_id},Mimi\n")
    assert run(path)[0].strip() == "0 created, 1 updated, 0 unchanged, 0 rejected"
    marie.refresh_from_db()
    assert marie.preferred_name == "Mimi"


def test_a_bad_id_is_refused_naming_the_column(tmp_path, db):
    _, err, status = run(write(tmp_path, "id,display_name\n12345,Ann\n"))
    assert status == 1
    assert err.startswith("line 2: id: is not a customer id (a UUID from an export)")
