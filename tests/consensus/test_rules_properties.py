"""Properties of the route rules over random stances of the real 36 states."""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from consensus.rules import (
    IN_FAVOUR,
    EuCase,
    EuRule,
    Evaluation,
    Outcome,
    Route,
    Stance,
    evaluate,
    routes_for,
)
from tests.consensus.test_rules import ALLIES, BY_POPULATION, EU, POPULATION, STATES, every
from tests.consensus.test_rules import stances as given_stances

StanceMap = dict[str, dict[Route, Stance]]

ROUTE_STATES = {Route.ALLIANCE: ALLIES, Route.BILATERAL: ALLIES, Route.EU: EU}
ROUTES_OF = {s.code: routes_for(nato_member=s.nato_member, eu_member=s.eu_member) for s in STATES}
# Every (state, route) a state may take a stance on.
SLOTS = [(code, route) for code, routes in ROUTES_OF.items() for route in routes]
LEFT_OUT = None  # no stance given: undecided
CASE_OUTCOME = {"reached": Outcome.SUCCEEDS, "blocked": Outcome.FAILS}

PROPERTIES = settings(max_examples=200, deadline=None)


@st.composite
def mixed_stance_maps(draw: st.DrawFn) -> StanceMap:
    """Each route draws its states' stances from its own few stances.

    So agreed, reached and viable routes come up about as often as blocked ones.
    """
    choices: list[Stance | None] = [*Stance, LEFT_OUT]
    palettes = {
        route: draw(st.lists(st.sampled_from(choices), min_size=1, max_size=4, unique=True))
        for route in Route
    }
    # Indexes rather than stances: one draw per slot is what keeps this fast.
    picks = draw(st.lists(st.integers(0, 11), min_size=len(SLOTS), max_size=len(SLOTS)))
    result: StanceMap = {}
    for (code, route), pick in zip(SLOTS, picks, strict=True):
        stance = palettes[route][pick % len(palettes[route])]
        if stance is not LEFT_OUT:
            result.setdefault(code, {})[route] = stance
    return result


@st.composite
def nearly_uniform_stance_maps(draw: st.DrawFn) -> StanceMap:
    """Each route one stance for all but a few states: where the edges are.

    One partner, one blocker, the last undecided, three or four states not in favour.
    """
    choices: list[Stance | None] = [*Stance, LEFT_OUT]
    result: StanceMap = {}
    for route in Route:
        codes = ROUTE_STATES[route]
        everyone = draw(st.sampled_from(choices))
        # Half the odd ones out among the most populous, where QMV's edges are.
        odd_ones = st.sampled_from(codes) | st.sampled_from(BY_POPULATION[:5])
        few = draw(st.dictionaries(odd_ones, st.sampled_from(choices), max_size=5))
        for code in codes:
            stance = few.get(code, everyone)
            if stance is not LEFT_OUT:
                result.setdefault(code, {})[route] = stance
    return result


def stance_maps() -> st.SearchStrategy[StanceMap]:
    """Stances on every route a state belongs to, some left out (undecided)."""
    return mixed_stance_maps() | nearly_uniform_stance_maps()


leads = st.sampled_from(ALLIES)
eu_rules = st.sampled_from(list(EuRule))


def run(stances: StanceMap, lead: str, eu_rule: EuRule) -> Evaluation:
    return evaluate(states=STATES, stances=stances, lead=lead, eu_rule=eu_rule)


def stance_of(stances: StanceMap, code: str, route: Route) -> Stance:
    return stances.get(code, {}).get(route, Stance.UNDECIDED)


def with_stances(stances: StanceMap, route: Route, changes: Mapping[str, Stance]) -> StanceMap:
    """A copy of ``stances`` with some states' stance on one route changed."""
    result = {code: dict(per_route) for code, per_route in stances.items()}
    for code, stance in changes.items():
        result.setdefault(code, {})[route] = stance
    return result


def outcomes(evaluation: Evaluation) -> dict[Route, Outcome]:
    return {route: evaluation.result(route).outcome for route in Route}


def outcome_if(
    stances: StanceMap, lead: str, eu_rule: EuRule, route: Route, code: str, stance: Stance
) -> Outcome:
    """The route's outcome if one state took another stance on it."""
    return run(with_stances(stances, route, {code: stance}), lead, eu_rule).result(route).outcome


def towards_support(stance: Stance) -> list[Stance]:
    """The stances one step closer to support than ``stance``.

    Into favour from outside it, or out of opposition to anything. Abstain to
    undecided is not such a move: it can turn an agreed alliance into an open one.
    """
    moves = set() if stance in IN_FAVOUR else set(IN_FAVOUR)
    if stance is Stance.OPPOSE:
        moves |= set(Stance) - {Stance.OPPOSE}
    return sorted(moves)


def case_outcome(case: EuCase) -> Outcome:
    return CASE_OUTCOME[case.status]


# Three big states against cannot block QMV, but four can: the one move that
# breaks a rule which wrongly treats "fewer than four" as "exactly four".
BIG_FOUR_AGAINST = given_stances(
    eu=every(
        EU,
        Stance.SUPPORT,
        DEU=Stance.OPPOSE,
        FRA=Stance.OPPOSE,
        ITA=Stance.OPPOSE,
        ESP=Stance.OPPOSE,
    )
)
# A single partner: either side could end the bilateral route on its own.
ONE_PARTNER = given_stances(bilateral={"USA": Stance.SUPPORT, "GBR": Stance.CONDITIONAL})


@PROPERTIES
@given(
    stances=stance_maps(),
    lead=leads,
    eu_rule=eu_rules,
    slot=st.sampled_from(SLOTS),
    to=st.sampled_from(list(Stance)),
)
@example(
    stances=BIG_FOUR_AGAINST,
    lead="USA",
    eu_rule=EuRule.QMV,
    slot=("ESP", Route.EU),
    to=Stance.SUPPORT,
)
@example(
    stances=ONE_PARTNER,
    lead="USA",
    eu_rule=EuRule.QMV,
    slot=("ALB", Route.BILATERAL),
    to=Stance.SUPPORT,
)
@example(
    stances={},  # nobody has a view yet: the lead coming forward keeps the route open
    lead="USA",
    eu_rule=EuRule.QMV,
    slot=("USA", Route.BILATERAL),
    to=Stance.SUPPORT,
)
def test_moving_towards_support_never_makes_a_route_worse(stances, lead, eu_rule, slot, to):
    code, route = slot
    assume(to in towards_support(stance_of(stances, code, route)))

    before = run(stances, lead, eu_rule)
    after = run(with_stances(stances, route, {code: to}), lead, eu_rule)

    for each, outcome in outcomes(before).items():
        assert outcomes(after)[each] >= outcome, (code, route, to, each)
    assert after.alliance.support_level >= before.alliance.support_level
    assert after.bilateral.support_level >= before.bilateral.support_level
    assert after.eu.support_level >= before.eu.support_level
    assert after.eu.population_in_favour >= before.eu.population_in_favour


@PROPERTIES
@given(stances=stance_maps(), lead=leads, eu_rule=eu_rules)
def test_the_eu_best_case_is_never_worse_than_now_nor_now_than_the_worst_case(
    stances, lead, eu_rule
):
    eu = run(stances, lead, eu_rule).eu
    assert case_outcome(eu.best_case) >= eu.outcome >= case_outcome(eu.worst_case)
    assert eu.best_case.states_in_favour >= eu.states_in_favour >= eu.worst_case.states_in_favour
    assert (
        eu.best_case.population_in_favour
        >= eu.population_in_favour
        >= eu.worst_case.population_in_favour
    )
    # Open means exactly: not reached now, but reached if the undecided come round.
    assert (eu.status == "open") == (
        eu.worst_case.status == "blocked" and eu.best_case.status == "reached"
    )


@PROPERTIES
@given(stances=stance_maps(), lead=leads, eu_rule=eu_rules)
def test_a_route_is_recommended_unless_every_route_fails(stances, lead, eu_rule):
    evaluation = run(stances, lead, eu_rule)
    by_route = outcomes(evaluation)
    if all(outcome is Outcome.FAILS for outcome in by_route.values()):
        assert evaluation.recommended is None
    else:
        assert evaluation.recommended is not None
        assert by_route[evaluation.recommended] == max(by_route.values())


@PROPERTIES
@given(stances=stance_maps(), lead=leads, eu_rule=eu_rules)
def test_what_it_would_take_is_enough(stances, lead, eu_rule):
    evaluation = run(stances, lead, eu_rule)
    for route in Route:
        needed = evaluation.result(route).needed
        if outcomes(evaluation)[route] is Outcome.SUCCEEDS:
            assert needed == ()
            continue
        assert needed == tuple(sorted(needed))
        for code in needed:
            assert stance_of(stances, code, route) not in IN_FAVOUR
        moved = with_stances(stances, route, dict.fromkeys(needed, Stance.SUPPORT))
        assert outcomes(run(moved, lead, eu_rule))[route] is Outcome.SUCCEEDS, route


@PROPERTIES
@given(stances=stance_maps(), lead=leads)
def test_what_it_would_take_under_qmv_is_the_fewest_states(stances, lead):
    eu = run(stances, lead, EuRule.QMV).eu
    if not eu.needed:
        return
    # For any number of states the most populous do best, and needed takes the
    # most populous first: so if its smallest member is not needed, nothing smaller works.
    smallest = sorted(eu.needed, key=lambda code: (-POPULATION[code], code))[-1]
    fewer = [code for code in eu.needed if code != smallest]
    moved = with_stances(stances, Route.EU, dict.fromkeys(fewer, Stance.SUPPORT))
    assert run(moved, lead, EuRule.QMV).eu.status != "reached"


@PROPERTIES
@given(stances=stance_maps(), lead=leads, eu_rule=eu_rules)
def test_consensus_needs_exactly_the_blockers_and_the_undecided(stances, lead, eu_rule):
    evaluation = run(stances, lead, eu_rule)
    alliance = evaluation.alliance
    assert alliance.needed == tuple(sorted(alliance.blockers + alliance.undecided))
    if eu_rule is EuRule.UNANIMITY:
        eu = evaluation.eu
        assert eu.needed == tuple(sorted(eu.blockers + eu.undecided))


@PROPERTIES
@given(stances=stance_maps(), lead=leads, eu_rule=eu_rules)
@example(stances=ONE_PARTNER, lead="USA", eu_rule=EuRule.UNANIMITY)
@example(stances=BIG_FOUR_AGAINST, lead="USA", eu_rule=EuRule.QMV)
def test_could_block_names_exactly_the_states_that_alone_could_undo_success(stances, lead, eu_rule):
    evaluation = run(stances, lead, eu_rule)
    for route in Route:
        could_block = evaluation.result(route).could_block
        if outcomes(evaluation)[route] is not Outcome.SUCCEEDS:
            assert could_block == ()
            continue
        spoilers = tuple(
            code
            for code in ROUTE_STATES[route]
            if outcome_if(stances, lead, eu_rule, route, code, Stance.OPPOSE)
            is not Outcome.SUCCEEDS
        )
        assert could_block == spoilers, route


@PROPERTIES
@given(stances=stance_maps(), lead=leads, eu_rule=eu_rules)
def test_counts_add_up_to_the_states_on_the_route(stances, lead, eu_rule):
    evaluation = run(stances, lead, eu_rule)
    for route in Route:
        result = evaluation.result(route)
        assert sum(result.counts.values()) == len(ROUTE_STATES[route])
        for stance in Stance:
            held = sum(
                1 for code in ROUTE_STATES[route] if stance_of(stances, code, route) is stance
            )
            assert result.counts[stance] == held
    assert evaluation.eu.states_in_favour == (
        evaluation.eu.counts[Stance.SUPPORT] + evaluation.eu.counts[Stance.CONDITIONAL]
    )


@PROPERTIES
@given(
    stances=stance_maps(),
    lead=leads,
    eu_rule=eu_rules,
    stray=st.dictionaries(
        st.sampled_from(sorted(ROUTES_OF)), st.sampled_from(list(Stance)), max_size=8
    ),
)
def test_stances_on_routes_a_state_does_not_belong_to_change_nothing(stances, lead, eu_rule, stray):
    polluted = {code: dict(per_route) for code, per_route in stances.items()}
    for code, stance in stray.items():
        for route in set(Route) - set(ROUTES_OF[code]):
            polluted.setdefault(code, {})[route] = stance
    assert run(polluted, lead, eu_rule) == run(stances, lead, eu_rule)
