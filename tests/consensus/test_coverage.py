"""Coverage in the pure rules: which assets each route's outcome would bind, at every edge."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consensus.rules import IN_FAVOUR, AssetFacts, Coverage, Route, Stance, coverage, evaluate
from tests.consensus.test_rules import ALLIES, BY_POPULATION, EU, STATES

S, C, A, U = Stance.SUPPORT, Stance.CONDITIONAL, Stance.ABSTAIN, Stance.UNDECIDED
OPP = Stance.OPPOSE


def held(
    *,
    alliance: dict[str, Stance] | None = None,
    bilateral: dict[str, Stance] | None = None,
    eu: dict[str, Stance] | None = None,
    alliance_all: Stance | None = None,
    eu_all: Stance | None = None,
) -> dict[str, dict[Route, Stance]]:
    result: dict[str, dict[Route, Stance]] = {}
    if alliance_all is not None:
        for code in ALLIES:
            result.setdefault(code, {})[Route.ALLIANCE] = alliance_all
    if eu_all is not None:
        for code in EU:
            result.setdefault(code, {})[Route.EU] = eu_all
    for route, given_stances in (
        (Route.ALLIANCE, alliance),
        (Route.BILATERAL, bilateral),
        (Route.EU, eu),
    ):
        for code, stance in (given_stances or {}).items():
            result.setdefault(code, {})[route] = stance
    return result


def assets(*items: tuple[int, str, int]) -> list[AssetFacts]:
    return [AssetFacts(id=i, host=host, criticality=c) for i, host, c in items]


def cover(
    stance_map: dict[str, dict[Route, Stance]],
    found: Sequence[AssetFacts],
    *,
    lead: str = "USA",
    eu_rule: str = "qmv",
) -> dict[Route, Coverage]:
    evaluation = evaluate(states=STATES, stances=stance_map, lead=lead, eu_rule=eu_rule)
    return coverage(evaluation=evaluation, states=STATES, stances=stance_map, assets=found)


# Ports in NLD and DEU (allies in the EU), TUR (an ally outside the EU), IRL (EU only).
PORTS = assets((1, "NLD", 5), (2, "DEU", 4), (3, "TUR", 3), (4, "IRL", 1))


def test_no_assets_has_no_share_on_any_route():
    found = cover(held(alliance_all=S, eu_all=S), [])
    for route in Route:
        assert found[route].as_dict() == {
            "assets": 0,
            "covered": 0,
            "share": None,
            "weighted_share": None,
            "uncovered": [],
            "would_cover": {"states": [], "criticality": 0},
        }


def test_an_agreed_alliance_covers_every_allys_assets_and_no_eu_only_states():
    found = cover(held(alliance_all=S), PORTS)[Route.ALLIANCE]
    assert (found.assets, found.covered, found.uncovered) == (4, 3, (4,))
    assert found.share == 3 / 4
    assert found.weighted_share == 12 / 13
    # Ireland is not an ally: no move on the alliance route can cover it.
    assert found.would_cover == ()


def test_an_open_alliance_covers_nothing_and_names_everyone_it_needs():
    everyone_but_two = {code: S for code in ALLIES if code not in {"HUN", "TUR"}}
    stance_map = held(alliance={**everyone_but_two, "HUN": OPP})  # TUR undecided
    found = cover(stance_map, PORTS)[Route.ALLIANCE]
    assert found.covered == 0
    assert found.uncovered == (1, 2, 3, 4)
    # No single move agrees it: both must move, and then every ally's asset is covered.
    assert found.would_cover == ("HUN", "TUR")
    assert found.would_cover_criticality == 12


def test_one_move_that_agrees_the_alliance_is_named_alone():
    stance_map = held(alliance={**dict.fromkeys(ALLIES, S), "POL": U})
    found = cover(stance_map, PORTS)[Route.ALLIANCE]
    assert found.would_cover == ("POL",)
    assert found.would_cover_criticality == 12


def test_all_covered_on_an_agreed_alliance():
    found = cover(held(alliance_all=C), assets((7, "USA", 2), (8, "ALB", 5)))[Route.ALLIANCE]
    assert (found.covered, found.share, found.weighted_share, found.uncovered) == (2, 1.0, 1.0, ())


def test_the_bilateral_route_covers_the_lead_and_its_partners_once_viable():
    found = cover(
        held(bilateral={"USA": S, "NLD": C, "DEU": OPP}),
        assets((1, "NLD", 5), (2, "DEU", 4), (5, "USA", 2)),
    )[Route.BILATERAL]
    assert found.uncovered == (2,)
    assert (found.covered, found.weighted_share) == (2, 7 / 11)
    assert found.would_cover == ("DEU",)
    assert found.would_cover_criticality == 4


def test_the_leads_own_assets_wait_for_a_partner():
    lone_lead = cover(held(bilateral={"USA": S}), assets((5, "USA", 2), (1, "NLD", 5)))
    found = lone_lead[Route.BILATERAL]
    assert found.covered == 0
    # The Netherlands joining makes the route viable: its asset and the lead's.
    assert found.would_cover == ("NLD",)
    assert found.would_cover_criticality == 7


def test_a_lead_not_in_favour_binds_nobody_and_its_move_covers_the_partners():
    found = cover(
        held(bilateral={"USA": U, "NLD": S, "DEU": S}),
        assets((1, "NLD", 5), (2, "DEU", 4), (5, "USA", 2)),
    )[Route.BILATERAL]
    assert found.covered == 0
    assert found.would_cover == ("USA",)
    assert found.would_cover_criticality == 11


def test_a_lead_without_partners_needs_the_ally_hosting_the_most():
    found = cover(held(bilateral={"USA": A}), PORTS)[Route.BILATERAL]
    assert found.would_cover == ("NLD", "USA")
    assert found.would_cover_criticality == 5


def test_another_lead():
    found = cover(held(bilateral={"FRA": S, "NLD": S}), PORTS, lead="FRA")[Route.BILATERAL]
    assert found.uncovered == (2, 3, 4)
    assert found.covered == 1


def test_the_eu_route_covers_eu_states_only_once_reached():
    reached = cover(held(eu_all=S), PORTS)[Route.EU]
    # Türkiye hosts an asset but is outside the EU: never covered on the EU route.
    assert reached.uncovered == (3,)
    assert reached.covered == 3
    assert reached.would_cover == ()

    not_yet = cover(held(eu=dict.fromkeys(BY_POPULATION[:5], S)), PORTS)[Route.EU]
    assert not_yet.covered == 0
    assert not_yet.uncovered == (1, 2, 3, 4)
    evaluation = evaluate(
        states=STATES,
        stances=held(eu=dict.fromkeys(BY_POPULATION[:5], S)),
        lead="USA",
        eu_rule="qmv",
    )
    assert not_yet.would_cover == evaluation.eu.needed
    assert not_yet.would_cover_criticality == 10  # NLD, DEU and IRL; not TUR


def test_a_qualified_majority_binds_those_outvoted_too():
    stance_map = held(eu={**dict.fromkeys(EU, S), "NLD": OPP, "IRL": OPP})
    found = cover(stance_map, PORTS)[Route.EU]
    assert found.covered == 3


def test_unanimity_is_blocked_by_one_and_covers_nothing():
    stance_map = held(eu={**dict.fromkeys(EU, S), "NLD": OPP})
    found = cover(stance_map, PORTS, eu_rule="unanimity")[Route.EU]
    assert found.covered == 0
    assert found.would_cover == ("NLD",)
    assert found.would_cover_criticality == 10


@pytest.mark.parametrize(
    "bad",
    [
        assets((1, "NLD", 0)),
        assets((1, "NLD", 6)),
        assets((1, "XXX", 3)),
        assets((1, "NLD", 3), (1, "DEU", 3)),
    ],
)
def test_bad_asset_facts_are_refused(bad):
    with pytest.raises(ValueError, match="asset 1"):
        cover(held(), bad)


# Properties -----------------------------------------------------------------------------

STANCE = st.sampled_from(list(Stance))
CODES = [s.code for s in STATES]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, dict[Route, Stance]], list[AssetFacts]]:
    stance_map: dict[str, dict[Route, Stance]] = {}
    for code in draw(st.lists(st.sampled_from(CODES), unique=True, max_size=36)):
        stance_map[code] = {route: draw(STANCE) for route in Route}
    hosts = draw(st.lists(st.sampled_from(CODES), max_size=12))
    found = [
        AssetFacts(id=i + 1, host=host, criticality=draw(st.integers(1, 5)))
        for i, host in enumerate(hosts)
    ]
    return stance_map, found


def ids(found: Iterable[AssetFacts]) -> set[int]:
    return {a.id for a in found}


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_coverage_counts_add_up_and_a_success_is_needed(scenario):
    stance_map, found = scenario
    evaluation = evaluate(states=STATES, stances=stance_map, lead="USA", eu_rule="qmv")
    result = coverage(evaluation=evaluation, states=STATES, stances=stance_map, assets=found)
    for route in Route:
        c = result[route]
        assert c.covered + len(c.uncovered) == c.assets == len(found)
        assert set(c.uncovered) <= ids(found)
        if found:
            assert c.share is not None
            assert c.weighted_share is not None
            assert 0 <= c.share <= 1
            assert 0 <= c.weighted_share <= 1
        if evaluation.result(route).status not in {"agreed", "viable", "reached"}:
            assert c.covered == 0
        # Moving the named states covers what was promised, and never less.
        if c.would_cover:
            moved = {
                code: {**stance_map.get(code, {}), route: Stance.SUPPORT} for code in c.would_cover
            }
            after_map = {**stance_map, **moved}
            after_eval = evaluate(states=STATES, stances=after_map, lead="USA", eu_rule="qmv")
            after = coverage(evaluation=after_eval, states=STATES, stances=after_map, assets=found)[
                route
            ]
            gained = sum(
                a.criticality
                for a in found
                if a.id in set(c.uncovered) and a.id not in set(after.uncovered)
            )
            assert gained == c.would_cover_criticality > 0


def covered_after(stance_map, found, route, movers):
    moved = {code: {**stance_map.get(code, {}), route: Stance.SUPPORT} for code in movers}
    after_map = {**stance_map, **moved}
    evaluation = evaluate(states=STATES, stances=after_map, lead="USA", eu_rule="qmv")
    after = coverage(evaluation=evaluation, states=STATES, stances=after_map, assets=found)[route]
    return {a.id for a in found} - set(after.uncovered)


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_no_single_move_covers_more_than_the_one_named(scenario):
    stance_map, found = scenario
    evaluation = evaluate(states=STATES, stances=stance_map, lead="USA", eu_rule="qmv")
    result = coverage(evaluation=evaluation, states=STATES, stances=stance_map, assets=found)
    criticality = {a.id: a.criticality for a in found}
    members = {Route.ALLIANCE: ALLIES, Route.BILATERAL: ALLIES, Route.EU: EU}
    for route in Route:
        c = result[route]
        before = {a.id for a in found} - set(c.uncovered)
        best = 0
        for code in members[route]:
            if stance_map.get(code, {}).get(route, Stance.UNDECIDED) in IN_FAVOUR:
                continue
            gained = covered_after(stance_map, found, route, [code]) - before
            best = max(best, sum(criticality[i] for i in gained))
        if len(c.would_cover) == 1:
            assert c.would_cover_criticality == best
        else:
            assert best == 0  # a group is named only when no single move covers anything
