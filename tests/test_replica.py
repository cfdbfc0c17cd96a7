"""The read replica: the matrix and the history are read there; writes, and reads inside
a write, never are.

The replica here is a second connection to the test database (Django's TEST
MIRROR), so it sees what the primary committed; the tests are transactional
for that reason. Each connection's queries are captured on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from consensus.db_routers import REPLICA, ReplicaRouter, read_alias, replica_reads
from positions.models import Measure, MeasureStatusChange, Position, PositionChange, State
from positions.services import position_record

# A replica alias for this test session, as DATABASE_REPLICA_URL would make it
# (consensus/settings.py), mirroring the primary's test database.
if REPLICA not in connections.settings:
    _primary = connections.settings[DEFAULT_DB_ALIAS]
    connections.settings[REPLICA] = {**_primary, "TEST": {**_primary["TEST"], "MIRROR": "default"}}

# Transactional tests empty the history tables between tests, which only
# PostgreSQL's TRUNCATE may do (SQLite's DELETE meets the append-only trigger);
# a replica is a PostgreSQL deployment anyway.
pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA]),
]


@pytest.fixture(autouse=True)
def _routed(settings: Any) -> None:
    settings.DATABASE_ROUTERS = ["consensus.db_routers.ReplicaRouter"]


def _sql(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in context.captured_queries]


def _touching(context: CaptureQueriesContext, table: str) -> list[str]:
    return [sql for sql in _sql(context) if f'"{table}"' in sql or f" {table} " in sql]


@pytest.fixture
def spoken(delegate_fra: User, measure: Measure) -> PositionChange:
    fra = State.objects.get(code="FRA")
    recorded = position_record(
        actor=delegate_fra, measure=measure, state=fra, stances={"alliance": "oppose"}, source="api"
    )
    assert recorded.change is not None
    return recorded.change


def test_the_as_of_matrix_is_read_on_the_replica(
    api: Callable[..., Any], reader: User, measure: Measure, spoken: PositionChange
) -> None:
    client = api(reader)
    later = (timezone.now() + timedelta(seconds=1)).isoformat()
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get("/api/v1/matrix/", {"as_of": later})
    assert response.status_code == 200
    assert response.json()["cells"]["FRA"][str(measure.pk)] == "oppose"
    assert _touching(replica, "positions_positionchange"), _sql(replica)
    assert _touching(replica, "positions_measure")
    assert not _touching(primary, "positions_positionchange"), _sql(primary)
    assert not _touching(primary, "positions_measure"), _sql(primary)


def test_the_matrix_now_reads_the_positions_on_the_replica(
    api: Callable[..., Any], reader: User, measure: Measure, spoken: PositionChange
) -> None:
    client = api(reader)
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get("/api/v1/matrix/")
    assert response.status_code == 200
    assert response.json()["cells"]["FRA"][str(measure.pk)] == "oppose"
    assert _touching(replica, "positions_position")
    assert not _touching(primary, "positions_position"), _sql(primary)


def test_the_history_is_read_on_the_replica(
    api: Callable[..., Any], reader: User, measure: Measure, spoken: PositionChange
) -> None:
    client = api(reader)
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(f"/api/v1/measures/{measure.pk}/history/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [spoken.pk]
    assert _touching(replica, "positions_positionchange")
    assert not _touching(primary, "positions_positionchange"), _sql(primary)


def test_a_position_write_runs_only_on_the_primary(
    api: Callable[..., Any], delegate_fra: User, measure: Measure, spoken: PositionChange
) -> None:
    client = api(delegate_fra)
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.put(
            f"/api/v1/measures/{measure.pk}/positions/FRA/",
            {"stances": {"alliance": "support"}},
            format="json",
            headers={"If-Match": f'"{spoken.version}"'},
        )
    assert response.status_code == 200, response.content
    assert _sql(replica) == []
    # The version check's row lock and the change row are the primary's.
    assert any("FOR UPDATE" in sql for sql in _touching(primary, "positions_position"))
    assert any(sql.startswith("INSERT") for sql in _touching(primary, "positions_positionchange"))
    assert Position.objects.using(DEFAULT_DB_ALIAS).get(measure=measure, state="FRA").version == 2


def test_reads_inside_a_transaction_stay_on_the_primary(measure: Measure) -> None:
    assert read_alias(PositionChange) == REPLICA
    assert read_alias(MeasureStatusChange) == REPLICA
    assert read_alias(Position) == DEFAULT_DB_ALIAS
    with replica_reads():
        assert read_alias(Position) == REPLICA
        with transaction.atomic():
            assert read_alias(Position) == DEFAULT_DB_ALIAS
            assert read_alias(PositionChange) == DEFAULT_DB_ALIAS
    with transaction.atomic(), CaptureQueriesContext(connections[REPLICA]) as replica:
        list(PositionChange.objects.filter(measure=measure))
    assert _sql(replica) == []


def test_writes_and_migrations_belong_to_the_primary() -> None:
    router = ReplicaRouter()
    assert router.db_for_write(PositionChange) == DEFAULT_DB_ALIAS
    assert router.db_for_write(Position) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA, "positions") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "positions") is True
