"""Migrations keep writers moving on a database holding a large history.

The rules (docs/reliability.md, "Migrating a large history"), checked on every
migration of the project, for the tables that grow without end (the append-only
history tables) and the table every position write locks (positions):

- an index is added with ``AddIndexConcurrently`` in a migration marked
  ``atomic = False``, never with ``AddIndex`` (which locks out writes while it builds);
- no constraint is added in one step (it scans the table under a lock that
  blocks writes): use ``NOT VALID`` then ``VALIDATE CONSTRAINT`` in ``RunSQL``;
- a new column is nullable (then filled in batches), never altered in place (a
  type change rewrites the table), never dropped (the history is kept forever).

What a migration does to a table it creates itself is free: the table is empty.
"""

from __future__ import annotations

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation

from positions.models import AppendOnlyModel, Position


def guarded_models() -> set[tuple[str, str]]:
    """(app label, model name) of the tables that grow without end, and of positions."""
    from django.apps import apps

    found = {
        (m._meta.app_label, m._meta.model_name or "")
        for m in apps.get_models()
        if issubclass(m, AppendOnlyModel)
    }
    return found | {(Position._meta.app_label, "position")}


def _target(operation: Operation) -> str | None:
    name = getattr(operation, "model_name", None) or getattr(operation, "name", None)
    return name.lower() if isinstance(name, str) else None


def migration_problems(migration: migrations.Migration, guarded: set[tuple[str, str]]) -> list[str]:
    """What in this migration would hold writers of a guarded table back."""
    app = migration.app_label
    created = {
        op.name.lower() for op in migration.operations if isinstance(op, migrations.CreateModel)
    }
    problems: list[str] = []
    for op in migration.operations:
        model = _target(op)
        if model is None or (app, model) not in guarded or model in created:
            continue
        where = f"{app}.{migration.name}: {type(op).__name__} on {model}"
        if isinstance(op, AddIndexConcurrently):
            if migration.atomic:
                problems.append(f"{where} needs `atomic = False` on the migration")
        elif isinstance(op, migrations.AddIndex):
            problems.append(f"{where}: use AddIndexConcurrently in a non-atomic migration")
        elif isinstance(op, migrations.AddConstraint):
            problems.append(f"{where}: add it NOT VALID, then VALIDATE it, in RunSQL")
        elif isinstance(op, migrations.AlterField | migrations.RemoveField):
            problems.append(f"{where}: never rewrite or drop a column of a large history")
        elif isinstance(op, migrations.AddField) and not op.field.null:
            problems.append(f"{where}: add the column nullable, then fill it in batches")
    return problems


def test_the_project_migrations_keep_writers_moving() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    guarded = guarded_models()
    assert ("positions", "positionchange") in guarded
    assert ("consensus", "declarationversion") in guarded
    problems = [
        problem
        for (app, _name), migration in sorted(loader.disk_migrations.items())
        if not app.startswith(("auth", "contenttypes", "admin", "sessions", "guardian", "axes"))
        for problem in migration_problems(migration, guarded)
    ]
    assert problems == []


def _migration(*operations: Operation, atomic: bool = True) -> migrations.Migration:
    example: type[migrations.Migration] = type(
        "Migration", (migrations.Migration,), {"operations": list(operations), "atomic": atomic}
    )
    return example("0099_example", "positions")


INDEX = models.Index(fields=["source"], name="position_change_source")


def test_the_rules_refuse_what_would_lock_writers_out() -> None:
    guarded = guarded_models()
    bad = [
        _migration(migrations.AddIndex("positionchange", INDEX)),
        _migration(AddIndexConcurrently("positionchange", INDEX)),  # inside a transaction
        _migration(
            migrations.AddConstraint(
                "positionchange",
                models.CheckConstraint(condition=models.Q(version__gte=1), name="v"),
            )
        ),
        _migration(
            migrations.AddField("positionchange", "origin", models.CharField(max_length=10))
        ),
        _migration(migrations.AlterField("position", "note", models.CharField(max_length=100))),
        _migration(migrations.RemoveField("positionchange", "note")),
    ]
    for migration in bad:
        assert len(migration_problems(migration, guarded)) == 1, migration.operations


def test_the_rules_accept_the_safe_ways() -> None:
    guarded = guarded_models()
    good = [
        _migration(AddIndexConcurrently("positionchange", INDEX), atomic=False),
        _migration(
            migrations.AddField(
                "positionchange", "origin", models.CharField(max_length=10, null=True)
            )
        ),
        _migration(migrations.AddIndex("measure", models.Index(fields=["title"], name="t"))),
        _migration(
            migrations.CreateModel(
                "positionchange", [("id", models.BigAutoField(primary_key=True))]
            ),
            migrations.AddIndex("positionchange", INDEX),
        ),
    ]
    for migration in good:
        assert migration_problems(migration, guarded) == [], migration.operations
