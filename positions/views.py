"""The web pages: parse, call one service or selector, render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_stubs_ext import StrPromise

from accounts import permissions
from accounts.models import User, request_user
from assets import selectors as asset_selectors
from assets.views import measure_coverage
from consensus import charts, rules
from consensus.declarations import selectors as declaration_selectors
from consensus.errors import InvalidInput
from consensus.rules import Route
from consensus.selectors import support_coverage_for, support_for_measures
from consensus.silence import silence_caught_up
from consensus.timeline import TimelinePoint, support_timeline
from positions import selectors, services
from positions.forms import ROUTE_NAMES, AsOfForm, PositionForm, stance_label
from positions.models import Measure, Position, PositionChange, State

STALE_MESSAGE = gettext_lazy(
    "Someone changed this position since you opened the form, so your values were not "
    "recorded: the current values are shown; review and submit again."
)


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


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """A delegate starts at their state's workspace; everyone else at the dashboard."""
    return redirect("my-state" if request_user(request).is_delegate else "dashboard")


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
    could_block: list[str]
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
            could_block=list(result.could_block),
            recommended=evaluation.recommended == route,
        )
        for route, (result, blockers) in results.items()
    ]


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

    @property
    def stances_changed(self) -> bool:
        return any(t.changed for t in self.routes)


def _history_row(change: PositionChange, routes: tuple[Route, ...]) -> HistoryRow:
    changed = change.transitions()
    return HistoryRow(
        change=change,
        routes=[
            RouteTransition(
                route=ROUTE_NAMES[route],
                before=stance_label(getattr(change, f"{route.value}_before")),
                after=stance_label(getattr(change, f"{route.value}_after")),
                changed=route in changed,
            )
            for route in routes
        ],
    )


# The measure page -------------------------------------------------------------------

# How many of the newest changes the measure page lists; the change feed has them all.
MEASURE_HISTORY_LIMIT = 100
# How many of the newest points the chart's data table lists; the chart draws them all.
TIMELINE_TABLE_LIMIT = 200


@dataclass(frozen=True)
class StateRow:
    state: State
    position: Position
    stances: list[RouteStance]


@dataclass(frozen=True)
class StateGroup:
    key: str
    name: StrPromise
    rows: list[StateRow]


STATE_GROUPS: tuple[tuple[str, StrPromise], ...] = (
    ("allies-in-eu", gettext_lazy("Allies in the EU")),
    ("allies-outside-eu", gettext_lazy("Allies outside the EU")),
    ("eu-only", gettext_lazy("EU states outside NATO")),
)


def _state_group(state: State) -> str:
    if state.nato_member:
        return "allies-in-eu" if state.eu_member else "allies-outside-eu"
    return "eu-only"


def _state_groups(positions: list[Position]) -> list[StateGroup]:
    rows: dict[str, list[StateRow]] = {key: [] for key, _name in STATE_GROUPS}
    for position in positions:
        rows[_state_group(position.state)].append(
            StateRow(
                state=position.state,
                position=position,
                stances=_route_stances(position, tuple(Route)),
            )
        )
    return [
        StateGroup(key=key, name=name, rows=rows[key]) for key, name in STATE_GROUPS if rows[key]
    ]


@dataclass(frozen=True)
class RouteSummaryPoint:
    status: str
    label: StrPromise
    support_level: float


@dataclass(frozen=True)
class TimelineRow:
    at: datetime
    routes: list[RouteSummaryPoint]


def _level_text(level: float) -> str:
    return _("%(percent)d %%") % {"percent": round(level * 100)}


def _time_text(at: datetime) -> str:
    return formats.date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


def _support_chart(points: list[TimelinePoint], *, end: datetime) -> str:
    start = points[0].at
    end = max(end, points[-1].at)
    last = points[-1]
    now = ", ".join(
        f"{ROUTE_NAMES[route]} {_level_text(last.routes[route].support_level)}" for route in Route
    )
    description = _(
        "How the support level of each route changed from %(start)s to %(end)s, in %(count)d "
        "steps. At the end: %(levels)s. The table below gives the same figures."
    ) % {"start": _time_text(start), "end": _time_text(end), "count": len(points), "levels": now}
    return charts.step_chart_svg(
        element_id="support-chart",
        title=_("Support level by route over time"),
        description=description,
        x_label=_("Time"),
        y_label=_("Support level"),
        series=[
            charts.Series(
                key=route.value,
                name=str(ROUTE_NAMES[route]),
                points=[(point.at, point.routes[route].support_level) for point in points],
            )
            for route in Route
        ],
        start=start,
        end=end,
        format_time=_time_text,
        format_level=_level_text,
    )


def _timeline_rows(points: list[TimelinePoint]) -> list[TimelineRow]:
    return [
        TimelineRow(
            at=point.at,
            routes=[
                RouteSummaryPoint(
                    status=point.routes[route].status,
                    label=ROUTE_STATUS_LABELS[point.routes[route].status],
                    support_level=point.routes[route].support_level,
                )
                for route in Route
            ],
        )
        for point in reversed(points[-TIMELINE_TABLE_LIMIT:])
    ]


def _route_name(value: str | None) -> StrPromise | str:
    return ROUTE_NAMES[Route(value)] if value else "—"


@dataclass(frozen=True)
class MotionRow:
    motion: Measure
    target: StrPromise | str
    alliance: RouteSummary


def _transfer_motions(user: User, measure: Measure) -> list[MotionRow]:
    """The transfer motions tabled on the measure that the user may see. Three queries."""
    motions = list(
        permissions.measures_visible_to(
            user, Measure.objects.filter(parent=measure).select_related("sponsor")
        ).order_by("id")
    )
    support = support_for_measures(measures=motions)
    return [
        MotionRow(
            motion=motion,
            target=_route_name(motion.target_route),
            alliance=_route_summaries(support[motion.pk])[0],
        )
        for motion in motions
    ]


def _measure_history(measure: Measure) -> tuple[list[HistoryRow], bool]:
    """The newest position changes of the measure, and whether there are more. One query."""
    changes = list(
        selectors.measure_history(measure=measure).select_related("state")[
            : MEASURE_HISTORY_LIMIT + 1
        ]
    )
    rows = [_history_row(change, change.state.routes) for change in changes[:MEASURE_HISTORY_LIMIT]]
    return rows, len(changes) > MEASURE_HISTORY_LIMIT


@login_required
@require_GET
@silence_caught_up
def measure_positions(request: HttpRequest, measure_id: int) -> HttpResponse:
    """A measure: each route's support (now or ``?as_of=``), over time, every position, history.

    A bad ``as_of`` answers 400, with the page as it stands now and the error.
    """
    user = request_user(request)
    measure = _visible_measure_or_404(user, measure_id)
    as_of_form = AsOfForm(request.GET)
    as_of: datetime | None = None
    if as_of_form.is_valid():
        as_of = as_of_form.cleaned_data["as_of"]
    assets = asset_selectors.measure_assets(measure=measure)
    found = support_coverage_for(measure=measure, as_of=as_of, assets=assets)
    evaluation = found.evaluation
    points = support_timeline(measure=measure)
    history, history_truncated = _measure_history(measure)
    context = {
        "measure": measure,
        "parent": measure.parent if measure.kind == Measure.Kind.TRANSFER else None,
        "target_route": _route_name(measure.target_route),
        "as_of_form": as_of_form,
        "as_of": as_of,
        "routes": [ROUTE_NAMES[route] for route in Route],
        "groups": _state_groups(selectors.positions_for_measure(measure=measure)),
        "support": _route_summaries(evaluation),
        "recommended": ROUTE_NAMES[evaluation.recommended] if evaluation.recommended else None,
        # The chart escapes every text it draws.
        "chart": mark_safe(_support_chart(points, end=timezone.now())),
        "timeline": _timeline_rows(points),
        "timeline_count": len(points),
        "timeline_limit": TIMELINE_TABLE_LIMIT,
        "motions": _transfer_motions(user, measure),
        "status_history": selectors.measure_status_history(measure=measure),
        "history": history,
        "history_truncated": history_truncated,
        "history_limit": MEASURE_HISTORY_LIMIT,
        "coverage": measure_coverage(coverage=found.coverage, assets=assets),
    }
    status = 400 if as_of_form.errors else 200
    return render(request, "positions/measure_positions.html", context, status=status)


# The delegate's workspace -----------------------------------------------------------


@dataclass(frozen=True)
class MyStateRow:
    measure: Measure
    version: int
    stances: list[RouteStance]
    undecided: bool
    support: list[RouteSummary]


@login_required
@require_GET
@silence_caught_up
def my_state(request: HttpRequest) -> HttpResponse:
    """The delegate's workspace: measures awaiting the state's position first, then the rest,
    and the amendments awaiting the state's support or objection."""
    user = request_user(request)
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
        "awaiting": [row for row in rows if row.undecided],
        "decided": [row for row in rows if not row.undecided],
        "amendments": declaration_selectors.amendments_awaiting(state=state),
    }
    return render(request, "positions/my_state.html", context)


# The position form ----------------------------------------------------------------


def _history(measure: Measure, state: State) -> list[HistoryRow]:
    return [
        _history_row(change, state.routes)
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
    user = request_user(request)
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
