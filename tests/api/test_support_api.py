"""GET /api/v1/measures/{id}/support/: each route's status, now or as of an instant, with ETags."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from positions.services import position_record


def url(measure, as_of=None):
    base = f"/api/v1/measures/{measure.pk}/support/"
    return base if as_of is None else f"{base}?as_of={quote(as_of.isoformat())}"


def say(actor, measure, code, state, **stances):
    return position_record(
        actor=actor, measure=measure, state=state(code), stances=stances, source="api"
    ).change


def test_the_answer_has_every_route_in_the_documented_shape(api, reader, measure):
    response = api(reader).get(url(measure))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"measure", "as_of", "routes", "recommended_route"}
    assert body["measure"] == measure.pk
    assert body["as_of"] is None
    routes = body["routes"]
    assert set(routes) == {"alliance", "bilateral", "eu"}
    assert {"status", "support_level", "counts", "blockers", "undecided", "needed"} <= set(
        routes["alliance"]
    )
    assert {"status", "lead", "support_level", "partners", "counts", "needed"} <= set(
        routes["bilateral"]
    )
    assert {
        "rule",
        "status",
        "support_level",
        "states_in_favour",
        "population_in_favour",
        "counts",
        "best_case",
        "worst_case",
        "needed",
    } <= set(routes["eu"])
    assert set(routes["eu"]["best_case"]) == {"status", "states_in_favour", "population_in_favour"}
    assert routes["alliance"]["counts"] == {
        "support": 0,
        "conditional": 0,
        "abstain": 0,
        "undecided": 32,
        "oppose": 0,
    }
    assert routes["eu"]["counts"]["undecided"] == 27
    assert routes["bilateral"]["lead"] == "USA"
    assert routes["alliance"]["status"] == "open"
    assert routes["eu"]["status"] == "open"
    assert routes["eu"]["best_case"]["status"] == "reached"
    assert routes["eu"]["worst_case"]["status"] == "blocked"


def test_as_of_before_and_after_a_change(api, reader, delegate_fra, make_user, measure, state):
    hun = make_user("d-hun", "delegate", "HUN")
    say(delegate_fra, measure, "FRA", state, alliance="support")
    opposed = say(hun, measure, "HUN", state, alliance="oppose")
    say(hun, measure, "HUN", state, alliance="support")
    client = api(reader)

    before = client.get(url(measure, opposed.at - timedelta(microseconds=1))).json()
    at = client.get(url(measure, opposed.at)).json()
    now = client.get(url(measure)).json()

    assert before["routes"]["alliance"]["status"] == "open"
    assert at["routes"]["alliance"]["status"] == "blocked"
    assert at["routes"]["alliance"]["blockers"] == ["HUN"]
    assert now["routes"]["alliance"]["status"] == "open"
    assert now["routes"]["alliance"]["counts"]["support"] == 2
    assert at["as_of"] is not None


def test_an_unchanged_answer_is_304_with_no_body(api, reader, delegate_fra, measure, state):
    client = api(reader)
    first = client.get(url(measure))
    tag = first["ETag"]

    again = client.get(url(measure), HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == tag

    say(delegate_fra, measure, "FRA", state, eu="support")
    changed = client.get(url(measure), HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed["ETag"] != tag
    assert changed.json()["routes"]["eu"]["counts"]["support"] == 1


def test_the_tag_changes_when_the_measure_or_a_state_fact_changes(
    api, reader, coordinator, measure, state
):
    from positions.models import State
    from positions.services import measure_update

    client = api(reader)
    tag = client.get(url(measure))["ETag"]
    measure_update(actor=coordinator, measure=measure, eu_rule="unanimity")
    tag2 = client.get(url(measure))["ETag"]
    assert tag2 != tag

    germany = State.objects.get(code="DEU")
    germany.eu_population += 100
    germany.save()
    assert client.get(url(measure), HTTP_IF_NONE_MATCH=tag2).status_code == 200


def test_the_304_path_runs_no_rules_and_few_queries(
    api, reader, measure, django_assert_max_num_queries
):
    client = api(reader)
    tag = client.get(url(measure))["ETag"]
    with django_assert_max_num_queries(4):
        assert client.get(url(measure), HTTP_IF_NONE_MATCH=tag).status_code == 304


@pytest.mark.parametrize(
    "as_of",
    [
        "yesterday",
        "2024-07-10",
        "2024-07-10T12:00:00",
        "2024-13-40T12:00:00Z",
        "2024-07-10T12:00:00+25:00",
    ],
)
def test_a_malformed_or_zoneless_as_of_is_400_naming_it(api, reader, measure, as_of):
    response = api(reader).get(f"/api/v1/measures/{measure.pk}/support/?as_of={quote(as_of)}")
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_far_past_and_far_future_instants_are_answered(api, reader, measure):
    client = api(reader)
    past = client.get(f"/api/v1/measures/{measure.pk}/support/?as_of=0001-01-01T00:00:00%2B00:00")
    future = client.get(f"/api/v1/measures/{measure.pk}/support/?as_of=9999-12-31T23:59:59Z")
    assert past.status_code == 200
    assert past.json()["routes"]["alliance"]["counts"]["undecided"] == 32
    assert future.status_code == 200


def test_a_restricted_measure_is_404_for_outsiders(
    api, reader, delegate_fra, delegate_usa, restricted_measure
):
    assert api(reader).get(url(restricted_measure)).status_code == 404
    assert api(delegate_fra).get(url(restricted_measure)).status_code == 404
    assert api(delegate_usa).get(url(restricted_measure)).status_code == 200


def test_an_unknown_measure_is_404_and_anonymous_401(api, reader, measure):
    assert api(reader).get("/api/v1/measures/999999/support/").status_code == 404
    assert api().get(url(measure)).status_code == 401
