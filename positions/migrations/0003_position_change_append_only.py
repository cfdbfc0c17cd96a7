"""Refuse UPDATE and DELETE on the position history in the database itself.

The model layer refuses them too; the trigger also stops raw SQL, bulk
operations and other programs sharing the database. TRUNCATE (a table
owner's deliberate act, and how test runs empty tables on PostgreSQL) is
not refused. On SQLite, a later migration that rebuilds the table drops its
triggers: such a migration must create them again (a test checks they hold).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "positions_positionchange"

POSTGRESQL_FORWARD = f"""
CREATE OR REPLACE FUNCTION position_change_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'position changes are append-only: ' || TG_OP || ' refused',
        ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER position_change_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION position_change_append_only();
"""
POSTGRESQL_BACKWARD = f"""
DROP TRIGGER IF EXISTS position_change_append_only ON {TABLE};
DROP FUNCTION IF EXISTS position_change_append_only();
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER position_change_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'position changes are append-only: UPDATE refused'); END;""",
    f"""CREATE TRIGGER position_change_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'position changes are append-only: DELETE refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS position_change_no_update;",
    "DROP TRIGGER IF EXISTS position_change_no_delete;",
]


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"no append-only trigger for {vendor}; add one before using it")


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    statements = [POSTGRESQL_BACKWARD] if vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("positions", "0002_load_states")]

    operations = [migrations.RunPython(forward, backward)]
