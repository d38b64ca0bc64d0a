"""Tables that grow with the customer base keep no index that another one already covers."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Each has an index or unique constraint starting with customer_id, so a lone index on
# customer_id would only cost a B-tree insert per row and its pages in the cache.
GROWING = (
    "customers.Identifier",
    "customers.Fact",
    "interactions.Interaction",
    "identity.BlockingKey",
    "messaging.Consent",
    "messaging.Message",
    "messaging.PreferenceChange",
    "promises.Agreement",
    "promises.Promise",
    "cases.Case",
    "journeys.CustomerTag",
)


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: info["columns"]
        for name, info in found.items()
        if (info["index"] or info["unique"]) and not info["primary_key"] and info["columns"]
    }


@pytest.mark.parametrize("label", GROWING)
def test_customer_lookups_use_one_index_and_no_lone_copy_of_it(db: None, label: str):
    table = apps.get_model(label)._meta.db_table
    indexes = _indexes(table)
    leading = [name for name, columns in indexes.items() if columns[0] == "customer_id"]
    assert any(len(indexes[name]) > 1 for name in leading), f"{table}: nothing covers customer"
    alone = [name for name in leading if indexes[name] == ["customer_id"]]
    # messaging.Message keeps a partial index of bounced messages, which is not a copy.
    assert [name for name in alone if name != "message_bounced"] == []


def test_the_search_triggers_survive_the_migration_that_drops_the_indexes(
    transactional_db: None,
):
    # Django's own AlterField rebuilds an SQLite table, which drops its triggers: the
    # migration drops the index alone (core.migration_ops.drop_covered_fk_index).
    executor = MigrationExecutor(connection)
    executor.migrate([("customers", "0003_search_tokens")])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = {row[0] for row in cursor.fetchall()}
    expected = (
        {"customers_identifier_fts_ai", "customers_name_fts_ai"}
        if connection.vendor == "sqlite"
        else {"customers_identifier_token_ai", "customers_name_token_ai"}
    )
    assert expected <= triggers
    assert (
        _indexes("customers_identifier")
        .keys()
        .isdisjoint({"customers_identifier_customer_id_b95edd20"})
    )
