"""The overview pages: the dashboard, the support matrix (and its CSV) and the changes feed.

Parse, call the selectors, render. The matrix is laid out here row by row, each
cell one ready-made piece of HTML per stance, so the template joins strings
instead of running logic per cell: 500 measures by 32 states stay fast.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET
from django_stubs_ext import StrPromise

from accounts import permissions
from accounts.models import User, request_user
from accounts.services import dashboard_visit_record
from consensus import selectors
from consensus.api import matrix_csv_write
from consensus.instants import InstantError, instant_parse
from consensus.rules import IN_FAVOUR, Route, Stance
from consensus.silence import silence_caught_up
from positions import selectors as position_selectors
from positions.forms import ROUTE_NAMES, stance_label
from positions.models import STANCE_CHOICES, Measure, PositionChange, State
from positions.views import ROUTE_STATUS_LABELS, RouteSummary, _route_summaries

DASHBOARD_CHANGES = 20  # the newest changes since the last visit shown on the dashboard
FEED_PAGE_SIZE = 50

# The stances in the order of the legend and of the totals: from for to against.
STANCE_ORDER: tuple[Stance, ...] = (
    Stance.SUPPORT,
    Stance.CONDITIONAL,
    Stance.ABSTAIN,
    Stance.UNDECIDED,
    Stance.OPPOSE,
)
# One letter per stance, so the heat map never relies on colour alone.
STANCE_LETTERS: dict[Stance, StrPromise] = {
    Stance.SUPPORT: pgettext_lazy("stance letter: support", "S"),
    Stance.CONDITIONAL: pgettext_lazy("stance letter: conditional", "C"),
    Stance.ABSTAIN: pgettext_lazy("stance letter: abstain", "A"),
    Stance.UNDECIDED: pgettext_lazy("stance letter: undecided", "U"),
    Stance.OPPOSE: pgettext_lazy("stance letter: oppose", "O"),
}
STANCE_NAMES: dict[str, StrPromise | str] = dict(STANCE_CHOICES)


class BadParameters(Exception):
    """The page's query string cannot be understood; the page answers 400 and says why."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _choice(
    params: QueryDict, name: str, choices: Sequence[str], label: StrPromise, errors: list[str]
) -> str | None:
    raw = params.get(name, "")
    if raw == "":
        return None
    if raw not in choices:
        errors.append(
            _("Unknown %(field)s “%(value)s”: choose one from the list.")
            % {"field": label, "value": raw}
        )
        return None
    return raw


def _as_of(params: QueryDict, errors: list[str]) -> datetime | None:
    """``as_of``: a date and time read as UTC (what the picker sends), or with its own offset."""
    raw = params.get("as_of", "").strip()
    if raw == "":
        return None
    try:
        return instant_parse(raw, naive_as_utc=True).astimezone(UTC)
    except InstantError:
        errors.append(
            _(
                "“%(value)s” is not a date and time: use the picker, or write it as "
                "2024-07-10T12:00 (UTC)."
            )
            % {"value": raw}
        )
        return None


def _utc_local(instant: datetime | None, *, timespec: str = "auto") -> str:
    """The instant in UTC without a zone: what a ``datetime-local`` input holds.

    Links keep every digit so they show exactly the same instant; the picker
    itself works to the second.
    """
    if instant is None:
        return ""
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec=timespec)


@dataclass(frozen=True)
class MeasureFilters:
    status: str | None
    category: str | None


STATUS_LABEL = gettext_lazy("status")
CATEGORY_LABEL = gettext_lazy("category")


def _measure_filters(params: QueryDict, errors: list[str]) -> MeasureFilters:
    return MeasureFilters(
        status=_choice(params, "status", Measure.Status.values, STATUS_LABEL, errors),
        category=_choice(params, "category", Measure.Category.values, CATEGORY_LABEL, errors),
    )


def _filter_choices() -> dict[str, object]:
    return {
        "status_choices": Measure.Status.choices,
        "category_choices": Measure.Category.choices,
    }


# Dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    measure: Measure
    support: list[RouteSummary]


@dataclass(frozen=True)
class Transition:
    route: StrPromise
    before: StrPromise | str
    after: StrPromise | str


@dataclass(frozen=True)
class ChangeRow:
    change: PositionChange
    transitions: list[Transition]


def _change_rows(changes: Sequence[PositionChange]) -> list[ChangeRow]:
    return [
        ChangeRow(
            change=change,
            transitions=[
                Transition(
                    route=ROUTE_NAMES[route], before=stance_label(before), after=stance_label(after)
                )
                for route, (before, after) in change.transitions().items()
            ],
        )
        for change in changes
    ]


@login_required
@require_GET
@silence_caught_up
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every measure the user can see with each route's status and support, and what changed
    since the user's last visit (seeing the page moves that marker)."""
    user = request_user(request)
    errors: list[str] = []
    filters = _measure_filters(request.GET, errors)
    context: dict[str, object] = {
        "status_value": filters.status or request.GET.get("status", ""),
        "category_value": filters.category or request.GET.get("category", ""),
        **_filter_choices(),
    }
    if errors:
        return render(
            request, "consensus/dashboard.html", {**context, "errors": errors}, status=400
        )

    measures = position_selectors.measures_visible(user=user)
    if filters.status:
        measures = measures.filter(status=filters.status)
    if filters.category:
        measures = measures.filter(category=filters.category)
    measure_list = list(measures)
    support = selectors.support_for_measures(measures=measure_list)
    rows = [DashboardRow(measure=m, support=_route_summaries(support[m.pk])) for m in measure_list]

    # Changes are read up to the newest id there is now, and the marker moves to
    # that id: ids are taken in commit order, so none is missed or shown twice.
    latest = PositionChange.objects.aggregate(last=Max("id"))["last"] or 0
    since = selectors.changes_visible(user=user).filter(
        id__gt=user.last_seen_change_id, id__lte=latest
    )
    new_changes = list(since.order_by("-id")[:DASHBOARD_CHANGES])
    new_count = since.count()
    previous_visit = user.dashboard_seen_at
    dashboard_visit_record(user=user, last_change_id=latest)

    context.update(
        rows=rows,
        routes=[ROUTE_NAMES[route] for route in Route],
        new_changes=_change_rows(new_changes),
        new_count=new_count,
        previous_visit=previous_visit,
    )
    return render(request, "consensus/dashboard.html", context)


# The support matrix -----------------------------------------------------------------


@dataclass(frozen=True)
class MatrixQuery:
    route: Route
    as_of: datetime | None
    filters: MeasureFilters

    def params(self, **overrides: str) -> str:
        """The query string that shows this matrix (with some parameters replaced)."""
        values = {
            "route": self.route.value,
            "as_of": _utc_local(self.as_of),
            "status": self.filters.status or "",
            "category": self.filters.category or "",
            **overrides,
        }
        return urlencode({k: v for k, v in values.items() if v})


ROUTE_LABEL = gettext_lazy("route")


def _matrix_query(params: QueryDict) -> MatrixQuery:
    errors: list[str] = []
    route = _choice(params, "route", [r.value for r in Route], ROUTE_LABEL, errors)
    as_of = _as_of(params, errors)
    filters = _measure_filters(params, errors)
    if errors:
        raise BadParameters(errors)
    return MatrixQuery(route=Route(route or Route.ALLIANCE), as_of=as_of, filters=filters)


# The groups of rows, in the order shown; a group with no state on the route is left out.
STATE_GROUPS: tuple[tuple[str, StrPromise, bool, bool], ...] = (
    ("allies-eu", gettext_lazy("Allies in the EU"), True, True),
    ("allies-outside-eu", gettext_lazy("Allies outside the EU"), True, False),
    ("eu-only", gettext_lazy("EU states outside NATO"), False, True),
)


@dataclass(frozen=True)
class MatrixRow:
    code: str
    name: str
    cells: SafeString  # the row's stance cells, ready-made
    totals: list[int]  # per stance, in STANCE_ORDER
    in_favour: int


@dataclass(frozen=True)
class MatrixGroup:
    key: str
    label: StrPromise
    rows: list[MatrixRow]


@dataclass(frozen=True)
class MatrixHeading:
    measure_id: int
    title: str
    url: str
    route_status: str
    route_status_label: StrPromise
    support_level: float


@dataclass(frozen=True)
class StanceTotal:
    stance: Stance
    name: StrPromise | str
    letter: StrPromise
    cells: SafeString  # one count per measure


@dataclass
class MatrixLayout:
    groups: list[MatrixGroup]
    headings: list[MatrixHeading]
    column_totals: list[StanceTotal]
    in_favour_cells: SafeString
    state_count: int
    order: list[str] = field(default_factory=list)  # the state codes, as shown


def _stance_cells() -> dict[Stance, str]:
    """The HTML of one cell per stance, in the current language (built once per page)."""
    return {
        stance: str(
            format_html(
                '<td class="stance stance-{}"><abbr title="{}">{}</abbr></td>',
                stance.value,
                STANCE_NAMES[stance.value],
                STANCE_LETTERS[stance],
            )
        )
        for stance in STANCE_ORDER
    }


def _matrix_layout(found: selectors.Matrix, states: Mapping[str, State]) -> MatrixLayout:
    measure_ids = [column.measure.pk for column in found.columns]
    cell_html = _stance_cells()
    column_counts = {mid: dict.fromkeys(STANCE_ORDER, 0) for mid in measure_ids}
    groups = []
    order = []
    for key, label, nato, eu in STATE_GROUPS:
        rows = []
        for code in found.states:
            state = states[code]
            if (state.nato_member, state.eu_member) != (nato, eu):
                continue
            stances = found.cells[code]
            row_counts = dict.fromkeys(STANCE_ORDER, 0)
            parts = []
            for mid in measure_ids:
                stance = stances[mid]
                row_counts[stance] += 1
                column_counts[mid][stance] += 1
                parts.append(cell_html[stance])
            rows.append(
                MatrixRow(
                    code=code,
                    name=state.name,
                    cells=mark_safe("".join(parts)),  # built from escaped cells
                    totals=[row_counts[s] for s in STANCE_ORDER],
                    in_favour=sum(row_counts[s] for s in IN_FAVOUR),
                )
            )
            order.append(code)
        if rows:
            groups.append(MatrixGroup(key=key, label=label, rows=rows))
    headings = [
        MatrixHeading(
            measure_id=column.measure.pk,
            title=column.measure.title,
            url=reverse("measure-positions", args=[column.measure.pk]),
            route_status=column.route_status,
            route_status_label=ROUTE_STATUS_LABELS[column.route_status],
            support_level=column.support_level,
        )
        for column in found.columns
    ]
    column_totals = [
        StanceTotal(
            stance=stance,
            name=STANCE_NAMES[stance.value],
            letter=STANCE_LETTERS[stance],
            cells=mark_safe(  # integers only
                "".join(f"<td>{column_counts[mid][stance]}</td>" for mid in measure_ids)
            ),
        )
        for stance in STANCE_ORDER
    ]
    state_count = len(order)
    in_favour_cells = mark_safe(  # integers only
        "".join(
            f"<td>{sum(column_counts[mid][s] for s in IN_FAVOUR)}/{state_count}</td>"
            for mid in measure_ids
        )
    )
    return MatrixLayout(
        groups=groups,
        headings=headings,
        column_totals=column_totals,
        in_favour_cells=in_favour_cells,
        state_count=state_count,
        order=order,
    )


def _matrix_found(user: User, query: MatrixQuery) -> tuple[selectors.Matrix, MatrixLayout]:
    found = selectors.matrix(
        user=user,
        route=query.route,
        as_of=query.as_of,
        status=query.filters.status,
        category=query.filters.category,
    )
    states = {s.code: s for s in State.objects.filter(code__in=found.states)}
    return found, _matrix_layout(found, states)


def _matrix_form(query: MatrixQuery | None, params: QueryDict) -> dict[str, object]:
    """What the matrix's controls show: the query's values, or what was sent if it was bad."""
    return {
        "route_value": query.route.value if query else params.get("route", ""),
        "as_of_value": _utc_local(query.as_of, timespec="seconds")
        if query
        else params.get("as_of", ""),
        "status_value": query.filters.status if query else params.get("status", ""),
        "category_value": query.filters.category if query else params.get("category", ""),
        "route_choices": [(route.value, ROUTE_NAMES[route]) for route in Route],
        **_filter_choices(),
    }


@login_required
@require_GET
@silence_caught_up
def support_matrix(request: HttpRequest) -> HttpResponse:
    """Where every state on a route stands on every visible measure, now or at an instant."""
    try:
        query = _matrix_query(request.GET)
    except BadParameters as bad:
        context = {"errors": bad.errors, **_matrix_form(None, request.GET)}
        return render(request, "consensus/matrix.html", context, status=400)
    found, layout = _matrix_found(request_user(request), query)
    context = {
        "query": query,
        "layout": layout,
        "route_name": ROUTE_NAMES[query.route],
        "route_links": [
            (route.value, ROUTE_NAMES[route], "?" + query.params(route=route.value))
            for route in Route
        ],
        "csv_url": reverse("matrix-csv") + "?" + query.params(),
        "legend": [(s.value, STANCE_LETTERS[s], STANCE_NAMES[s.value]) for s in STANCE_ORDER],
        "stance_headings": [(STANCE_LETTERS[s], STANCE_NAMES[s.value]) for s in STANCE_ORDER],
        "measure_count": len(found.columns),
        **_matrix_form(query, request.GET),
    }
    return render(request, "consensus/matrix.html", context)


@login_required
@require_GET
@silence_caught_up
def support_matrix_csv(request: HttpRequest) -> HttpResponse:
    """The matrix page's download: exactly the rows and columns the page shows, as CSV."""
    try:
        query = _matrix_query(request.GET)
    except BadParameters as bad:
        return HttpResponse(
            "\n".join(bad.errors) + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    found, layout = _matrix_found(request_user(request), query)
    measure_ids = [column.measure.pk for column in found.columns]
    out = io.StringIO()
    matrix_csv_write(
        out,
        measure_ids=measure_ids,
        rows=(
            (code, [found.cells[code][mid].value for mid in measure_ids]) for code in layout.order
        ),
    )
    name = f"matrix-{query.route.value}"
    if query.as_of is not None:
        name += "-" + query.as_of.strftime("%Y%m%dT%H%M%SZ")
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


# The changes feed -------------------------------------------------------------------


@login_required
@require_GET
def changes_feed(request: HttpRequest) -> HttpResponse:
    """Every position change the user may see, newest first, by state and measure."""
    user = request_user(request)
    states = list(State.objects.order_by("name").only("code", "name"))
    measures = list(permissions.measures_visible_to(user).order_by("id").only("id", "title"))
    errors: list[str] = []
    state_code = _choice(
        request.GET, "state", [s.code for s in states], gettext_lazy("state"), errors
    )
    measure_raw = _choice(
        request.GET, "measure", [str(m.pk) for m in measures], gettext_lazy("measure"), errors
    )
    page_raw = request.GET.get("page", "1")
    context: dict[str, object] = {
        "states": states,
        "measures": measures,
        "state_value": state_code or request.GET.get("state", ""),
        "measure_value": measure_raw or request.GET.get("measure", ""),
    }
    if not page_raw.isdigit() or int(page_raw) < 1:
        errors.append(_("The page must be a whole number from 1."))
    if errors:
        return render(request, "consensus/changes.html", {**context, "errors": errors}, status=400)

    changes = selectors.changes_visible(user=user).order_by("-at", "-id")
    if state_code:
        changes = changes.filter(state_id=state_code)
    if measure_raw:
        changes = changes.filter(measure_id=int(measure_raw))
    paginator = Paginator(changes, FEED_PAGE_SIZE)
    try:
        page: Page[PositionChange] = paginator.page(int(page_raw))
    except InvalidPage:
        message = _("There is no page %(page)s: the last page is %(last)d.") % {
            "page": page_raw,
            "last": paginator.num_pages,
        }
        return render(
            request, "consensus/changes.html", {**context, "errors": [message]}, status=400
        )
    filters = urlencode({k: v for k, v in (("state", state_code), ("measure", measure_raw)) if v})
    context.update(
        results=True,
        page=page,
        rows=_change_rows(list(page.object_list)),
        filters_query=filters,
    )
    return render(request, "consensus/changes.html", context)
