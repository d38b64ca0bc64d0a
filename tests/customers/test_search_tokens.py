"""PostgreSQL's search token tables follow every write, as the FTS5 triggers do on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection

from courtier.core.actor import Actor
from courtier.customers.models import Customer, Identifier
from courtier.customers.services import search
from courtier.customers.services.records import (
    NewIdentifier,
    add_identifier,
    create_customer,
    delete_customer,
    remove_identifier,
    update_customer,
)
from courtier.customers.services.search import parse, postgres_id_query, search_customers


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the token tables exist on PostgreSQL only (SQLite keeps FTS5)")


def names(query: str) -> list[str]:
    return [hit["display_name"] for hit in search_customers(query)]


def name_tokens(customer: Customer) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT token, words FROM customers_name_token WHERE customer_id = %s", [customer.pk]
        )
        return dict(cursor.fetchall())


def identifier_tokens(identifier_id: int) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT token FROM customers_identifier_token WHERE identifier_id = %s",
            [identifier_id],
        )
        return {row[0] for row in cursor.fetchall()}


def test_a_customer_is_one_row_per_folded_word(db: None, system: Actor):
    helene = create_customer(
        system, {"given_name": "Hélène", "family_name": "Bélanger-Côté", "preferred_name": "Lény"}
    )
    words = " belanger cote helene leny "
    assert name_tokens(helene) == dict.fromkeys(("belanger", "cote", "helene", "leny"), words)


def test_a_rename_replaces_the_tokens_and_leaves_none_behind(marie: Customer, system: Actor):
    update_customer(system, marie, {"display_name": "Marie Gagnon", "family_name": "Gagnon"})
    assert name_tokens(marie) == dict.fromkeys(("gagnon", "marie"), " gagnon marie ")
    update_customer(system, marie, {"time_zone": "America/Montreal"})  # not a name
    assert set(name_tokens(marie)) == {"gagnon", "marie"}
    delete_customer(system, marie)
    assert name_tokens(marie) == {}


def test_identifiers_are_indexed_by_every_suffix(marie: Customer, system: Actor):
    phone = Identifier.objects.get(customer=marie, kind="phone")
    # +15145550199 without the "+": every suffix of three digits or more.
    assert identifier_tokens(phone.pk) == {"15145550199"[i:] for i in range(9)}
    handle, _ = add_identifier(system, marie, NewIdentifier("handle", "@mariegag"))
    assert "gag" in identifier_tokens(handle.pk)
    remove_identifier(system, handle)
    assert identifier_tokens(handle.pk) == set()


def test_a_changed_identifier_value_rewrites_its_tokens(marie: Customer):
    email = Identifier.objects.get(customer=marie, kind="email")
    Identifier.objects.filter(pk=email.pk).update(value="marie@nouveau.example")
    tokens = identifier_tokens(email.pk)
    assert "nouveau.example" in tokens
    assert not any("tremblay" in t for t in tokens)
    assert names("nouveau.ex") == ["Marie Tremblay"]


def test_a_one_letter_word_narrows_on_postgresql_too(marie: Customer, system: Actor):
    # The GIN search dropped a one-letter word beside a longer one; the B-tree keeps it.
    create_customer(system, {"given_name": "Jean", "family_name": "Tremblay"})
    assert names("tremblay m") == ["Marie Tremblay"]
    assert names("j tremblay") == ["Jean Tremblay"]


def test_a_rare_word_beside_a_common_one_is_found(
    db: None, system: Actor, monkeypatch: pytest.MonkeyPatch
):
    for n in range(30):
        create_customer(system, {"given_name": "Marie", "family_name": f"Roy{n:02d}"})
    create_customer(system, {"given_name": "Marie", "family_name": "Zyx"})
    # As if there were millions of Maries: the scan of "marie" would stop before Zyx, so
    # the rarer word must be the one that drives.
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    monkeypatch.setattr(search, "SCAN_CAP", 10)
    assert names("marie zy") == ["Marie Zyx"]
    assert names("zyx mar") == ["Marie Zyx"]
    assert len(names("marie roy")) == 10


def test_typed_text_reaches_the_query_only_as_a_literal_prefix(marie: Customer, system: Actor):
    create_customer(system, {"display_name": "Ma_rie 100%"})
    sql, _ = postgres_id_query(parse("ma_ 100%"))
    assert "ma_" not in sql
    assert "100" not in sql
    assert names("ma_ 100%") == ["Ma_rie 100%"]
    assert names("m_rie") == []
