"""The database half of append-only history: triggers that refuse UPDATE and DELETE.

The model half is ``positions.models.AppendOnlyModel``. The triggers also stop
raw SQL, bulk operations and other programs sharing the database. TRUNCATE (a
table owner's deliberate act, and how test runs empty tables on PostgreSQL) is
not refused. On SQLite, a migration that rebuilds a table drops its triggers:
such a migration must create them again (the tests check they hold).
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

_POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _statements(table: str, vendor: str) -> tuple[list[str], list[str]]:
    """The statements that create and drop the table's triggers."""
    if vendor == "postgresql":
        return (
            [
                _POSTGRESQL_FUNCTION,
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION history_append_only();",
            ],
            [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"],
        )
    if vendor == "sqlite":
        return (
            [
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} BEGIN "
                f"SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END;"
                for op in ["UPDATE", "DELETE"]
            ],
            [f"DROP TRIGGER IF EXISTS {table}_no_{op};" for op in ["update", "delete"]],
        )
    raise RuntimeError(f"no append-only trigger for {vendor}; add one before using it")


def append_only_triggers(table: str) -> migrations.RunPython:
    """A migration operation that makes ``table`` refuse UPDATE and DELETE."""

    def forward(_apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in _statements(table, schema_editor.connection.vendor)[0]:
            schema_editor.execute(statement)

    def backward(_apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in _statements(table, schema_editor.connection.vendor)[1]:
            schema_editor.execute(statement)

    return migrations.RunPython(forward, backward)
