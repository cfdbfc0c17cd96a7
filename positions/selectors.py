"""Reads of states, measures, positions and history, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from accounts import permissions
from accounts.models import User
from consensus.rules import Route, Stance
from positions.models import Measure, MeasureStatusChange, Position, PositionChange, State


def position_default(*, measure: Measure, state: State) -> Position:
    """The position of a state that has not spoken yet: undecided on its routes, version 0."""
    undecided = {route.value: Stance.UNDECIDED.value for route in state.routes}
    return Position(measure=measure, state=state, version=0, **undecided)


def states_for_measure(*, measure: Measure) -> QuerySet[State]:
    """The states that can take a stance: every state, or a restricted measure's participants."""
    if measure.restricted:
        return measure.participants.order_by("code")
    return State.objects.order_by("code")


def position_get(*, measure: Measure, state: State) -> Position:
    """The state's position on the measure (the default if it has none yet)."""
    position = (
        Position.objects.filter(measure=measure, state=state).select_related("updated_by").first()
    )
    return position or position_default(measure=measure, state=state)


def positions_for_measure(*, measure: Measure) -> list[Position]:
    """One position per state that can take a stance, in code order. Two queries."""
    states = list(states_for_measure(measure=measure))
    existing = {
        p.state_id: p for p in Position.objects.filter(measure=measure).select_related("updated_by")
    }
    result = []
    for state in states:
        position = existing.get(state.code) or position_default(measure=measure, state=state)
        position.state = state
        result.append(position)
    return result


def measure_history(*, measure: Measure, state: State | None = None) -> QuerySet[PositionChange]:
    """A measure's change rows, newest first (optionally one state's)."""
    changes = PositionChange.objects.filter(measure=measure)
    if state is not None:
        changes = changes.filter(state=state)
    return changes.select_related("by").order_by("-at", "-id")


def measures_visible(*, user: User) -> QuerySet[Measure]:
    """The measures the user may see, in id order, with what lists show of them.

    One query for the measures and one for all their participants.
    """
    return (
        permissions.measures_visible_to(user)
        .select_related("sponsor", "lead")
        .prefetch_related("participants")
        .order_by("id")
    )


def measure_status_history(*, measure: Measure) -> list[MeasureStatusChange]:
    """The measure's status changes, newest first. One query."""
    return list(
        MeasureStatusChange.objects.filter(measure=measure)
        .select_related("by", "motion")
        .order_by("-at", "-id")
    )


def measure_visible_get(*, user: User, measure_id: int) -> Measure | None:
    """The measure if it exists and the user may see it, else ``None``.

    A measure the user may not see answers like one that does not exist.
    """
    return (
        permissions.measures_visible_to(user, Measure.objects.select_related("sponsor", "lead"))
        .filter(pk=measure_id)
        .first()
    )


@dataclass(frozen=True)
class DelegateMeasure:
    measure: Measure
    position: Position

    @property
    def undecided_routes(self) -> list[Route]:
        return [r for r, s in self.position.stances().items() if s == Stance.UNDECIDED]


def delegate_measures(*, user: User, state: State) -> list[DelegateMeasure]:
    """The measures a state's delegate can see and take a stance on, the undecided first.

    A measure counts as undecided for the state while any of its routes is. Two queries.
    """
    measures = list(
        permissions.measures_visible_to(user)
        .filter(Q(restricted=False) | Q(participants=state))
        .exclude(status__in=[Measure.Status.WITHDRAWN, Measure.Status.TRANSFERRED])
        .select_related("sponsor", "lead")
        .distinct()
        .annotate(
            open_first=Case(
                When(status=Measure.Status.DRAFT, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "id")
    )
    positions = {
        p.measure_id: p
        for p in Position.objects.filter(state=state, measure__in=[m.pk for m in measures])
    }
    rows = [
        DelegateMeasure(
            measure=m, position=positions.get(m.pk) or position_default(measure=m, state=state)
        )
        for m in measures
    ]
    # Stable sort: undecided first, keeping the open-before-draft, id order.
    rows.sort(key=lambda row: not row.undecided_routes)
    return rows
