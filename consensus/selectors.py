"""Support, the support matrix and the change feed, now or at any past instant.

Stances at an instant are rebuilt from the append-only history, never from a
copy: on PostgreSQL one index seek per (measure, state) (a LATERAL join on the
history index), elsewhere a window function. Every selector runs a fixed
number of queries, whatever the number of states, measures and changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from accounts import permissions
from accounts.models import User
from assets.models import Asset
from consensus import rules
from consensus.db_routers import read_alias, replica_reads
from consensus.rules import Route, Stance
from positions.models import Measure, Position, PositionChange, State

# measure id -> state code -> route -> stance; a missing state or route is undecided.
StancesByMeasure = dict[int, dict[str, dict[Route, Stance]]]

_ROUTE_COLUMNS = tuple(route.value for route in Route)
_ROUTES = tuple(Route)
_STANCE_OF = {stance.value: stance for stance in Stance}

# The stance in force for each (measure, state) at an instant: one seek per
# pair down the index (measure, state, at DESC, id DESC), which also carries
# the stances (INCLUDE), so PostgreSQL reads only the index.
_AS_OF_POSTGRESQL = """
SELECT m.id, s.code, c.alliance_after, c.bilateral_after, c.eu_after
FROM unnest(%s::bigint[]) AS m(id)
CROSS JOIN positions_state AS s
CROSS JOIN LATERAL (
    SELECT pc.alliance_after, pc.bilateral_after, pc.eu_after
    FROM positions_positionchange AS pc
    WHERE pc.measure_id = m.id AND pc.state_id = s.code AND pc.at <= %s
    ORDER BY pc.at DESC, pc.id DESC
    LIMIT 1
) AS c
"""


def _collect(
    rows: Iterable[tuple[int, str, str | None, str | None, str | None]],
) -> StancesByMeasure:
    # Enum lookups by value cost a call each; the matrix makes tens of thousands.
    stance_of = _STANCE_OF
    result: StancesByMeasure = {}
    for measure_id, code, *stances in rows:
        result.setdefault(measure_id, {})[code] = {
            route: stance_of.get(stance) or Stance(stance)
            for route, stance in zip(_ROUTES, stances, strict=True)
            if stance is not None
        }
    return result


def stances_as_of(*, measure_ids: Sequence[int], as_of: datetime | None) -> StancesByMeasure:
    """The stances in force for the measures, now (``as_of=None``) or at an instant. One query."""
    if not measure_ids:
        return {}
    if as_of is None:
        return _collect(
            Position.objects.filter(measure_id__in=measure_ids).values_list(
                "measure_id", "state_id", *_ROUTE_COLUMNS
            )
        )
    database = connections[read_alias(PositionChange)]  # the replica, where one serves history
    if database.vendor == "postgresql":
        with database.cursor() as cursor:
            cursor.execute(_AS_OF_POSTGRESQL, [list(measure_ids), as_of])
            return _collect(cursor.fetchall())
    latest = (
        PositionChange.objects.filter(measure_id__in=measure_ids, at__lte=as_of)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("measure_id"), F("state_id")],
                order_by=[F("at").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
    )
    return _collect(
        latest.values_list("measure_id", "state_id", *(f"{r}_after" for r in _ROUTE_COLUMNS))
    )


def state_facts() -> list[rules.StateFacts]:
    """The facts the route rules need, for all 36 states. One query."""
    return [
        rules.StateFacts(code=code, nato_member=nato, eu_member=eu, eu_population=population)
        for code, nato, eu, population in State.objects.order_by("code").values_list(
            "code", "nato_member", "eu_member", "eu_population"
        )
    ]


def _evaluate(
    measure: Measure, facts: Sequence[rules.StateFacts], stances: StancesByMeasure
) -> rules.Evaluation:
    return rules.evaluate(
        states=facts,
        stances=stances.get(measure.pk, {}),
        lead=measure.lead_id,
        eu_rule=measure.eu_rule,
    )


def support_for(*, measure: Measure, as_of: datetime | None = None) -> rules.Evaluation:
    """Each route's support for the measure, now or at an instant. Two queries.

    The stances are those in force at ``as_of``; the measure's lead and EU
    rule, and the states' population figures, are the current ones.
    """
    return _evaluate(measure, state_facts(), stances_as_of(measure_ids=[measure.pk], as_of=as_of))


def support_for_measures(
    *, measures: Sequence[Measure], as_of: datetime | None = None
) -> dict[int, rules.Evaluation]:
    """Each measure's support, by id, now or at an instant. Two queries however many."""
    facts = state_facts()
    stances = stances_as_of(measure_ids=[m.pk for m in measures], as_of=as_of)
    return {m.pk: _evaluate(m, facts, stances) for m in measures}


def asset_facts_for(*, measure_ids: Sequence[int]) -> dict[int, list[rules.AssetFacts]]:
    """The assets each measure covers, by measure id, as the coverage rule needs them. One query."""
    if not measure_ids:
        return {}
    result: dict[int, list[rules.AssetFacts]] = {}
    rows = (
        Asset.measures.through.objects.filter(measure_id__in=measure_ids)
        .order_by("measure_id", "asset_id")
        .values_list("measure_id", "asset_id", "asset__host_id", "asset__criticality")
    )
    for measure_id, asset_id, host, criticality in rows:
        result.setdefault(measure_id, []).append(
            rules.AssetFacts(id=asset_id, host=host, criticality=criticality)
        )
    return result


@dataclass(frozen=True)
class SupportCoverage:
    """A measure's support on each route, and how much of its assets each route covers."""

    evaluation: rules.Evaluation
    coverage: dict[Route, rules.Coverage]

    def as_dict(self) -> dict[str, Any]:
        """The support answer's shape, each route with its ``coverage``."""
        body = self.evaluation.as_dict()
        for route, found in self.coverage.items():
            body["routes"][route.value]["coverage"] = found.as_dict()
        return body


def support_coverage_for_measures(
    *, measures: Sequence[Measure], as_of: datetime | None = None
) -> dict[int, SupportCoverage]:
    """Each measure's support and asset coverage, by id, now or at an instant. Three queries.

    The stances are those in force at ``as_of``; the measures' assets, their
    host states and criticality are the current ones.
    """
    facts = state_facts()
    ids = [m.pk for m in measures]
    stances = stances_as_of(measure_ids=ids, as_of=as_of)
    assets = asset_facts_for(measure_ids=ids)
    return {m.pk: _support_coverage(m, facts, stances, assets) for m in measures}


def _support_coverage(
    measure: Measure,
    facts: Sequence[rules.StateFacts],
    stances: StancesByMeasure,
    assets: dict[int, list[rules.AssetFacts]],
) -> SupportCoverage:
    evaluation = _evaluate(measure, facts, stances)
    return SupportCoverage(
        evaluation=evaluation,
        coverage=rules.coverage(
            evaluation=evaluation,
            states=facts,
            stances=stances.get(measure.pk, {}),
            assets=assets.get(measure.pk, []),
        ),
    )


def support_coverage_for(
    *, measure: Measure, as_of: datetime | None = None, assets: Sequence[Asset] | None = None
) -> SupportCoverage:
    """The measure's support and asset coverage on each route, now or at an instant.

    Three queries; two when the caller passes the measure's assets, read already.
    """
    if assets is None:
        return support_coverage_for_measures(measures=[measure], as_of=as_of)[measure.pk]
    facts = [rules.AssetFacts(id=a.pk, host=a.host_id, criticality=a.criticality) for a in assets]
    stances = stances_as_of(measure_ids=[measure.pk], as_of=as_of)
    return _support_coverage(measure, state_facts(), stances, {measure.pk: facts})


_LAST_CHANGE_OF_MEASURE = (
    f"SELECT MAX(id) FROM {PositionChange._meta.db_table} WHERE measure_id = %s"
)
_LAST_STATE_CORRECTION = f"SELECT MAX(updated_at) FROM {State._meta.db_table}"


def support_etag(*, measure: Measure, as_of: datetime | None = None) -> str:
    """A tag that changes whenever the support answer can: two cheap queries, no rules run.

    It covers the measure's last position change, the measure itself (its lead
    and EU rule, and its assets: ``assets.services`` touches the measure when
    they change) and the last correction of a state fact.
    """
    # Polling clients call this on every request: plain SQL spares the ORM's
    # query compilation (most of the 304 path's own time), same two queries.
    with connections[read_alias(PositionChange)].cursor() as cursor:
        cursor.execute(_LAST_CHANGE_OF_MEASURE, [measure.pk])
        (last_change,) = cursor.fetchone() or (None,)
    with connections[read_alias(State)].cursor() as cursor:
        cursor.execute(_LAST_STATE_CORRECTION)
        (states_at,) = cursor.fetchone() or (None,)
    parts = [
        str(measure.pk),
        measure.updated_at.isoformat(),
        str(last_change or 0),
        str(states_at or ""),  # a datetime on PostgreSQL, its text on SQLite: either is stable
        as_of.isoformat() if as_of else "now",
    ]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class MatrixColumn:
    measure: Measure
    route_status: str
    support_level: float
    coverage: dict[Route, rules.Coverage] | None = None  # asked for with ``with_coverage``


@dataclass(frozen=True)
class Matrix:
    route: Route
    as_of: datetime | None
    states: list[str]  # the codes of the states on the route
    columns: list[MatrixColumn]
    cells: dict[str, dict[int, Stance]]  # state code -> measure id -> stance


@replica_reads()  # a replica, where one is configured, serves the matrix
def matrix(
    *,
    user: User,
    route: Route,
    as_of: datetime | None = None,
    status: str | None = None,
    category: str | None = None,
    with_coverage: bool = False,
) -> Matrix:
    """The stance of every state on the route for every measure the user may see. Three queries.

    ``with_coverage`` adds each measure's asset coverage on every route: one query more.
    """
    measures: QuerySet[Measure] = permissions.measures_visible_to(user).order_by("id")
    if status:
        measures = measures.filter(status=status)
    if category:
        measures = measures.filter(category=category)
    measure_list = list(measures)
    facts = state_facts()
    stances = stances_as_of(measure_ids=[m.pk for m in measure_list], as_of=as_of)
    on_route = [
        f.code
        for f in facts
        if route in rules.routes_for(nato_member=f.nato_member, eu_member=f.eu_member)
    ]
    assets = asset_facts_for(measure_ids=[m.pk for m in measure_list]) if with_coverage else {}
    columns = []
    for measure in measure_list:
        coverage = None
        if with_coverage:
            found = _support_coverage(measure, facts, stances, assets)
            evaluation, coverage = found.evaluation, found.coverage
        else:
            evaluation = _evaluate(measure, facts, stances)
        result = evaluation.result(route)
        columns.append(
            MatrixColumn(
                measure=measure,
                route_status=str(result.status),
                support_level=float(result.support_level),
                coverage=coverage,
            )
        )
    cells = {
        code: {
            m.pk: stances.get(m.pk, {}).get(code, {}).get(route, Stance.UNDECIDED)
            for m in measure_list
        }
        for code in on_route
    }
    return Matrix(route=route, as_of=as_of, states=on_route, columns=columns, cells=cells)


def changes_visible(*, user: User) -> QuerySet[PositionChange]:
    """The position changes the user may see: never those of a measure hidden from them."""
    visible = permissions.measures_visible_to(user).values("pk")
    return PositionChange.objects.filter(measure__in=visible).select_related(
        "measure", "state", "by"
    )


def changes_after(*, user: User, after: int, limit: int) -> list[PositionChange]:
    """The position changes the user may see with an id above ``after``, oldest first. One query.

    Ids are taken in commit order (``position_record`` serializes taking them),
    so a consumer that keeps the last id it saw never misses or repeats one.
    """
    return list(changes_visible(user=user).filter(id__gt=after).order_by("id")[:limit])
