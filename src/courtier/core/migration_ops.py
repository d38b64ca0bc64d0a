"""Migration operations Django's autodetector does not write the way a large base needs."""

from __future__ import annotations

from django.db import migrations


def drop_covered_fk_index(
    alter: migrations.AlterField, table: str, index: str
) -> migrations.SeparateDatabaseAndState:
    """Record ``alter`` (a foreign key set to ``db_index=False``) and drop only its index.

    Done plainly, Django rebuilds the whole table on SQLite, which drops its triggers (the
    search index's among them) and copies every row, and on PostgreSQL it drops and
    re-validates the foreign key over every row. The index is covered by another one that
    starts with the same column, so dropping it is all the change needs; the reverse
    builds it again.
    """
    column = f"{alter.name}_id"
    return migrations.SeparateDatabaseAndState(
        state_operations=[alter],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{index}"',
                f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
            )
        ],
    )
