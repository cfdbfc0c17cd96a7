"""The web pages: parse, call one service or selector, render."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_stubs_ext import StrPromise

from accounts import permissions
from accounts.models import User
from consensus import rules
from consensus.errors import InvalidInput
from consensus.rules import Route
from consensus.selectors import support_for, support_for_measures
from positions import selectors, services
from positions.forms import ROUTE_NAMES, PositionForm, stance_label
from positions.models import Measure, Position, PositionChange, State

STALE_MESSAGE = gettext_lazy(
    "Someone changed this position since you opened the form, so your values were not "
    "recorded: the current values are shown; review and submit again."
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # every page but the login page requires a user
    return user


def _visible_measure_or_404(user: User, measure_id: int) -> Measure:
    measure = selectors.measure_visible_get(user=user, measure_id=measure_id)
    if measure is None:  # unknown, or restricted and not for this user: the same answer
        raise Http404
    return measure


@dataclass(frozen=True)
class RouteStance:
    route: StrPromise
    stance: StrPromise | str


def _route_stances(position: Position, routes: tuple[Route, ...]) -> list[RouteStance]:
    return [
        RouteStance(route=ROUTE_NAMES[route], stance=stance_label(getattr(position, route.value)))
        for route in routes
    ]


# Home ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureRow:
    measure: Measure
    recordable_states: list[State]  # the states whose positions the user records here


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The measures the user can see; a delegate goes straight to their state's page."""
    user = _user(request)
    if user.is_delegate:
        return redirect("my-state")
    measures = selectors.measures_visible(user=user)
    # Coordinators record the EU states outside NATO; readers record none.
    recordable = [
        s for s in State.objects.order_by("code") if permissions.can_record_position(user, s)
    ]
    rows = []
    for measure in measures:
        eligible = recordable
        if measure.restricted:
            participants = {p.code for p in measure.participants.all()}
            eligible = [s for s in recordable if s.code in participants]
        rows.append(MeasureRow(measure=measure, recordable_states=eligible))
    return render(request, "positions/home.html", {"rows": rows})


# Route statuses, from the rules module ----------------------------------------------

ROUTE_STATUS_LABELS: dict[str, StrPromise] = {
    "agreed": gettext_lazy("Agreed"),
    "viable": gettext_lazy("Viable"),
    "reached": gettext_lazy("Reached"),
    "open": gettext_lazy("Open"),
    "blocked": gettext_lazy("Blocked"),
    "not_viable": gettext_lazy("Not viable"),
}


@dataclass(frozen=True)
class RouteSummary:
    route: Route
    name: StrPromise
    status: str  # the rules' word, for styling
    label: StrPromise
    support_level: float
    blockers: list[str]
    undecided: list[str]
    needed: list[str]
    recommended: bool


def _route_summaries(evaluation: rules.Evaluation) -> list[RouteSummary]:
    results: dict[Route, tuple[rules.RouteResult, list[str]]] = {
        Route.ALLIANCE: (evaluation.alliance, list(evaluation.alliance.blockers)),
        Route.BILATERAL: (evaluation.bilateral, []),
        Route.EU: (evaluation.eu, list(evaluation.eu.blockers)),
    }
    return [
        RouteSummary(
            route=route,
            name=ROUTE_NAMES[route],
            status=str(result.status),
            label=ROUTE_STATUS_LABELS[str(result.status)],
            support_level=float(result.support_level),
            blockers=blockers,
            undecided=list(result.undecided),
            needed=list(result.needed),
            recommended=evaluation.recommended == route,
        )
        for route, (result, blockers) in results.items()
    ]


# A measure's positions ------------------------------------------------------------


@dataclass(frozen=True)
class StateRow:
    state: State
    position: Position
    stances: list[RouteStance]


@login_required
@require_GET
def measure_positions(request: HttpRequest, measure_id: int) -> HttpResponse:
    """Every eligible state's stances on one measure, each linking to its position page."""
    measure = _visible_measure_or_404(_user(request), measure_id)
    rows = [
        StateRow(
            state=position.state,
            position=position,
            stances=_route_stances(position, tuple(Route)),
        )
        for position in selectors.positions_for_measure(measure=measure)
    ]
    evaluation = support_for(measure=measure)
    context = {
        "measure": measure,
        "routes": [ROUTE_NAMES[route] for route in Route],
        "rows": rows,
        "support": _route_summaries(evaluation),
        "recommended": ROUTE_NAMES[evaluation.recommended] if evaluation.recommended else None,
    }
    return render(request, "positions/measure_positions.html", context)


# My state -------------------------------------------------------------------------


@dataclass(frozen=True)
class MyStateRow:
    measure: Measure
    version: int
    stances: list[RouteStance]
    undecided: bool
    support: list[RouteSummary]


@login_required
@require_GET
def my_state(request: HttpRequest) -> HttpResponse:
    """The delegate's measures, those still undecided for their state first."""
    user = _user(request)
    state = user.state
    if not user.is_delegate or state is None:
        raise PermissionDenied
    found = selectors.delegate_measures(user=user, state=state)
    support = support_for_measures(measures=[row.measure for row in found])
    rows = [
        MyStateRow(
            measure=row.measure,
            version=row.position.version,
            stances=_route_stances(row.position, state.routes),
            undecided=bool(row.undecided_routes),
            support=_route_summaries(support[row.measure.pk]),
        )
        for row in found
    ]
    context = {
        "state": state,
        "routes": [ROUTE_NAMES[route] for route in state.routes],
        "rows": rows,
    }
    return render(request, "positions/my_state.html", context)


# The position form ----------------------------------------------------------------


@dataclass(frozen=True)
class RouteTransition:
    route: StrPromise
    before: StrPromise | str
    after: StrPromise | str
    changed: bool


@dataclass(frozen=True)
class HistoryRow:
    change: PositionChange
    routes: list[RouteTransition]


def _history(measure: Measure, state: State) -> list[HistoryRow]:
    return [
        HistoryRow(
            change=change,
            routes=[
                RouteTransition(
                    route=ROUTE_NAMES[route],
                    before=stance_label(getattr(change, f"{route.value}_before")),
                    after=stance_label(getattr(change, f"{route.value}_after")),
                    changed=route in change.transitions(),
                )
                for route in state.routes
            ],
        )
        for change in selectors.measure_history(measure=measure, state=state)
    ]


def _render_position(
    request: HttpRequest,
    *,
    measure: Measure,
    state: State,
    position: Position,
    form: PositionForm | None,
    stale_submission: list[tuple[StrPromise | str, str]] | None = None,
) -> HttpResponse:
    context = {
        "measure": measure,
        "state": state,
        "position": position,
        "stances": _route_stances(position, state.routes),
        "form": form,
        "stale_message": STALE_MESSAGE if stale_submission is not None else None,
        "stale_submission": stale_submission,
        "history": _history(measure, state),
    }
    return render(request, "positions/position_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def position_edit(request: HttpRequest, measure_id: int, code: str) -> HttpResponse:
    """A state's position on a measure, with its history; a form for those who record it."""
    user = _user(request)
    measure = _visible_measure_or_404(user, measure_id)
    state = selectors.states_for_measure(measure=measure).filter(code=code.upper()).first()
    if state is None:  # unknown, or not a participant in a restricted measure
        raise Http404
    may_record = permissions.can_record_position(user, state)

    if request.method != "POST":
        position = selectors.position_get(measure=measure, state=state)
        form = PositionForm.for_position(position, routes=state.routes) if may_record else None
        return _render_position(request, measure=measure, state=state, position=position, form=form)

    if not may_record:
        raise PermissionDenied
    form = PositionForm(request.POST, routes=state.routes)
    if form.is_valid():
        try:
            recorded = services.position_record(
                actor=user,
                measure=measure,
                state=state,
                stances=form.stances(),
                reservations=form.cleaned_data["reservations"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
                source=PositionChange.Source.WEB,
            )
        except services.StaleVersion as stale:
            # Nothing is overwritten: show the newer values, based on the newer version.
            return _render_position(
                request,
                measure=measure,
                state=state,
                position=stale.current,
                form=PositionForm.for_position(stale.current, routes=state.routes),
                stale_submission=form.submitted(),
            )
        except InvalidInput as refusal:
            form.add_refusal(refusal)
        else:
            if recorded.change is None:
                messages.info(request, _("Nothing changed: the position is as it was."))
            else:
                messages.success(
                    request,
                    _("Position recorded (version %(version)d).")
                    % {"version": recorded.position.version},
                )
            return redirect("position-edit", measure_id=measure.pk, code=state.code)
    position = selectors.position_get(measure=measure, state=state)
    return _render_position(request, measure=measure, state=state, position=position, form=form)
