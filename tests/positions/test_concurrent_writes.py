"""Concurrent writers on PostgreSQL: every accepted write recorded exactly once, no lost update."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from positions.models import Position, PositionChange
from positions.selectors import position_get
from positions.services import StaleVersion, position_record

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]

STANCES = ["support", "conditional", "abstain", "oppose", "undecided"]


def run_in_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def body(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_racing_first_writes_on_a_new_position_are_all_kept(delegate_fra, measure, state):
    fra = state("FRA")
    routes = ["alliance", "bilateral", "eu"]

    errors = run_in_threads(
        6,
        lambda i: position_record(
            actor=delegate_fra,
            measure=measure,
            state=fra,
            stances={routes[i % 3]: STANCES[i % 4]},
            note=f"writer {i}",
            source="api",
        ),
    )

    assert errors == []
    assert Position.objects.count() == 1
    versions = sorted(PositionChange.objects.values_list("version", flat=True))
    assert versions == list(range(1, 7))
    assert Position.objects.get().version == 6


def test_writers_with_if_match_never_lose_an_update(delegate_fra, measure, state):
    fra = state("FRA")
    accepted: list[tuple[int, str]] = []
    stale: list[int] = []
    lock = threading.Lock()

    def writer(index: int) -> None:
        for round_ in range(8):
            seen = position_get(measure=measure, state=fra).version
            stance = STANCES[(index + round_) % 4]
            try:
                result = position_record(
                    actor=delegate_fra,
                    measure=measure,
                    state=fra,
                    stances={"eu": stance},
                    note=f"{index}/{round_}",
                    expected_version=seen,
                    source="api",
                )
            except StaleVersion:
                with lock:
                    stale.append(index)
                continue
            if result.change is not None:
                with lock:
                    accepted.append((result.position.version, result.change.note))

    errors = run_in_threads(6, writer)

    assert errors == []
    changes = list(PositionChange.objects.order_by("version"))
    # Every accepted write has exactly one change row; versions have no gap or repeat.
    assert [c.version for c in changes] == list(range(1, len(changes) + 1))
    assert sorted(accepted) == [(c.version, c.note) for c in changes]
    # A stale write changed nothing: accepted writes alone account for every row.
    assert len(accepted) + len(stale) <= 6 * 8
    final = Position.objects.get()
    assert final.version == len(changes)
    assert (final.eu, final.note) == (changes[-1].eu_after, changes[-1].note)
