"""Support now and at any past instant, rebuilt from the history, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from consensus import selectors
from positions.models import Position, PositionChange
from positions.services import position_record


def say(actor, measure, code, state, **stances):
    return position_record(
        actor=actor, measure=measure, state=state(code), stances=stances, source="api"
    ).change


def test_as_of_before_and_after_a_change(delegate_fra, measure, state):
    first = say(delegate_fra, measure, "FRA", state, eu="support")
    second = say(delegate_fra, measure, "FRA", state, eu="oppose")

    def eu_at(instant):
        stances = selectors.stances_as_of(measure_ids=[measure.pk], as_of=instant)
        return stances.get(measure.pk, {}).get("FRA", {}).get("eu", "undecided")

    assert eu_at(first.at - timedelta(microseconds=1)) == "undecided"
    assert eu_at(first.at) == "support"
    assert eu_at(second.at - timedelta(microseconds=1)) == "support"
    assert eu_at(second.at) == "oppose"
    assert eu_at(second.at + timedelta(days=3650)) == "oppose"


def test_support_as_of_a_past_instant_counts_the_stances_then(
    delegate_fra, make_user, measure, state
):
    hun = make_user("d-hun", "delegate", "HUN")
    say(delegate_fra, measure, "FRA", state, alliance="support")
    blocked = say(hun, measure, "HUN", state, alliance="oppose")
    say(hun, measure, "HUN", state, alliance="abstain")

    then = selectors.support_for(measure=measure, as_of=blocked.at)
    now = selectors.support_for(measure=measure)

    assert then.alliance.status == "blocked"
    assert list(then.alliance.blockers) == ["HUN"]
    assert now.alliance.status == "open"
    assert list(now.alliance.blockers) == []
    assert now.alliance.counts["abstain"] == 1


def test_the_present_rebuilt_from_history_equals_the_positions(make_user, make_measure, state):
    measures = [make_measure(title=f"m{i}") for i in range(3)]
    codes = ["FRA", "DEU", "USA", "NOR"]
    delegates = {c: make_user(f"d-{c}", "delegate", c) for c in codes}
    cycle = ["support", "oppose", "abstain", "conditional", "undecided"]
    for i in range(24):
        code = codes[i % 4]
        position_record(
            actor=delegates[code],
            measure=measures[i % 3],
            state=state(code),
            stances={"alliance": cycle[i % 5], "bilateral": cycle[(i + 2) % 5]},
            source="api",
        )
    last = PositionChange.objects.order_by("-at").first().at
    ids = [m.pk for m in measures]

    assert selectors.stances_as_of(measure_ids=ids, as_of=last) == selectors.stances_as_of(
        measure_ids=ids, as_of=None
    )
    assert Position.objects.count() == len(
        [
            1
            for by_state in selectors.stances_as_of(measure_ids=ids, as_of=None).values()
            for _ in by_state
        ]
    )


def test_support_takes_two_queries_whatever_the_history(
    delegate_fra, measure, state, django_assert_num_queries
):
    last = None
    for size in [1, 12]:
        for i in range(size):
            last = say(delegate_fra, measure, "FRA", state, eu=["support", "oppose"][i % 2])
        with django_assert_num_queries(2):
            selectors.support_for(measure=measure)
        with django_assert_num_queries(2):
            selectors.support_for(measure=measure, as_of=last.at)


def test_the_matrix_takes_three_queries_whatever_the_number_of_measures(
    make_measure, delegate_fra, state, django_assert_num_queries
):
    for size in [2, 9]:
        while len(list(selectors.matrix(user=delegate_fra, route="alliance").columns)) < size:
            m = make_measure(title="m")
            say(delegate_fra, m, "FRA", state, alliance="support")
        with django_assert_num_queries(3):
            found = selectors.matrix(user=delegate_fra, route="eu")
        assert len(found.columns) == size
        assert len(found.states) == 27
        with django_assert_num_queries(3):
            selectors.matrix(
                user=delegate_fra, route="alliance", as_of=m.created_at + timedelta(days=1)
            )


def test_the_matrix_lists_the_states_of_the_route_and_their_stances(
    delegate_fra, measure, restricted_measure, coordinator, state
):
    say(delegate_fra, measure, "FRA", state, eu="support", bilateral="oppose")
    say(coordinator, measure, "AUT", state, eu="abstain")

    eu = selectors.matrix(user=delegate_fra, route="eu")
    assert "USA" not in eu.states
    assert "AUT" in eu.states
    assert len(eu.states) == 27
    assert [c.measure for c in eu.columns] == [measure]  # the restricted one is not for FRA
    assert eu.cells["FRA"][measure.pk] == "support"
    assert eu.cells["AUT"][measure.pk] == "abstain"
    assert eu.cells["DEU"][measure.pk] == "undecided"

    bilateral = selectors.matrix(user=coordinator, route="bilateral")
    assert len(bilateral.states) == 32
    assert "AUT" not in bilateral.states
    assert [c.measure for c in bilateral.columns] == [measure, restricted_measure]
    assert bilateral.cells["FRA"][measure.pk] == "oppose"


def test_the_matrix_filters_by_status_and_category(make_measure, coordinator):
    ports = make_measure(title="ports", category="ports", status="open")
    make_measure(title="rail", category="rail", status="open")
    make_measure(title="draft ports", category="ports", status="draft")

    found = selectors.matrix(user=coordinator, route="alliance", status="open", category="ports")
    assert [c.measure for c in found.columns] == [ports]


def test_the_feed_serves_what_the_user_may_see_oldest_first(
    delegate_usa, delegate_fra, measure, restricted_measure, state
):
    a = say(delegate_usa, measure, "USA", state, alliance="support")
    hidden = say(delegate_usa, restricted_measure, "USA", state, alliance="support")
    b = say(delegate_fra, measure, "FRA", state, alliance="oppose")

    assert selectors.changes_after(user=delegate_usa, after=0, limit=10) == [a, hidden, b]
    assert selectors.changes_after(user=delegate_fra, after=0, limit=10) == [a, b]
    assert selectors.changes_after(user=delegate_fra, after=a.pk, limit=10) == [b]
    assert selectors.changes_after(user=delegate_usa, after=0, limit=2) == [a, hidden]


@pytest.mark.postgresql
def test_postgresql_answers_as_of_with_an_index_seek_not_a_scan(measure, state, delegate_fra):
    # A history large enough for the planner to prefer the index, then the plan.
    say(delegate_fra, measure, "FRA", state, eu="support")
    template = PositionChange.objects.get()
    rows = [
        PositionChange(
            measure_id=measure.pk,
            state_id=code,
            at=template.at - timedelta(minutes=i),
            source="import",
            version=1000 + i,
            alliance_before="undecided",
            alliance_after="support",
            bilateral_before="undecided",
            bilateral_after="support",
        )
        for i in range(600)
        for code in ["USA", "GBR", "NOR", "TUR", "CAN", "ALB", "ISL", "MNE", "MKD"]
    ]
    PositionChange.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE positions_positionchange")
        cursor.execute("EXPLAIN " + selectors._AS_OF_POSTGRESQL, [[measure.pk], template.at])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "position_change_as_of" in plan, plan
    assert "Seq Scan on positions_positionchange" not in plan, plan
