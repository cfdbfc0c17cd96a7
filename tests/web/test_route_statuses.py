"""The delegate's page and the measure page show each route's status, from the rules module."""

from __future__ import annotations

from consensus.selectors import support_for
from positions.services import position_record


def test_the_measure_page_shows_the_three_routes_as_the_rules_compute_them(
    client, reader, make_user, measure, state
):
    hun = make_user("d-hun", "delegate", "HUN")
    position_record(
        actor=hun, measure=measure, state=state("HUN"), stances={"alliance": "oppose"}, source="web"
    )
    evaluation = support_for(measure=measure)
    client.force_login(reader)

    page = client.get(f"/measures/{measure.pk}/").content.decode()

    assert evaluation.alliance.status == "blocked"
    assert 'class="badge badge-blocked">Blocked<' in page
    assert f'class="badge badge-{evaluation.bilateral.status}"' in page
    assert f'class="badge badge-{evaluation.eu.status}"' in page
    assert "HUN" in page  # named as blocking
    assert "Recommended route" in page or "No route is better than blocked" in page


def test_my_state_shows_where_each_measure_stands(client, delegate_fra, make_measure, state):
    first = make_measure(title="first")
    make_measure(title="second")
    position_record(
        actor=delegate_fra,
        measure=first,
        state=state("FRA"),
        stances={"alliance": "oppose"},
        source="web",
    )
    client.force_login(delegate_fra)

    page = client.get("/my-state/").content.decode()

    assert page.count('class="badges"') == 2
    assert 'badge badge-blocked">Blocked<' in page  # the first, on the alliance route
    assert page.count('badge badge-open">Open<') >= 3


def test_my_state_costs_the_same_queries_with_more_measures(
    client, delegate_fra, make_measure, django_assert_max_num_queries
):
    client.force_login(delegate_fra)
    make_measure(title="a")
    client.get("/my-state/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get("/my-state/")
    for i in range(6):
        make_measure(title=f"m{i}")
    with CaptureQueriesContext(connection) as large:
        client.get("/my-state/")
    assert len(large) == len(small)
