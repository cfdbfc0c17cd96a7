"""The pure route rules (no database), at every edge of every rule.

The facts are the real 36 states from ``positions/data/states.csv``; where a
threshold needs an exact population share, the populations are synthetic
(``StateFacts`` are plain data).
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pytest

from consensus.rules import (
    IN_FAVOUR,
    EuRule,
    Evaluation,
    Outcome,
    Route,
    Stance,
    StateFacts,
    evaluate,
    recommend,
    routes_for,
)

STATES_CSV = Path(__file__).resolve().parents[2] / "positions" / "data" / "states.csv"


def load_states() -> list[StateFacts]:
    """The real state facts, as the data migration loads them."""
    with STATES_CSV.open(newline="", encoding="utf-8") as f:
        return [
            StateFacts(
                code=row["code"],
                nato_member=row["nato_member"] == "true",
                eu_member=row["eu_member"] == "true",
                eu_population=int(row["eu_population"]) if row["eu_population"] else None,
            )
            for row in csv.DictReader(f)
        ]


STATES = load_states()
ALLIES = sorted(s.code for s in STATES if s.nato_member)
EU = sorted(s.code for s in STATES if s.eu_member)
POPULATION = {s.code: s.eu_population or 0 for s in STATES if s.eu_member}
# EU members, most populous first.
BY_POPULATION = sorted(EU, key=lambda code: (-POPULATION[code], code))

StanceMap = dict[str, dict[Route, Stance]]


def stances(
    *,
    alliance: Mapping[str, Stance] | None = None,
    bilateral: Mapping[str, Stance] | None = None,
    eu: Mapping[str, Stance] | None = None,
) -> StanceMap:
    """A stance map from per-route assignments; anything left out is undecided."""
    result: StanceMap = {}
    for route, assigned in (
        (Route.ALLIANCE, alliance),
        (Route.BILATERAL, bilateral),
        (Route.EU, eu),
    ):
        for code, stance in (assigned or {}).items():
            result.setdefault(code, {})[route] = stance
    return result


def every(codes: Iterable[str], stance: Stance, **others: Stance) -> dict[str, Stance]:
    """``stance`` for every code, except those named (by code) with their own."""
    result = dict.fromkeys(codes, stance)
    result.update(others)
    return result


def run(
    the_stances: StanceMap,
    *,
    lead: str = "USA",
    eu_rule: EuRule | str = EuRule.QMV,
    states: Sequence[StateFacts] = STATES,
) -> Evaluation:
    return evaluate(states=states, stances=the_stances, lead=lead, eu_rule=eu_rule)


def qmv(eu: Mapping[str, Stance], states: Sequence[StateFacts] = STATES) -> Evaluation:
    return run(stances(eu=eu), eu_rule=EuRule.QMV, states=states)


def in_favour_first(
    n: int, order: Sequence[str], rest: Stance = Stance.OPPOSE
) -> dict[str, Stance]:
    """The first ``n`` states of ``order`` support, the others take ``rest``."""
    return {code: Stance.SUPPORT if i < n else rest for i, code in enumerate(order)}


def synthetic(populations: Mapping[str, int]) -> list[StateFacts]:
    """The real states with made-up EU populations."""
    return [
        dataclasses.replace(s, eu_population=populations[s.code]) if s.eu_member else s
        for s in STATES
    ]


def counts(**given: int) -> dict[str, int]:
    result = dict.fromkeys(["support", "conditional", "abstain", "undecided", "oppose"], 0)
    result.update(given)
    return result


# --- the facts and the vocabulary ---------------------------------------------


def test_the_reference_facts_are_the_32_allies_and_the_27_eu_members():
    assert len(STATES) == 36
    assert len(ALLIES) == 32
    assert len(EU) == 27
    assert sum(POPULATION.values()) == 449_206_200


def test_an_ally_in_the_eu_belongs_to_every_route():
    assert routes_for(nato_member=True, eu_member=True) == (
        Route.ALLIANCE,
        Route.BILATERAL,
        Route.EU,
    )


def test_an_ally_outside_the_eu_has_no_eu_route():
    assert routes_for(nato_member=True, eu_member=False) == (Route.ALLIANCE, Route.BILATERAL)


def test_an_eu_state_outside_nato_has_only_the_eu_route():
    assert routes_for(nato_member=False, eu_member=True) == (Route.EU,)


def test_in_favour_means_support_or_conditional():
    assert {Stance.SUPPORT, Stance.CONDITIONAL} == IN_FAVOUR


def test_outcomes_rank_failure_below_open_below_success():
    assert Outcome.FAILS < Outcome.OPEN < Outcome.SUCCEEDS


# --- alliance -------------------------------------------------------------------


def test_the_alliance_is_agreed_when_nobody_opposes_or_is_undecided():
    result = run(stances(alliance=every(ALLIES, Stance.SUPPORT, TUR=Stance.ABSTAIN))).alliance
    assert result.status == "agreed"
    assert result.outcome is Outcome.SUCCEEDS
    assert result.support_level == 31 / 32
    assert result.blockers == ()
    assert result.undecided == ()
    assert result.needed == ()


def test_an_agreed_alliance_can_be_blocked_by_any_ally():
    result = run(stances(alliance=every(ALLIES, Stance.CONDITIONAL))).alliance
    assert result.could_block == tuple(ALLIES)


def test_the_alliance_is_open_while_an_ally_is_undecided():
    result = run(stances(alliance=every(ALLIES, Stance.SUPPORT, HUN=Stance.UNDECIDED))).alliance
    assert result.status == "open"
    assert result.outcome is Outcome.OPEN
    assert result.undecided == ("HUN",)
    assert result.needed == ("HUN",)
    assert result.could_block == ()


def test_a_missing_stance_is_undecided():
    result = run({}).alliance
    assert result.status == "open"
    assert result.undecided == tuple(ALLIES)
    assert result.counts[Stance.UNDECIDED] == 32
    assert result.support_level == 0.0


def test_one_opposing_ally_blocks_the_alliance():
    result = run(
        stances(
            alliance=every(
                ALLIES, Stance.SUPPORT, TUR=Stance.OPPOSE, HUN=Stance.UNDECIDED, FRA=Stance.ABSTAIN
            )
        )
    ).alliance
    assert result.status == "blocked"
    assert result.outcome is Outcome.FAILS
    assert result.blockers == ("TUR",)
    assert result.undecided == ("HUN",)
    # The abstainer need not move: abstaining does not block consensus.
    assert result.needed == ("HUN", "TUR")
    assert result.could_block == ()
    assert result.counts == counts(support=29, abstain=1, undecided=1, oppose=1)


def test_the_alliance_support_level_is_the_share_of_the_32_allies_in_favour():
    half = {
        code: Stance.SUPPORT if i % 2 else Stance.CONDITIONAL for i, code in enumerate(ALLIES[:16])
    }
    result = run(stances(alliance=half)).alliance
    assert result.support_level == 0.5


def test_eu_only_states_are_not_on_the_alliance_or_bilateral_route():
    outsiders = every(["AUT", "CYP", "IRL", "MLT"], Stance.OPPOSE)
    evaluation = run(
        stances(
            alliance={**every(ALLIES, Stance.SUPPORT), **outsiders},
            bilateral={**every(ALLIES, Stance.SUPPORT), **outsiders},
        )
    )
    assert evaluation.alliance.status == "agreed"
    assert sum(evaluation.alliance.counts.values()) == 32
    assert "AUT" not in evaluation.alliance.could_block
    assert evaluation.bilateral.status == "viable"
    assert sum(evaluation.bilateral.counts.values()) == 32
    assert "AUT" not in evaluation.bilateral.partners


def test_a_route_reads_only_its_own_stances():
    # Support on the EU route says nothing about the alliance.
    evaluation = run(stances(eu=every(EU, Stance.SUPPORT)))
    assert evaluation.alliance.status == "open"
    assert evaluation.bilateral.status == "open"
    assert evaluation.eu.status == "reached"


def test_each_routes_result_can_be_looked_up_by_route():
    evaluation = run({})
    assert evaluation.result(Route.ALLIANCE) is evaluation.alliance
    assert evaluation.result("bilateral") is evaluation.bilateral
    assert evaluation.result(Route.EU) is evaluation.eu


# --- bilateral -------------------------------------------------------------------


def test_bilateral_is_viable_with_the_lead_in_favour_and_one_partner():
    result = run(stances(bilateral={"USA": Stance.SUPPORT, "GBR": Stance.CONDITIONAL})).bilateral
    assert result.status == "viable"
    assert result.outcome is Outcome.SUCCEEDS
    assert result.lead == "USA"
    assert result.partners == ("GBR",)
    assert result.support_level == 1 / 31
    assert result.needed == ()
    # With a single partner, either side walking away ends it.
    assert result.could_block == ("GBR", "USA")


def test_with_several_partners_only_the_lead_could_block_bilateral():
    result = run(
        stances(bilateral={"USA": Stance.SUPPORT, "GBR": Stance.SUPPORT, "POL": Stance.SUPPORT})
    ).bilateral
    assert result.status == "viable"
    assert result.partners == ("GBR", "POL")
    assert result.support_level == 2 / 31
    assert result.could_block == ("USA",)


def test_the_lead_is_no_partner_of_itself_but_counts_on_the_route():
    result = run(stances(bilateral={"USA": Stance.SUPPORT}), lead="USA").bilateral
    assert result.partners == ()
    assert result.counts == counts(support=1, undecided=31)
    assert result.support_level == 0.0


def test_bilateral_is_open_while_the_lead_is_undecided():
    result = run(stances(bilateral={"GBR": Stance.SUPPORT})).bilateral
    assert result.status == "open"
    assert result.outcome is Outcome.OPEN
    assert result.needed == ("USA",)
    assert result.could_block == ()


def test_bilateral_is_open_while_some_ally_could_still_become_a_partner():
    result = run(
        stances(
            bilateral=every(
                ALLIES, Stance.OPPOSE, USA=Stance.SUPPORT, ALB=Stance.ABSTAIN, CAN=Stance.UNDECIDED
            )
        )
    ).bilateral
    assert result.status == "open"
    assert result.undecided == ("CAN",)
    # The undecided ally is the candidate partner, before the abstaining one.
    assert result.needed == ("CAN",)


def test_bilateral_needs_the_lead_and_a_partner_when_neither_is_there():
    result = run({}, lead="USA").bilateral
    assert result.status == "open"
    assert result.needed == ("ALB", "USA")


def test_bilateral_is_not_viable_when_the_lead_abstains():
    result = run(
        stances(bilateral={"USA": Stance.ABSTAIN, "GBR": Stance.SUPPORT, "POL": Stance.SUPPORT})
    ).bilateral
    assert result.status == "not_viable"
    assert result.outcome is Outcome.FAILS
    assert result.needed == ("USA",)
    assert result.could_block == ()


def test_bilateral_is_not_viable_when_the_lead_opposes():
    result = run(
        stances(bilateral={"FRA": Stance.OPPOSE, "DEU": Stance.SUPPORT}), lead="FRA"
    ).bilateral
    assert result.status == "not_viable"
    assert result.lead == "FRA"
    assert result.needed == ("FRA",)


def test_bilateral_is_not_viable_when_no_ally_could_become_a_partner():
    abstaining = run(
        stances(bilateral=every(ALLIES, Stance.OPPOSE, USA=Stance.SUPPORT, NOR=Stance.ABSTAIN))
    ).bilateral
    assert abstaining.status == "not_viable"
    assert abstaining.partners == ()
    # An abstainer is closer to partnership than an opponent.
    assert abstaining.needed == ("NOR",)

    opposing = run(stances(bilateral=every(ALLIES, Stance.OPPOSE, USA=Stance.SUPPORT))).bilateral
    assert opposing.status == "not_viable"
    assert opposing.needed == ("ALB",)


def test_an_undecided_lead_without_any_possible_partner_is_not_viable():
    result = run(stances(bilateral=every(ALLIES, Stance.ABSTAIN, USA=Stance.UNDECIDED))).bilateral
    assert result.status == "not_viable"
    assert result.needed == ("ALB", "USA")


# --- eu, qualified majority -------------------------------------------------------


def test_qmv_needs_15_states_even_with_the_population():
    # The 14 most populous states hold over 90% of the population: not enough states.
    fourteen = qmv(in_favour_first(14, BY_POPULATION)).eu
    assert fourteen.states_in_favour == 14
    assert fourteen.population_in_favour > 0.9
    assert fourteen.status == "blocked"
    assert fourteen.outcome is Outcome.FAILS
    assert fourteen.needed == ("BGR",)

    fifteen = qmv(in_favour_first(15, BY_POPULATION)).eu
    assert fifteen.states_in_favour == 15
    assert fifteen.status == "reached"
    assert fifteen.outcome is Outcome.SUCCEEDS
    assert fifteen.support_level == 15 / 27
    assert fifteen.needed == ()


def test_qmv_counts_states_by_membership_not_a_rounded_percentage():
    # 55% of 27 is 14.85: 15 are needed.
    assert qmv(in_favour_first(14, BY_POPULATION)).eu.best_case.status == "blocked"
    assert qmv(in_favour_first(15, BY_POPULATION)).eu.best_case.status == "reached"


def test_qmv_fails_on_15_states_without_65_percent_of_the_population():
    smallest = list(reversed(BY_POPULATION))
    result = qmv(in_favour_first(15, smallest)).eu
    assert result.states_in_favour == 15
    assert result.population_in_favour == pytest.approx(0.1376, abs=1e-4)
    assert result.status == "blocked"


# 15 states of 1,300 and 12 of 875: 19,500 of 30,000 is exactly 65%.
AT_65 = {code: 1_300 if i < 15 else 875 for i, code in enumerate(EU)}
# Move one person from the in-favour side: 19,499 of 30,000.
JUST_UNDER_65 = {**AT_65, EU[0]: 1_299, EU[-1]: 876}


def test_qmv_is_reached_at_exactly_65_percent_of_the_population():
    result = qmv(in_favour_first(15, EU), synthetic(AT_65)).eu
    assert result.states_in_favour == 15
    assert result.population_in_favour == 0.65
    assert result.status == "reached"
    # One state fewer, or one person fewer, and it fails.
    assert result.could_block == tuple(EU[:15])


def test_qmv_fails_just_under_65_percent_of_the_population():
    result = qmv(in_favour_first(15, EU), synthetic(JUST_UNDER_65)).eu
    assert result.states_in_favour == 15
    assert result.population_in_favour < 0.65
    assert result.status == "blocked"
    # The smallest move that gets there: the most populous state not in favour.
    assert result.needed == (EU[-1],)


def test_fewer_than_four_states_not_in_favour_cannot_block_qmv():
    # Germany, France and Italy hold 47% of the population, yet three are no blocking minority.
    three = qmv(
        every(EU, Stance.SUPPORT, DEU=Stance.OPPOSE, FRA=Stance.OPPOSE, ITA=Stance.OPPOSE)
    ).eu
    assert three.population_in_favour < 0.65
    assert three.status == "reached"
    assert three.blockers == ("DEU", "FRA", "ITA")

    four = qmv(
        every(
            EU,
            Stance.SUPPORT,
            DEU=Stance.OPPOSE,
            FRA=Stance.OPPOSE,
            ITA=Stance.OPPOSE,
            ESP=Stance.OPPOSE,
        )
    ).eu
    assert four.status == "blocked"
    assert four.needed == ("DEU",)


def test_an_abstention_counts_against_qmv():
    big_four_abstain = every(
        EU,
        Stance.SUPPORT,
        DEU=Stance.ABSTAIN,
        FRA=Stance.ABSTAIN,
        ITA=Stance.ABSTAIN,
        ESP=Stance.ABSTAIN,
    )
    result = qmv(big_four_abstain).eu
    assert result.states_in_favour == 23
    assert result.status == "blocked"
    assert result.blockers == ()


def test_an_abstention_does_not_prevent_unanimity():
    big_four_abstain = every(
        EU,
        Stance.SUPPORT,
        DEU=Stance.ABSTAIN,
        FRA=Stance.ABSTAIN,
        ITA=Stance.ABSTAIN,
        ESP=Stance.ABSTAIN,
    )
    result = run(stances(eu=big_four_abstain), eu_rule=EuRule.UNANIMITY).eu
    assert result.status == "reached"
    assert result.states_in_favour == 23


def test_qmv_is_open_when_the_undecided_could_still_carry_it():
    result = qmv(in_favour_first(15, list(reversed(BY_POPULATION)), rest=Stance.UNDECIDED)).eu
    assert result.status == "open"
    assert result.outcome is Outcome.OPEN
    assert result.best_case.status == "reached"
    assert result.best_case.states_in_favour == 27
    assert result.best_case.population_in_favour == 1.0
    assert result.worst_case.status == "blocked"
    assert result.worst_case.states_in_favour == 15
    # Population is what is missing: the largest undecided states first, no more than it takes.
    assert result.needed == ("DEU", "ESP", "FRA", "ITA")


def test_qmv_needs_the_most_populous_states_first():
    result = qmv({}).eu
    assert result.status == "open"
    assert result.needed == tuple(sorted(BY_POPULATION[:15]))


def test_a_non_eu_allys_eu_stance_is_ignored():
    eu_in_favour = every(EU, Stance.SUPPORT)
    for rule in EuRule:
        result = run(
            stances(eu={**eu_in_favour, "USA": Stance.OPPOSE, "TUR": Stance.OPPOSE}), eu_rule=rule
        ).eu
        assert result.status == "reached"
        assert result.blockers == ()
        assert sum(result.counts.values()) == 27
        assert result.support_level == 1.0


def test_qmv_with_exactly_15_in_favour_can_be_blocked_by_any_of_them():
    result = qmv(in_favour_first(15, BY_POPULATION)).eu
    assert result.could_block == tuple(sorted(BY_POPULATION[:15]))


def test_qmv_with_room_to_spare_cannot_be_blocked_by_one_state():
    result = qmv(in_favour_first(16, BY_POPULATION)).eu
    assert result.status == "reached"
    assert result.could_block == ()


def test_qmv_just_over_65_percent_can_be_blocked_by_any_state_carrying_the_margin():
    # 65.9% in favour: 4,140,070 people above the threshold.
    not_in_favour = {
        "DEU": Stance.OPPOSE,
        "FRA": Stance.OPPOSE,
        "LUX": Stance.ABSTAIN,
        "MLT": Stance.UNDECIDED,
    }
    result = qmv(every(EU, Stance.SUPPORT, **not_in_favour)).eu
    assert result.status == "reached"
    assert result.could_block == tuple(
        sorted(code for code in EU if code not in not_in_favour and POPULATION[code] > 4_140_070)
    )
    assert "IRL" in result.could_block  # 5,343,800
    assert "HRV" not in result.could_block  # 3,862,000


def test_qmv_reports_the_population_share_in_favour():
    result = qmv({"DEU": Stance.SUPPORT, "FRA": Stance.CONDITIONAL}).eu
    assert result.states_in_favour == 2
    assert result.population_in_favour == (83_445_000 + 68_402_000) / 449_206_200
    assert result.support_level == 2 / 27


def test_the_worst_case_under_qmv_is_every_undecided_state_opposed():
    result = qmv(in_favour_first(20, BY_POPULATION, rest=Stance.UNDECIDED)).eu
    assert result.status == "reached"
    assert result.worst_case.status == "reached"
    assert result.worst_case.states_in_favour == 20
    assert result.best_case.states_in_favour == 27


# --- eu, unanimity -----------------------------------------------------------------


def test_unanimity_is_reached_when_nobody_opposes_or_is_undecided():
    result = run(stances(eu=every(EU, Stance.SUPPORT, MLT=Stance.ABSTAIN)), eu_rule="unanimity").eu
    assert result.rule is EuRule.UNANIMITY
    assert result.status == "reached"
    assert result.needed == ()
    # Even an abstainer could block by opposing.
    assert result.could_block == tuple(EU)
    assert result.best_case.status == "reached"
    assert result.worst_case.status == "reached"


def test_unanimity_is_open_while_a_state_is_undecided():
    result = run(
        stances(eu=every(EU, Stance.SUPPORT, IRL=Stance.UNDECIDED)), eu_rule="unanimity"
    ).eu
    assert result.status == "open"
    assert result.undecided == ("IRL",)
    assert result.needed == ("IRL",)
    assert result.could_block == ()
    assert result.best_case.status == "reached"
    assert result.best_case.states_in_favour == 27
    assert result.worst_case.status == "blocked"
    assert result.worst_case.states_in_favour == 26


def test_one_opposing_state_blocks_unanimity():
    result = run(
        stances(eu=every(EU, Stance.SUPPORT, HUN=Stance.OPPOSE, AUT=Stance.UNDECIDED)),
        eu_rule="unanimity",
    ).eu
    assert result.status == "blocked"
    assert result.blockers == ("HUN",)
    assert result.needed == ("AUT", "HUN")
    assert result.best_case.status == "blocked"
    assert result.worst_case.status == "blocked"


def test_unanimity_ignores_the_population_and_qmv_ignores_a_lone_opponent():
    one_against = stances(eu=every(EU, Stance.SUPPORT, DEU=Stance.OPPOSE))
    assert run(one_against, eu_rule=EuRule.UNANIMITY).eu.status == "blocked"
    assert run(one_against, eu_rule=EuRule.QMV).eu.status == "reached"


# --- the recommended route -------------------------------------------------------


ALL_IN_FAVOUR = stances(
    alliance=every(ALLIES, Stance.SUPPORT),
    bilateral=every(ALLIES, Stance.SUPPORT),
    eu=every(EU, Stance.SUPPORT),
)


def test_the_alliance_is_recommended_when_every_route_succeeds():
    assert run(ALL_IN_FAVOUR).recommended is Route.ALLIANCE


def test_the_eu_is_recommended_over_bilateral_when_both_succeed():
    the_stances = stances(
        alliance=every(ALLIES, Stance.SUPPORT, TUR=Stance.UNDECIDED),
        bilateral=every(ALLIES, Stance.SUPPORT),
        eu=every(EU, Stance.SUPPORT),
    )
    evaluation = run(the_stances)
    assert evaluation.alliance.status == "open"
    assert evaluation.recommended is Route.EU


def test_the_broader_route_wins_among_successes_whatever_their_support_levels():
    the_stances = stances(
        alliance=every(ALLIES, Stance.ABSTAIN, USA=Stance.SUPPORT),
        bilateral=every(ALLIES, Stance.SUPPORT),
        eu=every(EU, Stance.SUPPORT),
    )
    evaluation = run(the_stances)
    assert evaluation.alliance.status == "agreed"
    assert evaluation.alliance.support_level == 1 / 32
    assert evaluation.eu.support_level == 1.0
    assert evaluation.recommended is Route.ALLIANCE


def test_success_beats_a_better_supported_open_route():
    the_stances = stances(
        alliance=every(ALLIES, Stance.SUPPORT, TUR=Stance.UNDECIDED),
        bilateral={"USA": Stance.SUPPORT, "GBR": Stance.SUPPORT},
        eu={},
    )
    evaluation = run(the_stances)
    assert evaluation.alliance.support_level == 31 / 32
    assert evaluation.bilateral.support_level == 1 / 31
    assert evaluation.recommended is Route.BILATERAL


def test_among_open_routes_the_higher_support_level_wins():
    the_stances = stances(
        alliance=every(ALLIES[:10], Stance.SUPPORT),
        bilateral={"GBR": Stance.SUPPORT},
        eu=in_favour_first(14, EU, rest=Stance.UNDECIDED),
    )
    evaluation = run(the_stances)
    assert [r.status for r in (evaluation.alliance, evaluation.bilateral, evaluation.eu)] == [
        "open",
        "open",
        "open",
    ]
    assert evaluation.eu.support_level > evaluation.alliance.support_level
    assert evaluation.recommended is Route.EU


def test_among_equally_supported_open_routes_the_broader_wins():
    assert run({}).recommended is Route.ALLIANCE
    alliance_blocked = stances(alliance={"USA": Stance.OPPOSE})
    assert run(alliance_blocked).recommended is Route.EU


def test_no_route_is_recommended_when_every_route_fails():
    the_stances = stances(
        alliance={"TUR": Stance.OPPOSE},
        bilateral={"USA": Stance.OPPOSE},
        eu=every(EU, Stance.OPPOSE),
    )
    evaluation = run(the_stances)
    assert evaluation.recommended is None
    assert evaluation.as_dict()["recommended_route"] is None


def test_recommend_orders_successes_by_breadth_and_open_routes_by_support_level():
    assert (
        recommend(
            {
                Route.ALLIANCE: (Outcome.OPEN, 0.9),
                Route.BILATERAL: (Outcome.SUCCEEDS, 0.1),
                Route.EU: (Outcome.SUCCEEDS, 0.6),
            }
        )
        is Route.EU
    )
    assert (
        recommend(
            {
                Route.ALLIANCE: (Outcome.OPEN, 0.5),
                Route.BILATERAL: (Outcome.OPEN, 0.5),
                Route.EU: (Outcome.OPEN, 0.4),
            }
        )
        is Route.ALLIANCE
    )
    assert (
        recommend(
            {
                Route.ALLIANCE: (Outcome.FAILS, 1.0),
                Route.BILATERAL: (Outcome.OPEN, 0.5),
                Route.EU: (Outcome.OPEN, 0.5),
            }
        )
        is Route.EU
    )
    assert (
        recommend(
            {
                Route.ALLIANCE: (Outcome.FAILS, 0.9),
                Route.BILATERAL: (Outcome.OPEN, 0.2),
                Route.EU: (Outcome.OPEN, 0.1),
            }
        )
        is Route.BILATERAL
    )
    assert recommend(dict.fromkeys(Route, (Outcome.FAILS, 1.0))) is None
    assert recommend({}) is None


# --- the shapes ------------------------------------------------------------------


def test_the_evaluation_serialises_to_the_api_shape():
    data = run(
        stances(
            alliance={"TUR": Stance.OPPOSE, "USA": Stance.SUPPORT},
            bilateral={"USA": Stance.SUPPORT, "GBR": Stance.SUPPORT},
            eu={"DEU": Stance.SUPPORT, "HUN": Stance.OPPOSE, "AUT": Stance.ABSTAIN},
        )
    ).as_dict()

    assert list(data) == ["routes", "recommended_route"]
    assert list(data["routes"]) == ["alliance", "bilateral", "eu"]
    assert data["recommended_route"] == "bilateral"
    assert data["routes"]["alliance"] == {
        "status": "blocked",
        "support_level": 1 / 32,
        "counts": counts(support=1, undecided=30, oppose=1),
        "blockers": ["TUR"],
        "undecided": [code for code in ALLIES if code not in ("TUR", "USA")],
        "needed": [code for code in ALLIES if code != "USA"],
        "could_block": [],
    }
    assert list(data["routes"]["alliance"]) == [
        "status",
        "support_level",
        "counts",
        "blockers",
        "undecided",
        "needed",
        "could_block",
    ]
    assert data["routes"]["bilateral"] == {
        "status": "viable",
        "lead": "USA",
        "support_level": 1 / 31,
        "partners": ["GBR"],
        "counts": counts(support=2, undecided=30),
        "undecided": [code for code in ALLIES if code not in ("GBR", "USA")],
        "needed": [],
        "could_block": ["GBR", "USA"],
    }
    assert list(data["routes"]["bilateral"]) == [
        "status",
        "lead",
        "support_level",
        "partners",
        "counts",
        "undecided",
        "needed",
        "could_block",
    ]
    eu = data["routes"]["eu"]
    assert list(eu) == [
        "rule",
        "status",
        "support_level",
        "states_in_favour",
        "population_in_favour",
        "counts",
        "blockers",
        "undecided",
        "best_case",
        "worst_case",
        "needed",
        "could_block",
    ]
    assert eu["rule"] == "qmv"
    assert eu["status"] == "open"
    assert eu["support_level"] == 1 / 27
    assert eu["states_in_favour"] == 1
    assert eu["population_in_favour"] == 83_445_000 / 449_206_200
    assert eu["counts"] == counts(support=1, abstain=1, undecided=24, oppose=1)
    assert eu["blockers"] == ["HUN"]
    assert eu["undecided"] == [code for code in EU if code not in ("DEU", "HUN", "AUT")]
    assert eu["best_case"] == {
        "status": "reached",
        "states_in_favour": 25,
        "population_in_favour": (449_206_200 - POPULATION["HUN"] - POPULATION["AUT"]) / 449_206_200,
    }
    assert list(eu["best_case"]) == ["status", "states_in_favour", "population_in_favour"]
    assert eu["worst_case"] == {
        "status": "blocked",
        "states_in_favour": 1,
        "population_in_favour": 83_445_000 / 449_206_200,
    }
    assert eu["could_block"] == []


def test_the_counts_always_list_every_stance_in_order():
    data = run({}).as_dict()
    for route in ("alliance", "bilateral", "eu"):
        assert list(data["routes"][route]["counts"]) == [
            "support",
            "conditional",
            "abstain",
            "undecided",
            "oppose",
        ]


def test_the_serialised_evaluation_is_plain_json():
    data = run(ALL_IN_FAVOUR, eu_rule=EuRule.UNANIMITY).as_dict()
    assert json.loads(json.dumps(data)) == data

    def plain(value: object) -> bool:
        if isinstance(value, dict):
            return all(type(k) is str and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or type(value) in (str, int, float, bool)

    assert plain(data)
    assert data["routes"]["eu"]["rule"] == "unanimity"
    assert data["recommended_route"] == "alliance"


def test_stances_may_be_given_as_plain_strings():
    evaluation = evaluate(
        states=STATES,
        stances={code: {"alliance": "support"} for code in ALLIES},
        lead="USA",
        eu_rule="qmv",
    )
    assert evaluation.alliance.status == "agreed"


# --- refusals --------------------------------------------------------------------


@pytest.mark.parametrize("lead", ["AUT", "XXX", ""])
def test_a_lead_that_is_not_an_ally_is_refused(lead):
    with pytest.raises(ValueError, match="lead"):
        run({}, lead=lead)


def test_an_unknown_eu_rule_is_refused():
    with pytest.raises(ValueError, match="EU rule"):
        run({}, eu_rule="reinforced")


@pytest.mark.parametrize("population", [None, 0, -5])
def test_an_eu_member_without_a_positive_population_is_refused(population):
    states = [
        dataclasses.replace(s, eu_population=population) if s.code == "MLT" else s for s in STATES
    ]
    with pytest.raises(ValueError, match="MLT"):
        run({}, states=states)


def test_an_unknown_stance_is_refused():
    with pytest.raises(ValueError, match="stance"):
        run({"FRA": {Route.EU: "maybe"}})


def test_a_state_given_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        run({}, states=[*STATES, STATES[0]])


def test_states_without_any_eu_member_are_refused():
    with pytest.raises(ValueError, match="EU member"):
        run({}, states=[s for s in STATES if not s.eu_member])
