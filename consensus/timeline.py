"""Each route's support for a measure over time, replayed from its change history.

The history is read once, oldest first, and replayed in Python: after every
instant at which a stance changed, the route rules are applied to the stances
then in force. Two queries, however long the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consensus import rules
from consensus.rules import Route, Stance
from consensus.selectors import state_facts
from positions.models import Measure, PositionChange

_ROUTE_COLUMNS = tuple(f"{route.value}_after" for route in Route)


@dataclass(frozen=True)
class RoutePoint:
    """One route's result at one instant."""

    status: str  # the rules' word: agreed, viable, reached, open, blocked, not_viable
    support_level: float


@dataclass(frozen=True)
class TimelinePoint:
    """Each route's result from ``at`` until the next point."""

    at: datetime
    routes: dict[Route, RoutePoint]
    recommended: Route | None


def _point(at: datetime, evaluation: rules.Evaluation) -> TimelinePoint:
    return TimelinePoint(
        at=at,
        routes={
            route: RoutePoint(
                status=str(evaluation.result(route).status),
                support_level=float(evaluation.result(route).support_level),
            )
            for route in Route
        },
        recommended=evaluation.recommended,
    )


def support_timeline(*, measure: Measure, until: datetime | None = None) -> list[TimelinePoint]:
    """Each route's status and support level after every instant the measure's stances changed.

    The first point is the measure's start, every state undecided (at its
    creation, or at its first change if that is earlier, as for imported
    history); then one point per distinct instant of change, up to ``until``
    (all of them without it). The last point is what ``support_for`` answers
    at ``until`` (now, without it). Like ``support_for``, it uses the
    measure's current lead and EU rule and the states' current facts. Two
    queries.
    """
    facts = state_facts()
    changes = PositionChange.objects.filter(measure=measure)
    if until is not None:
        changes = changes.filter(at__lte=until)
    rows = list(changes.order_by("at", "id").values_list("at", "state_id", *_ROUTE_COLUMNS))

    def evaluate(stances: dict[str, dict[Route, Stance]]) -> rules.Evaluation:
        return rules.evaluate(
            states=facts, stances=stances, lead=measure.lead_id, eu_rule=measure.eu_rule
        )

    stances: dict[str, dict[Route, Stance]] = {}
    start = measure.created_at
    if rows and rows[0][0] < start:
        start = rows[0][0]
    if until is not None and until < start:
        return []
    points = [_point(start, evaluate(stances))]
    for index, (at, code, *after) in enumerate(rows):
        stances[code] = {
            route: Stance(value)
            for route, value in zip(Route, after, strict=True)
            if value is not None
        }
        # Changes sharing an instant count as one step: evaluate after the last of them.
        if index + 1 < len(rows) and rows[index + 1][0] == at:
            continue
        point = _point(at, evaluate(stances))
        if points[-1].at == at:  # a change at the very instant of creation
            points[-1] = point
        else:
            points.append(point)
    return points
