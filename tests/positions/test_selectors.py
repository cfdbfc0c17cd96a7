"""Reads: defaults for states that have not spoken, and a fixed number of queries."""

from __future__ import annotations

from positions import selectors
from positions.services import position_record


def test_a_state_that_has_not_spoken_is_undecided_at_version_0(measure, state):
    position = selectors.position_get(measure=measure, state=state("NOR"))
    assert position.stances() == {"alliance": "undecided", "bilateral": "undecided"}
    assert position.version == 0
    assert position.pk is None


def test_positions_list_every_state_that_can_take_a_stance(
    measure, restricted_measure, delegate_fra, state
):
    position_record(
        actor=delegate_fra,
        measure=measure,
        state=state("FRA"),
        stances={"eu": "support"},
        source="web",
    )

    positions = selectors.positions_for_measure(measure=measure)
    assert [p.state_id for p in positions][:3] == ["ALB", "AUT", "BEL"]
    assert len(positions) == 36
    assert next(p for p in positions if p.state_id == "FRA").version == 1
    assert [p.state_id for p in selectors.positions_for_measure(measure=restricted_measure)] == [
        "DEU",
        "NLD",
        "USA",
    ]


def test_positions_take_two_queries_however_many_have_spoken(
    measure, make_user, state, django_assert_num_queries
):
    with django_assert_num_queries(2):
        selectors.positions_for_measure(measure=measure)
    for code in ["FRA", "DEU", "POL", "ITA"]:
        delegate = make_user(f"d-{code}", "delegate", code)
        position_record(
            actor=delegate,
            measure=measure,
            state=state(code),
            stances={"alliance": "support"},
            source="web",
        )
    with django_assert_num_queries(2):
        selectors.positions_for_measure(measure=measure)


def test_a_delegate_sees_undecided_measures_first(
    make_measure, delegate_fra, state, django_assert_num_queries
):
    decided = make_measure(title="decided")
    make_measure(title="untouched")
    partly = make_measure(title="partly")
    fra = state("FRA")
    position_record(
        actor=delegate_fra,
        measure=decided,
        state=fra,
        stances={"alliance": "support", "bilateral": "oppose", "eu": "abstain"},
        source="web",
    )
    position_record(
        actor=delegate_fra, measure=partly, state=fra, stances={"alliance": "support"}, source="web"
    )

    with django_assert_num_queries(2):
        rows = selectors.delegate_measures(user=delegate_fra, state=fra)

    assert [r.measure.title for r in rows] == ["untouched", "partly", "decided"]
    assert rows[1].undecided_routes == ["bilateral", "eu"]
    assert rows[2].undecided_routes == []


def test_a_delegate_sees_no_restricted_measure_of_others(
    restricted_measure, measure, delegate_fra, delegate_usa, state
):
    assert [
        r.measure for r in selectors.delegate_measures(user=delegate_fra, state=state("FRA"))
    ] == [measure]
    assert {
        r.measure for r in selectors.delegate_measures(user=delegate_usa, state=state("USA"))
    } == {measure, restricted_measure}


def test_history_is_newest_first_and_can_be_narrowed_to_a_state(
    measure, delegate_fra, delegate_deu, state
):
    position_record(
        actor=delegate_fra,
        measure=measure,
        state=state("FRA"),
        stances={"eu": "support"},
        source="web",
    )
    position_record(
        actor=delegate_deu,
        measure=measure,
        state=state("DEU"),
        stances={"eu": "oppose"},
        source="api",
    )
    position_record(
        actor=delegate_fra,
        measure=measure,
        state=state("FRA"),
        stances={"eu": "abstain"},
        source="web",
    )

    assert [(c.state_id, c.version) for c in selectors.measure_history(measure=measure)] == [
        ("FRA", 2),
        ("DEU", 1),
        ("FRA", 1),
    ]
    assert [c.version for c in selectors.measure_history(measure=measure, state=state("FRA"))] == [
        2,
        1,
    ]
