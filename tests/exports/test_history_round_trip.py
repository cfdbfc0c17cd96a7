"""export_history and import_history: a whole history out, into an empty database, and back."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, models

from accounts.models import User
from accounts.services import account_create
from consensus import selectors
from consensus.api import FeedChangeOutput
from consensus.rules import Route
from positions.append_only import _statements
from positions.models import Measure, MeasureStatusChange, Position, PositionChange, State
from positions.services import (
    measure_status_set,
    measure_update,
    position_record,
    transfer_motion_table,
)
from tests.conftest import PASSWORD

HISTORY_TABLES = [PositionChange._meta.db_table, MeasureStatusChange._meta.db_table]


def database_empty() -> None:
    """Remove every measure, position, history row and account, and all that refers to them,
    as a new database would be (the states stay: a migration loads them)."""
    doomed: set[type[models.Model]] = {Measure, Position, PositionChange, MeasureStatusChange, User}
    grown = True
    while grown:  # every table that refers to a doomed one goes too
        grown = False
        for model in apps.get_models(include_auto_created=True):
            if model in doomed:
                continue
            if any(
                f.is_relation and f.concrete and f.related_model in doomed
                for f in model._meta.get_fields()
            ):
                doomed.add(model)
                grown = True
    tables = [m._meta.db_table for m in doomed]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE is how an owner empties a table: the append-only triggers allow it.
            # The test's transaction holds deferred foreign-key checks: run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return
        for table in HISTORY_TABLES:
            for statement in _statements(table, "sqlite")[1]:
                cursor.execute(statement)
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # our own table names
        for table in HISTORY_TABLES:
            for statement in _statements(table, "sqlite")[0]:
                cursor.execute(statement)


def instants() -> list[datetime | None]:
    """Every instant at which the history changed, and the instant just before each."""
    at = set(PositionChange.objects.values_list("at", flat=True)) | set(
        MeasureStatusChange.objects.values_list("at", flat=True)
    )
    return [*sorted(at | {t - timedelta(microseconds=1) for t in at}), None]


def answers(user: User) -> dict[Any, Any]:
    """Every support and matrix answer at every instant, and the change feed, for the user."""
    measures = list(Measure.objects.order_by("id"))
    result: dict[Any, Any] = {}
    for t in instants():
        for measure in measures:
            result[(t, measure.pk)] = selectors.support_for(measure=measure, as_of=t).as_dict()
        for route in Route:
            found = selectors.matrix(user=user, route=route, as_of=t)
            result[(t, route.value)] = (
                found.states,
                [(c.measure.pk, c.route_status, c.support_level) for c in found.columns],
                found.cells,
            )
    feed = FeedChangeOutput(selectors.changes_after(user=user, after=0, limit=10_000), many=True)
    result["feed"] = json.loads(json.dumps(feed.data, default=str))
    result["statuses"] = list(
        MeasureStatusChange.objects.order_by("id").values(
            "id", "measure", "at", "by__username", "before", "after", "reason", "motion"
        )
    )
    # Accounts get new ids in the new database: compare who by name.
    result["measures"] = [
        {k: v for k, v in m.items() if k != "created_by_id"}
        for m in Measure.objects.order_by("id").values(
            *(f.attname for f in Measure._meta.concrete_fields), "created_by__username"
        )
    ]
    result["positions"] = [
        {k: v for k, v in p.items() if k != "updated_by_id"}
        for p in Position.objects.order_by("id").values(
            *(f.attname for f in Position._meta.concrete_fields), "updated_by__username"
        )
    ]
    result["participants"] = sorted(
        Measure.participants.through.objects.values_list("measure_id", "state_id")
    )
    result["states"] = list(State.objects.order_by("code").values(*STATE_FACTS))
    return result


STATE_FACTS = ("code", "name", "nato_member", "eu_member", "eu_population", "nato_joined")


@pytest.fixture
def varied_history(history, coordinator, delegate_fra, delegate_usa, say, state):
    """The shared history, plus a transfer motion, status changes, a corrected population
    figure, a lead changed and a note with every kind of character."""
    ports = history["ports"]
    motion = transfer_motion_table(
        actor=delegate_fra, parent=ports, target_route="eu", rationale="The Council should act."
    )
    say(delegate_fra, motion, "FRA", alliance="support")
    say(delegate_usa, motion, "USA", alliance="oppose")
    measure_status_set(
        actor=coordinator, measure=history["screening"], status="blocked", reason="France opposes."
    )
    measure_status_set(actor=None, measure=history["screening"], status="open", reason="Again.")
    measure_update(actor=coordinator, measure=ports, lead=state("GBR"))
    State.objects.filter(code="DEU").update(eu_population=84_607_016)
    position_record(
        actor=delegate_usa,
        measure=ports,
        state=state("USA"),
        stances={"alliance": "oppose"},
        reservations="Only with <b>reciprocity</b> — \"quoted\"\nand a newline, 'ü' 日本",
        note="'; DROP TABLE positions_measure; --",
        source="web",
    )
    return {**history, "motion": motion}


def round_trip(tmp_path: Path) -> Path:
    archive = tmp_path / "history.jsonl"
    call_command("export_history", str(archive))
    database_empty()
    # A fresh database has the migration's figures, not the corrected ones.
    State.objects.filter(code="DEU").update(eu_population=83_118_501)
    return archive


def test_an_export_and_an_import_into_an_empty_database_give_every_answer_back(
    varied_history, coordinator, tmp_path
):
    before = answers(coordinator)
    archive = round_trip(tmp_path)
    assert not Measure.objects.exists()
    assert not User.objects.exists()

    call_command("import_history", str(archive))

    # The people named in the history come back, unable to log in until an operator says so.
    assert not User.objects.filter(is_active=True).exists()
    assert set(User.objects.values_list("username", "role", "state")) >= {
        ("coordinator", "coordinator", None),
        ("delegate-fra", "delegate", "FRA"),
        ("delegate-deu", "delegate", "DEU"),
        ("delegate-usa", "delegate", "USA"),
    }
    User.objects.filter(username="coordinator").update(is_active=True)
    after = answers(User.objects.get(username="coordinator"))
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] == before[key], key


def test_a_restricted_measure_stays_restricted_after_an_import(varied_history, tmp_path):
    quantum = varied_history["quantum"]
    call_command("import_history", str(round_trip(tmp_path)))

    restored = Measure.objects.get(pk=quantum.pk)
    outsider = account_create(
        username="fra-2", password=PASSWORD, role="delegate", state_code="FRA"
    )
    insider = account_create(username="nld-2", password=PASSWORD, role="delegate", state_code="NLD")
    assert not selectors.permissions.can_view_measure(outsider, restored)
    assert selectors.permissions.can_view_measure(insider, restored)


def test_the_service_goes_on_after_an_import(varied_history, tmp_path, say, state):
    last = PositionChange.objects.order_by("id").last()
    call_command("import_history", str(round_trip(tmp_path)))
    fra = account_create(username="fra-2", password=PASSWORD, role="delegate", state_code="FRA")

    change = say(fra, Measure.objects.get(pk=varied_history["ports"].pk), "FRA", alliance="support")

    assert change.pk > last.pk  # the ids go on from the imported ones
    assert (
        change.version == Position.objects.get(measure=varied_history["ports"], state="FRA").version
    )


def test_the_file_is_json_lines_in_the_documented_order(varied_history, tmp_path):
    archive = tmp_path / "history.jsonl"
    call_command("export_history", str(archive))

    records = [json.loads(line) for line in archive.read_text().splitlines()]
    kinds = [r["type"] for r in records]
    assert kinds[0] == "header"
    assert kinds[-1] == "end"
    order = ["header", "state", "user", "measure", "position", "position_change", "status_change"]
    assert [k for i, k in enumerate(kinds[:-1]) if i == 0 or kinds[i - 1] != k] == order
    assert records[-1]["counts"] == {
        "state": 36,
        "user": 4,
        "measure": 4,
        "position": Position.objects.count(),
        "position_change": PositionChange.objects.count(),
        "status_change": MeasureStatusChange.objects.count(),
    }
    first_change = next(r for r in records if r["type"] == "position_change")
    assert first_change["id"] == PositionChange.objects.order_by("id").first().pk


def test_an_import_into_a_database_that_holds_history_is_refused(varied_history, tmp_path):
    archive = tmp_path / "history.jsonl"
    call_command("export_history", str(archive))
    before = PositionChange.objects.count(), Measure.objects.count(), User.objects.count()

    with pytest.raises(CommandError, match="empty"):
        call_command("import_history", str(archive))

    assert (PositionChange.objects.count(), Measure.objects.count(), User.objects.count()) == before


def _bad(lines: list[str], number: int, replacement: str | None) -> list[str]:
    lines = list(lines)
    if replacement is None:
        del lines[number]
    else:
        lines[number] = replacement
    return lines


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda lines: lines[:-1], "ends before its end record"),
        (lambda lines: lines[:-3] + lines[-2:], "the end record counts"),
        (lambda lines: [*lines[:-2], "{not json", *lines[-1:]], "not JSON"),
        (lambda lines: [*lines[:-2], '{"type": "vote"}', *lines[-1:]], "unknown record type"),
        (
            lambda lines: [lines[-2], *lines[:-2], lines[-1]],  # a status change first
            "out of order",
        ),
        (
            lambda lines: [
                *lines[:-2],
                lines[-2].replace('"after": "', '"after": "x'),
                *lines[-1:],
            ],
            "after",
        ),
        (
            lambda lines: [*lines[:-2], lines[-2].replace('"reason"', '"why"'), *lines[-1:]],
            "unknown fields",
        ),
        (
            lambda lines: [
                line.replace('"eu_member": true', '"eu_member": "yes"') for line in lines
            ],
            "eu_member",
        ),
    ],
)
def test_a_damaged_file_imports_nothing_and_names_the_line(
    varied_history, tmp_path, damage, message
):
    archive = round_trip(tmp_path)
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("\n".join(damage(archive.read_text().splitlines())) + "\n")

    with pytest.raises(CommandError, match=message) as refusal:
        call_command("import_history", str(damaged))

    assert "line " in str(refusal.value)
    assert "Nothing was imported" in str(refusal.value)
    assert not Measure.objects.exists()
    assert not PositionChange.objects.exists()
    assert not MeasureStatusChange.objects.exists()
    assert not User.objects.exists()
    assert State.objects.get(code="DEU").eu_population == 83_118_501


def test_a_change_naming_an_unknown_measure_is_refused(varied_history, tmp_path):
    archive = round_trip(tmp_path)
    lines = archive.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if '"type": "position_change"' in line)
    record = json.loads(lines[index])
    record["measure"] = 999_999
    lines[index] = json.dumps(record)
    archive.write_text("\n".join(lines) + "\n")

    with pytest.raises(CommandError, match=f"line {index + 1}: measure"):
        call_command("import_history", str(archive))

    assert not PositionChange.objects.exists()


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_history", str(tmp_path / "nowhere.jsonl"))
