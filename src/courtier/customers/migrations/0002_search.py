"""Search indexes: FTS5 tables kept by triggers on SQLite, trigram and full text on PostgreSQL.

Each statement runs only on its own backend (see ``_on``), so one migration history serves
both databases. Existing rows are indexed when the migration runs.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE_UP = [
    # Names: unicode61 folds case and strips accents, so "helene" matches "Hélène". Prefix
    # indexes up to 6 characters: without one, "fran*" or "marie m*" merges the doclists of
    # every term with that prefix (6-15 ms at a million names); with one, it reads one
    # doclist (under 0.1 ms). Longer prefixes name few enough terms to merge cheaply.
    "CREATE VIRTUAL TABLE customers_name_fts USING fts5("
    "name, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6')",
    # Identifiers: trigrams find a fragment anywhere in a phone, email or account number.
    "CREATE VIRTUAL TABLE customers_identifier_fts USING fts5("
    "value, customer_id UNINDEXED, tokenize = 'trigram')",
    "INSERT INTO customers_name_fts (rowid, name) SELECT id, "
    "display_name || ' ' || given_name || ' ' || family_name || ' ' || preferred_name "
    "FROM customers_customer",
    "INSERT INTO customers_identifier_fts (rowid, value, customer_id) "
    "SELECT id, replace(value, '+', ''), customer_id FROM customers_identifier",
    "CREATE TRIGGER customers_name_fts_ai AFTER INSERT ON customers_customer BEGIN "
    "INSERT INTO customers_name_fts (rowid, name) VALUES (new.id, new.display_name || ' ' || "
    "new.given_name || ' ' || new.family_name || ' ' || new.preferred_name); END",
    "CREATE TRIGGER customers_name_fts_au AFTER UPDATE OF display_name, given_name, "
    "family_name, preferred_name ON customers_customer BEGIN "
    "DELETE FROM customers_name_fts WHERE rowid = old.id; "
    "INSERT INTO customers_name_fts (rowid, name) VALUES (new.id, new.display_name || ' ' || "
    "new.given_name || ' ' || new.family_name || ' ' || new.preferred_name); END",
    "CREATE TRIGGER customers_name_fts_ad AFTER DELETE ON customers_customer BEGIN "
    "DELETE FROM customers_name_fts WHERE rowid = old.id; END",
    # Phones are stored as E.164; without the '+' a typed digit fragment matches anywhere.
    "CREATE TRIGGER customers_identifier_fts_ai AFTER INSERT ON customers_identifier BEGIN "
    "INSERT INTO customers_identifier_fts (rowid, value, customer_id) "
    "VALUES (new.id, replace(new.value, '+', ''), new.customer_id); END",
    "CREATE TRIGGER customers_identifier_fts_au AFTER UPDATE OF value, customer_id "
    "ON customers_identifier BEGIN "
    "DELETE FROM customers_identifier_fts WHERE rowid = old.id; "
    "INSERT INTO customers_identifier_fts (rowid, value, customer_id) "
    "VALUES (new.id, replace(new.value, '+', ''), new.customer_id); END",
    "CREATE TRIGGER customers_identifier_fts_ad AFTER DELETE ON customers_identifier BEGIN "
    "DELETE FROM customers_identifier_fts WHERE rowid = old.id; END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS customers_identifier_fts_ad",
    "DROP TRIGGER IF EXISTS customers_identifier_fts_au",
    "DROP TRIGGER IF EXISTS customers_identifier_fts_ai",
    "DROP TRIGGER IF EXISTS customers_name_fts_ad",
    "DROP TRIGGER IF EXISTS customers_name_fts_au",
    "DROP TRIGGER IF EXISTS customers_name_fts_ai",
    "DROP TABLE IF EXISTS customers_identifier_fts",
    "DROP TABLE IF EXISTS customers_name_fts",
]

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # unaccent() is only STABLE (its dictionary could change); an index needs IMMUTABLE, so
    # the wrapper names the dictionary explicitly and promises it will not.
    "CREATE OR REPLACE FUNCTION courtier_fold(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
    "AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$",
    "CREATE INDEX customers_name_tsv ON customers_customer USING gin ("
    "to_tsvector('simple'::regconfig, courtier_fold(display_name || ' ' || given_name || ' ' "
    "|| family_name || ' ' || preferred_name)))",
    "CREATE INDEX customers_identifier_trgm ON customers_identifier "
    "USING gin (value gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS customers_identifier_trgm",
    "DROP INDEX IF EXISTS customers_name_tsv",
    "DROP FUNCTION IF EXISTS courtier_fold(text)",
]


def _on(vendor: str, statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != vendor:
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        migrations.RunPython(_on("sqlite", SQLITE_UP), _on("sqlite", SQLITE_DOWN)),
        migrations.RunPython(_on("postgresql", POSTGRES_UP), _on("postgresql", POSTGRES_DOWN)),
    ]
