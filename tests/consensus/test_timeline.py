"""support_timeline replays a measure's history: each point is what support_for answers then."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import pytest

from accounts.models import User
from consensus.rules import Route
from consensus.selectors import support_for
from consensus.timeline import TimelinePoint, support_timeline
from positions.models import Measure, State
from positions.services import position_record

START = datetime.fromisoformat("2024-07-09T09:00:00+00:00")


@pytest.fixture
def at_time(make_user: Callable[..., User], state: Callable[[str], State]) -> Callable[..., None]:
    """Record a state's stances through the one service, as if at the given instant."""
    delegates: dict[str, User] = {}

    def rec(when: datetime, measure: Measure, code: str, **stances: str) -> None:
        if code not in delegates:
            delegates[code] = make_user(f"d-{code}", "delegate", code)
        with mock.patch("django.utils.timezone.now", return_value=when):
            position_record(
                actor=delegates[code],
                measure=measure,
                state=state(code),
                stances=stances,
                source="api",
            )

    return rec


@pytest.fixture
def tabled(make_measure: Callable[..., Measure]) -> Measure:
    with mock.patch("django.utils.timezone.now", return_value=START):
        return make_measure(lead="USA")


def levels(point: TimelinePoint) -> dict[Route, tuple[str, float]]:
    return {route: (r.status, r.support_level) for route, r in point.routes.items()}


def answered(measure: Measure, as_of: datetime | None) -> dict[Route, tuple[str, float]]:
    evaluation = support_for(measure=measure, as_of=as_of)
    return {
        route: (str(evaluation.result(route).status), evaluation.result(route).support_level)
        for route in Route
    }


def test_a_measure_without_changes_is_undecided_from_its_creation(tabled: Measure) -> None:
    points = support_timeline(measure=tabled)

    assert [p.at for p in points] == [START]
    assert levels(points[0]) == answered(tabled, None)
    assert {r.support_level for r in points[0].routes.values()} == {0.0}
    assert points[0].routes[Route.ALLIANCE].status == "open"


def test_each_point_is_the_support_as_it_stood_at_that_instant(
    tabled: Measure, at_time: Callable[..., None]
) -> None:
    hour = timedelta(hours=1)
    at_time(START + hour, tabled, "USA", alliance="support", bilateral="support")
    at_time(START + 2 * hour, tabled, "DEU", alliance="support", bilateral="support", eu="support")
    at_time(START + 3 * hour, tabled, "HUN", alliance="oppose", eu="oppose")
    at_time(START + 4 * hour, tabled, "HUN", alliance="abstain")
    at_time(START + 5 * hour, tabled, "AUT", eu="support")

    points = support_timeline(measure=tabled)

    assert [p.at for p in points] == [START + n * hour for n in range(6)]
    for point in points:
        assert levels(point) == answered(tabled, point.at)
    assert levels(points[-1]) == answered(tabled, None)
    # Spot checks against the rules as written.
    assert points[1].routes[Route.ALLIANCE].support_level == pytest.approx(1 / 32)
    assert points[2].routes[Route.BILATERAL].status == "viable"
    assert points[3].routes[Route.ALLIANCE].status == "blocked"
    assert points[4].routes[Route.ALLIANCE].status == "open"
    assert points[5].routes[Route.EU].support_level == pytest.approx(2 / 27)


def test_changes_at_one_instant_make_one_point(
    tabled: Measure, at_time: Callable[..., None]
) -> None:
    instant = START + timedelta(days=1)
    at_time(instant, tabled, "FRA", alliance="support")
    at_time(instant, tabled, "DEU", alliance="support")
    at_time(instant, tabled, "FRA", alliance="oppose")

    points = support_timeline(measure=tabled)

    assert [p.at for p in points] == [START, instant]
    assert points[1].routes[Route.ALLIANCE].status == "blocked"
    assert points[1].routes[Route.ALLIANCE].support_level == pytest.approx(1 / 32)
    assert levels(points[1]) == answered(tabled, None)


def test_until_stops_the_replay_where_support_for_would(
    tabled: Measure, at_time: Callable[..., None]
) -> None:
    at_time(START + timedelta(hours=1), tabled, "FRA", alliance="support")
    at_time(START + timedelta(hours=3), tabled, "FRA", alliance="oppose")
    until = START + timedelta(hours=2)

    points = support_timeline(measure=tabled, until=until)

    assert len(points) == 2
    assert points[-1].routes[Route.ALLIANCE].status == "open"
    assert levels(points[-1]) == answered(tabled, until)
    assert support_timeline(measure=tabled, until=START - timedelta(seconds=1)) == []


def test_history_older_than_the_measure_starts_at_its_first_change(
    tabled: Measure, at_time: Callable[..., None]
) -> None:
    earlier = START - timedelta(days=30)
    at_time(earlier, tabled, "POL", alliance="support")

    points = support_timeline(measure=tabled)

    assert [p.at for p in points] == [earlier]
    assert points[0].routes[Route.ALLIANCE].support_level == pytest.approx(1 / 32)


def test_it_takes_two_queries_however_long_the_history(
    tabled: Measure, at_time: Callable[..., None], django_assert_num_queries: Any
) -> None:
    for n, code in enumerate(["FRA", "DEU", "ITA", "ESP", "POL", "NLD", "BEL", "AUT"], start=1):
        at_time(START + timedelta(minutes=n), tabled, code, eu="support")

    with django_assert_num_queries(2):
        points = support_timeline(measure=tabled)

    assert len(points) == 9
    assert points[-1].routes[Route.EU].support_level == pytest.approx(8 / 27)
