"""The route rules: pure Python, no Django import.

This module is the single source of the domain's vocabulary (routes, stances)
and of the route rules themselves: which routes a state may take a stance on,
and what the stances in force add up to on each route (status, counts, support
level, what it would take, who could block) and which route to recommend.
Everything else (models, services, the API, the pages) calls it.

Thresholds are decided with exact integer and ``Fraction`` arithmetic; floats
appear only in the results, for display and JSON.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Literal


class Route(StrEnum):
    """A way to adopt a measure."""

    ALLIANCE = "alliance"  # all 32 allies, by consensus
    BILATERAL = "bilateral"  # the lead state with each willing ally
    EU = "eu"  # the 27 EU states in the Council


class Stance(StrEnum):
    """One state's view of one measure on one route."""

    SUPPORT = "support"
    CONDITIONAL = "conditional"  # support, with reservations
    ABSTAIN = "abstain"  # will not take part, will not block
    UNDECIDED = "undecided"  # the default
    OPPOSE = "oppose"


IN_FAVOUR = frozenset({Stance.SUPPORT, Stance.CONDITIONAL})


class EuRule(StrEnum):
    """How the Council decides on the EU route."""

    QMV = "qmv"  # Art. 16(4) TEU, Art. 238(3) TFEU
    UNANIMITY = "unanimity"  # Art. 238(4) TFEU


class Outcome(IntEnum):
    """A route's status on one scale, so statuses of different routes can be ranked."""

    FAILS = 0  # blocked / not_viable
    OPEN = 1
    SUCCEEDS = 2  # agreed / viable / reached


# Qualified majority, Art. 16(4) TEU: 55% of the members holding 65% of the
# population; a blocking minority needs at least four members.
QMV_STATE_SHARE = Fraction(55, 100)
QMV_POPULATION_SHARE = Fraction(65, 100)
QMV_BLOCKING_MINORITY = 4

# Among routes that succeed the broader one wins (a decision of all allies
# outweighs a coalition); the same order breaks ties among open routes.
ROUTE_PREFERENCE: tuple[Route, ...] = (Route.ALLIANCE, Route.EU, Route.BILATERAL)

AllianceStatus = Literal["agreed", "open", "blocked"]
BilateralStatus = Literal["viable", "open", "not_viable"]
EuStatus = Literal["reached", "open", "blocked"]
EuCaseStatus = Literal["reached", "blocked"]

# State code -> route -> stance; a missing state or route means UNDECIDED.
StanceMap = Mapping[str, Mapping[Route, Stance]]
Counts = Mapping[Stance, int]


def routes_for(*, nato_member: bool, eu_member: bool) -> tuple[Route, ...]:
    """The routes a state belongs to, in the canonical order.

    Allies take stances on the alliance and bilateral routes; EU members on
    the EU route. An ally outside the EU has no EU stance; an EU state outside
    NATO has only an EU stance.
    """
    routes: list[Route] = []
    if nato_member:
        routes += [Route.ALLIANCE, Route.BILATERAL]
    if eu_member:
        routes.append(Route.EU)
    return tuple(routes)


@dataclass(frozen=True)
class StateFacts:
    """What the rules need to know about one state."""

    code: str
    nato_member: bool
    eu_member: bool
    eu_population: int | None  # EU members only


@dataclass(frozen=True)
class AllianceResult:
    """The alliance route: all allies, by consensus."""

    status: AllianceStatus
    outcome: Outcome
    support_level: float  # allies in favour / allies
    counts: Counts
    blockers: tuple[str, ...]
    undecided: tuple[str, ...]
    needed: tuple[str, ...]
    could_block: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "support_level": self.support_level,
            "counts": _counts_as_dict(self.counts),
            "blockers": list(self.blockers),
            "undecided": list(self.undecided),
            "needed": list(self.needed),
            "could_block": list(self.could_block),
        }


@dataclass(frozen=True)
class BilateralResult:
    """The bilateral route: the lead with each willing ally."""

    status: BilateralStatus
    outcome: Outcome
    lead: str
    support_level: float  # partners / (allies - 1)
    partners: tuple[str, ...]
    counts: Counts  # over all allies, the lead included
    undecided: tuple[str, ...]
    needed: tuple[str, ...]
    could_block: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "lead": self.lead,
            "support_level": self.support_level,
            "partners": list(self.partners),
            "counts": _counts_as_dict(self.counts),
            "undecided": list(self.undecided),
            "needed": list(self.needed),
            "could_block": list(self.could_block),
        }


@dataclass(frozen=True)
class EuCase:
    """The EU route under an assumption about the undecided states."""

    status: EuCaseStatus
    states_in_favour: int
    population_in_favour: float  # share of the EU population

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "states_in_favour": self.states_in_favour,
            "population_in_favour": self.population_in_favour,
        }


@dataclass(frozen=True)
class EuResult:
    """The EU route: the EU members in the Council, by QMV or unanimity."""

    rule: EuRule
    status: EuStatus
    outcome: Outcome
    support_level: float  # states in favour / EU members
    states_in_favour: int
    population_in_favour: float  # share of the EU population
    counts: Counts
    blockers: tuple[str, ...]
    undecided: tuple[str, ...]
    best_case: EuCase  # every undecided state in favour
    worst_case: EuCase  # every undecided state opposed
    needed: tuple[str, ...]
    could_block: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.value,
            "status": self.status,
            "support_level": self.support_level,
            "states_in_favour": self.states_in_favour,
            "population_in_favour": self.population_in_favour,
            "counts": _counts_as_dict(self.counts),
            "blockers": list(self.blockers),
            "undecided": list(self.undecided),
            "best_case": self.best_case.as_dict(),
            "worst_case": self.worst_case.as_dict(),
            "needed": list(self.needed),
            "could_block": list(self.could_block),
        }


RouteResult = AllianceResult | BilateralResult | EuResult


@dataclass(frozen=True)
class Evaluation:
    """Every route's result for one measure, and the route to recommend."""

    alliance: AllianceResult
    bilateral: BilateralResult
    eu: EuResult
    recommended: Route | None

    def result(self, route: Route | str) -> RouteResult:
        """The result for one route."""
        results: dict[Route, RouteResult] = {
            Route.ALLIANCE: self.alliance,
            Route.BILATERAL: self.bilateral,
            Route.EU: self.eu,
        }
        return results[Route(route)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "routes": {
                Route.ALLIANCE.value: self.alliance.as_dict(),
                Route.BILATERAL.value: self.bilateral.as_dict(),
                Route.EU.value: self.eu.as_dict(),
            },
            "recommended_route": None if self.recommended is None else self.recommended.value,
        }


def evaluate(
    *,
    states: Sequence[StateFacts],
    stances: StanceMap,
    lead: str,
    eu_rule: EuRule | str,
) -> Evaluation:
    """Apply the route rules to the stances in force.

    ``states`` are the facts of every state; the allies among them make up the
    alliance and bilateral routes, the EU members the EU route. A stance on a
    route the state does not belong to is ignored. Raises ``ValueError`` for a
    lead that is not an ally, an unknown EU rule or stance, a repeated state
    code, no EU member, or an EU member without a positive population.
    """
    try:
        rule = EuRule(eu_rule)
    except ValueError:
        raise ValueError(f"unknown EU rule: {eu_rule!r}") from None
    seen: set[str] = set()
    for state in states:
        if state.code in seen:
            raise ValueError(f"state {state.code!r} is given twice")
        seen.add(state.code)
        if state.eu_member and (state.eu_population is None or state.eu_population <= 0):
            raise ValueError(f"EU member {state.code!r} has no positive population")
    allies = sorted(s.code for s in states if s.nato_member)
    if lead not in allies:
        raise ValueError(f"lead {lead!r} is not an ally")
    eu_population = {s.code: s.eu_population for s in states if s.eu_population and s.eu_member}
    if not eu_population:
        raise ValueError("no EU member among the states")

    alliance = _alliance(_route_stances(stances, allies, Route.ALLIANCE))
    bilateral = _bilateral(_route_stances(stances, allies, Route.BILATERAL), lead)
    eu_stances = _route_stances(stances, sorted(eu_population), Route.EU)
    if rule is EuRule.QMV:
        eu = _eu_qmv(eu_stances, eu_population)
    else:
        eu = _eu_unanimity(eu_stances, eu_population)
    recommended = recommend(
        {
            Route.ALLIANCE: (alliance.outcome, alliance.support_level),
            Route.BILATERAL: (bilateral.outcome, bilateral.support_level),
            Route.EU: (eu.outcome, eu.support_level),
        }
    )
    return Evaluation(alliance=alliance, bilateral=bilateral, eu=eu, recommended=recommended)


def recommend(results: Mapping[Route, tuple[Outcome, float]]) -> Route | None:
    """The route to recommend, given each route's outcome and support level.

    The best outcome wins; among routes that succeed the broader one
    (alliance, EU, bilateral); among open routes the higher support level,
    then the same order. None if every route fails.
    """

    def rank(route: Route) -> tuple[int, float, int]:
        outcome, support_level = results[route]
        # Support level decides only among open routes.
        level = support_level if outcome == Outcome.OPEN else 0.0
        return (-outcome, -level, ROUTE_PREFERENCE.index(route))

    candidates = [route for route, (outcome, _) in results.items() if outcome > Outcome.FAILS]
    if not candidates:
        return None
    return min(candidates, key=rank)


# --- the routes -------------------------------------------------------------


def _route_stances(stances: StanceMap, codes: Iterable[str], route: Route) -> dict[str, Stance]:
    """Each state's stance on the route, in code order; missing means undecided."""
    result: dict[str, Stance] = {}
    for code in codes:
        value = stances.get(code, {}).get(route, Stance.UNDECIDED)
        try:
            result[code] = Stance(value)
        except ValueError:
            raise ValueError(f"unknown stance {value!r} of {code!r} on {route}") from None
    return result


def _alliance(stances: dict[str, Stance]) -> AllianceResult:
    blockers = _with(stances, Stance.OPPOSE)
    undecided = _with(stances, Stance.UNDECIDED)
    if blockers:
        status: AllianceStatus = "blocked"
    elif undecided:
        status = "open"
    else:
        status = "agreed"
    outcome = _ALLIANCE_OUTCOME[status]
    return AllianceResult(
        status=status,
        outcome=outcome,
        support_level=_share(_count_in_favour(stances), len(stances)),
        counts=_counts(stances),
        blockers=blockers,
        undecided=undecided,
        needed=tuple(sorted(blockers + undecided)),
        # Consensus: any one ally opposing blocks.
        could_block=tuple(stances) if outcome is Outcome.SUCCEEDS else (),
    )


def _bilateral(stances: dict[str, Stance], lead: str) -> BilateralResult:
    others = {code: stance for code, stance in stances.items() if code != lead}
    partners = tuple(code for code, stance in others.items() if stance in IN_FAVOUR)
    status = _bilateral_status(stances, lead)
    outcome = _BILATERAL_OUTCOME[status]

    needed: list[str] = []
    if stances[lead] not in IN_FAVOUR:
        needed.append(lead)
    if not partners:
        # One candidate partner, the most likely to move first.
        for stance in (Stance.UNDECIDED, Stance.ABSTAIN, Stance.OPPOSE):
            candidates = _with(others, stance)
            if candidates:
                needed.append(candidates[0])
                break

    could_block: tuple[str, ...] = ()
    if outcome is Outcome.SUCCEEDS:
        could_block = tuple(sorted([lead, *partners])) if len(partners) == 1 else (lead,)
    return BilateralResult(
        status=status,
        outcome=outcome,
        lead=lead,
        support_level=_share(len(partners), len(others)),
        partners=partners,
        counts=_counts(stances),
        undecided=_with(stances, Stance.UNDECIDED),
        needed=tuple(sorted(needed)),
        could_block=could_block,
    )


def _bilateral_status(stances: Mapping[str, Stance], lead: str) -> BilateralStatus:
    lead_stance = stances[lead]
    others = [stance for code, stance in stances.items() if code != lead]
    has_partner = any(stance in IN_FAVOUR for stance in others)
    if lead_stance in IN_FAVOUR and has_partner:
        return "viable"
    if lead_stance in (Stance.OPPOSE, Stance.ABSTAIN):
        return "not_viable"
    if not has_partner and Stance.UNDECIDED not in others:
        return "not_viable"  # no ally could still become a partner
    return "open"


def _eu_qmv(stances: dict[str, Stance], population: Mapping[str, int]) -> EuResult:
    total = sum(population.values())
    in_favour = {code for code, stance in stances.items() if stance in IN_FAVOUR}
    undecided = set(_with(stances, Stance.UNDECIDED))

    def reached(codes: set[str]) -> bool:
        return _qmv_reached(
            states_in_favour=len(codes),
            population_in_favour=sum(population[code] for code in codes),
            members=len(stances),
            total_population=total,
        )

    best = _eu_case(reached(in_favour | undecided), in_favour | undecided, population, total)
    # Undecided states count as not in favour at present, so the worst case is the present.
    worst = _eu_case(reached(in_favour), in_favour, population, total)
    if reached(in_favour):
        status: EuStatus = "reached"
    elif best.status == "reached":
        status = "open"
    else:
        status = "blocked"

    needed: list[str] = []
    if status != "reached":
        # Every additional state adds one to the count and its population to the
        # share; so for each size of set the most populous states do best, and
        # the shortest such prefix is the fewest states that reach it.
        movers = sorted(
            (code for code in stances if code not in in_favour),
            key=lambda code: (-population[code], code),
        )
        moved = set(in_favour)
        for code in movers:
            moved.add(code)
            needed.append(code)
            if reached(moved):
                break

    could_block: list[str] = []
    if status == "reached":
        could_block = [code for code in sorted(in_favour) if not reached(in_favour - {code})]

    return _eu_result(
        rule=EuRule.QMV,
        status=status,
        stances=stances,
        population=population,
        best=best,
        worst=worst,
        needed=needed,
        could_block=could_block,
    )


def _eu_unanimity(stances: dict[str, Stance], population: Mapping[str, int]) -> EuResult:
    total = sum(population.values())
    in_favour = {code for code, stance in stances.items() if stance in IN_FAVOUR}
    undecided = set(_with(stances, Stance.UNDECIDED))
    blockers = _with(stances, Stance.OPPOSE)
    if blockers:
        status: EuStatus = "blocked"
    elif undecided:
        status = "open"
    else:
        status = "reached"

    # Best case: the undecided in favour, so only an opposing state prevents it.
    best = _eu_case(not blockers, in_favour | undecided, population, total)
    # Worst case: the undecided opposed, so it is reached only if nobody is left undecided.
    worst = _eu_case(not blockers and not undecided, in_favour, population, total)
    return _eu_result(
        rule=EuRule.UNANIMITY,
        status=status,
        stances=stances,
        population=population,
        best=best,
        worst=worst,
        needed=[*blockers, *undecided],
        # Any member opposing prevents it, an abstainer included.
        could_block=list(stances) if status == "reached" else [],
    )


def _eu_result(
    *,
    rule: EuRule,
    status: EuStatus,
    stances: dict[str, Stance],
    population: Mapping[str, int],
    best: EuCase,
    worst: EuCase,
    needed: list[str],
    could_block: list[str],
) -> EuResult:
    total = sum(population.values())
    in_favour = [code for code, stance in stances.items() if stance in IN_FAVOUR]
    return EuResult(
        rule=rule,
        status=status,
        outcome=_EU_OUTCOME[status],
        support_level=_share(len(in_favour), len(stances)),
        states_in_favour=len(in_favour),
        population_in_favour=_share(sum(population[code] for code in in_favour), total),
        counts=_counts(stances),
        blockers=_with(stances, Stance.OPPOSE),
        undecided=_with(stances, Stance.UNDECIDED),
        best_case=best,
        worst_case=worst,
        needed=tuple(sorted(needed)),
        could_block=tuple(sorted(could_block)),
    )


def _qmv_reached(
    *, states_in_favour: int, population_in_favour: int, members: int, total_population: int
) -> bool:
    """Art. 16(4) TEU, decided exactly: no rounding, no floats."""
    enough_states = states_in_favour >= math.ceil(QMV_STATE_SHARE * members)
    enough_population = Fraction(population_in_favour, total_population) >= QMV_POPULATION_SHARE
    # Fewer than four members not in favour cannot form a blocking minority.
    no_blocking_minority = members - states_in_favour < QMV_BLOCKING_MINORITY
    return enough_states and (enough_population or no_blocking_minority)


def _eu_case(
    reached: bool, in_favour: set[str], population: Mapping[str, int], total: int
) -> EuCase:
    return EuCase(
        status="reached" if reached else "blocked",
        states_in_favour=len(in_favour),
        population_in_favour=_share(sum(population[code] for code in in_favour), total),
    )


# --- small pieces -------------------------------------------------------------

_ALLIANCE_OUTCOME: dict[AllianceStatus, Outcome] = {
    "agreed": Outcome.SUCCEEDS,
    "open": Outcome.OPEN,
    "blocked": Outcome.FAILS,
}
_BILATERAL_OUTCOME: dict[BilateralStatus, Outcome] = {
    "viable": Outcome.SUCCEEDS,
    "open": Outcome.OPEN,
    "not_viable": Outcome.FAILS,
}
_EU_OUTCOME: dict[EuStatus, Outcome] = {
    "reached": Outcome.SUCCEEDS,
    "open": Outcome.OPEN,
    "blocked": Outcome.FAILS,
}


def _with(stances: Mapping[str, Stance], stance: Stance) -> tuple[str, ...]:
    """The codes holding the stance, sorted."""
    return tuple(sorted(code for code, held in stances.items() if held is stance))


def _count_in_favour(stances: Mapping[str, Stance]) -> int:
    return sum(1 for stance in stances.values() if stance in IN_FAVOUR)


def _counts(stances: Mapping[str, Stance]) -> Counts:
    counts = dict.fromkeys(Stance, 0)
    for stance in stances.values():
        counts[stance] += 1
    return MappingProxyType(counts)


def _counts_as_dict(counts: Counts) -> dict[str, int]:
    return {stance.value: counts[stance] for stance in Stance}


def _share(part: int, whole: int) -> float:
    return float(Fraction(part, whole)) if whole else 0.0


# --- coverage: which assets each route would reach -----------------------------


@dataclass(frozen=True)
class AssetFacts:
    """What the coverage rule needs to know about one asset."""

    id: int
    host: str  # the host state's code
    criticality: int  # 1 to 5


@dataclass(frozen=True)
class Coverage:
    """How much of a measure's assets one route's outcome would bind, as the stances stand.

    With no assets, ``share`` and ``weighted_share`` are ``None``: there is
    nothing to cover, and neither 0 nor 1 would say so.
    """

    assets: int
    covered: int
    share: float | None  # covered / assets
    weighted_share: float | None  # covered criticality / all criticality
    uncovered: tuple[int, ...]  # asset ids, ascending
    # The states whose move to support would cover the most uncovered criticality
    # (one state if a single move covers anything; else the states that must move
    # together), and the criticality that move would cover.
    would_cover: tuple[str, ...]
    would_cover_criticality: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "assets": self.assets,
            "covered": self.covered,
            "share": self.share,
            "weighted_share": self.weighted_share,
            "uncovered": list(self.uncovered),
            "would_cover": {
                "states": list(self.would_cover),
                "criticality": self.would_cover_criticality,
            },
        }


def coverage(
    *,
    evaluation: Evaluation,
    states: Sequence[StateFacts],
    stances: StanceMap,
    assets: Sequence[AssetFacts],
) -> dict[Route, Coverage]:
    """Each route's coverage of the assets, given the evaluation of the same stances.

    An asset is covered on a route when its host state would be bound by the
    route's outcome as the stances stand: on the alliance route, every ally's
    assets once the decision is agreed (none before); on the bilateral route,
    the lead's and the partners' assets once the route is viable; on the EU
    route, every EU member's assets once the Council's rule is reached (a
    qualified majority binds those outvoted too). A host outside the route
    (an EU-only state on the alliance route, an ally outside the EU on the EU
    route) is never covered there. Raises ``ValueError`` for a criticality
    outside 1-5, a repeated asset id or an unknown host state.
    """
    known = {s.code for s in states}
    seen: set[int] = set()
    for asset in assets:
        if asset.id in seen:
            raise ValueError(f"asset {asset.id} is given twice")
        seen.add(asset.id)
        if not 1 <= asset.criticality <= 5:
            raise ValueError(f"asset {asset.id} has criticality {asset.criticality}, not 1-5")
        if asset.host not in known:
            raise ValueError(f"asset {asset.id} has an unknown host state {asset.host!r}")
    if not assets:
        # Nothing to cover: no stance can change that (and the matrix asks for many).
        return dict.fromkeys(Route, _NO_ASSETS)
    allies = sorted(s.code for s in states if s.nato_member)
    population = {s.code: s.eu_population for s in states if s.eu_member and s.eu_population}
    lead = evaluation.bilateral.lead
    on_route: dict[Route, dict[str, Stance]] = {
        Route.ALLIANCE: _route_stances(stances, allies, Route.ALLIANCE),
        Route.BILATERAL: _route_stances(stances, allies, Route.BILATERAL),
        Route.EU: _route_stances(stances, sorted(population), Route.EU),
    }

    def bound(route: Route, held: Mapping[str, Stance]) -> frozenset[str]:
        """The states the route's outcome binds, given the stances on it."""
        if route is Route.ALLIANCE:
            open_or_blocked = any(s in (Stance.OPPOSE, Stance.UNDECIDED) for s in held.values())
            return frozenset() if open_or_blocked else frozenset(held)
        if route is Route.BILATERAL:
            partners = {c for c, s in held.items() if c != lead and s in IN_FAVOUR}
            if held[lead] in IN_FAVOUR and partners:
                return frozenset({lead, *partners})
            return frozenset()
        in_favour = [c for c, s in held.items() if s in IN_FAVOUR]
        if evaluation.eu.rule is EuRule.QMV:
            reached = _qmv_reached(
                states_in_favour=len(in_favour),
                population_in_favour=sum(population[c] for c in in_favour),
                members=len(held),
                total_population=sum(population.values()),
            )
        else:
            reached = not any(s in (Stance.OPPOSE, Stance.UNDECIDED) for s in held.values())
        return frozenset(held) if reached else frozenset()

    return {
        route: _route_coverage(
            route=route,
            held=on_route[route],
            assets=assets,
            bound=bound,
            needed=evaluation.result(route).needed,
            lead=lead,
        )
        for route in Route
    }


_NO_ASSETS = Coverage(
    assets=0,
    covered=0,
    share=None,
    weighted_share=None,
    uncovered=(),
    would_cover=(),
    would_cover_criticality=0,
)


def _route_coverage(
    *,
    route: Route,
    held: dict[str, Stance],
    assets: Sequence[AssetFacts],
    bound: Callable[[Route, Mapping[str, Stance]], frozenset[str]],
    needed: Sequence[str],
    lead: str,
) -> Coverage:
    """One route's coverage of a non-empty list of assets (``coverage`` answers for none)."""
    now = bound(route, held)
    covered = [a for a in assets if a.host in now]
    uncovered = [a for a in assets if a.host not in now]
    total_criticality = sum(a.criticality for a in assets)
    uncovered_by_host: dict[str, int] = {}
    for asset in uncovered:
        if asset.host in held:  # a host outside the route can never be covered on it
            uncovered_by_host[asset.host] = uncovered_by_host.get(asset.host, 0) + asset.criticality

    def gain(movers: Iterable[str]) -> int:
        after = bound(route, {**held, **dict.fromkeys(movers, Stance.SUPPORT)})
        return sum(c for host, c in uncovered_by_host.items() if host in after)

    would_cover: tuple[str, ...] = ()
    would_cover_criticality = 0
    if uncovered_by_host:
        # The one state whose move covers the most (the first by code among equals)...
        movers = sorted(c for c, s in held.items() if s not in IN_FAVOUR)
        if route is not Route.BILATERAL and len(needed) != 1:
            # `needed` is the fewest states whose move makes the route succeed (and
            # binds every member): unless it is one state, no single move covers anything.
            movers = []
        else:
            # Allies hosting nothing uncovered all gain the same: the first stands for them.
            plain = [c for c in movers if c not in uncovered_by_host and c != lead]
            movers = sorted(
                {*(c for c in movers if c in uncovered_by_host or c == lead), *plain[:1]}
            )
        for code in movers:
            covered_by_move = gain([code])
            if covered_by_move > would_cover_criticality:
                would_cover, would_cover_criticality = (code,), covered_by_move
        if not would_cover:
            # ...else the states that must move together: the route's `needed`; on
            # the bilateral route the lead with the ally hosting the most.
            group = list(needed)
            if route is Route.BILATERAL and held[lead] not in IN_FAVOUR:
                hosts = sorted(
                    (c for c in uncovered_by_host if c != lead),
                    key=lambda c: (-uncovered_by_host[c], c),
                )
                if hosts:
                    group = [lead, hosts[0]]
            covered_by_group = gain(group)
            if covered_by_group:
                would_cover, would_cover_criticality = tuple(sorted(group)), covered_by_group

    return Coverage(
        assets=len(assets),
        covered=len(covered),
        share=float(Fraction(len(covered), len(assets))),
        weighted_share=float(Fraction(sum(a.criticality for a in covered), total_criticality)),
        uncovered=tuple(sorted(a.id for a in uncovered)),
        would_cover=would_cover,
        would_cover_criticality=would_cover_criticality,
    )
