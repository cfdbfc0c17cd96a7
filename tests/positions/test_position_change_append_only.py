"""The history is append-only: the model layer and the database both refuse changes."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from positions.models import AppendOnlyError, PositionChange
from positions.services import position_record


@pytest.fixture
def change(delegate_fra, measure, state):
    result = position_record(
        actor=delegate_fra,
        measure=measure,
        state=state("FRA"),
        stances={"alliance": "support"},
        source="web",
    )
    return result.change


def test_saving_an_existing_row_is_refused(change):
    change.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        change.save()
    assert PositionChange.objects.get().note == ""


def test_deleting_a_row_is_refused(change):
    with pytest.raises(AppendOnlyError):
        change.delete()
    assert PositionChange.objects.count() == 1


def test_queryset_update_and_delete_are_refused(change):
    with pytest.raises(AppendOnlyError):
        PositionChange.objects.filter(pk=change.pk).update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        PositionChange.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        PositionChange.objects.bulk_update([change], ["note"])
    assert PositionChange.objects.get().note == ""


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE positions_positionchange SET note = 'rewritten'",
        "UPDATE positions_positionchange SET alliance_after = 'oppose'",
        "DELETE FROM positions_positionchange",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(change, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    row = PositionChange.objects.get()
    assert (row.note, row.alliance_after) == ("", "support")


def test_inserting_new_rows_is_allowed(change, delegate_fra, measure, state):
    position_record(
        actor=delegate_fra,
        measure=measure,
        state=state("FRA"),
        stances={"alliance": "oppose"},
        source="web",
    )
    assert PositionChange.objects.count() == 2
