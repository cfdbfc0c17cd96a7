"""GET /api/v1/changes/: the change feed with a cursor that never misses or repeats."""

from __future__ import annotations

import pytest

from positions.services import position_record


def say(actor, measure, code, state, **stances):
    return position_record(
        actor=actor, measure=measure, state=state(code), stances=stances, source="api"
    ).change


def test_the_feed_is_oldest_first_in_the_documented_shape(
    api, reader, delegate_fra, measure, state
):
    first = say(delegate_fra, measure, "FRA", state, eu="support")
    second = say(delegate_fra, measure, "FRA", state, eu="oppose")

    body = api(reader).get("/api/v1/changes/").json()

    assert set(body) == {"results", "next"}
    assert body["next"] is None
    assert [r["id"] for r in body["results"]] == [first.pk, second.pk]
    entry = body["results"][1]
    assert {"id", "at", "measure", "state", "changes", "note", "by", "source"} <= set(entry)
    assert entry["measure"] == measure.pk
    assert entry["state"] == "FRA"
    assert entry["changes"] == {"eu": ["support", "oppose"]}
    assert (entry["by"], entry["source"]) == ("delegate-fra", "api")


def test_a_consumer_that_keeps_the_last_id_sees_every_change_once(
    api, reader, delegate_fra, measure, state
):
    stances = ["support", "oppose", "abstain", "conditional"]
    made = [say(delegate_fra, measure, "FRA", state, eu=stances[i % 4]).pk for i in range(11)]
    client = api(reader)

    seen, url, pages = [], "/api/v1/changes/?limit=3", 0
    while url:
        body = client.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url, pages = body["next"], pages + 1
    assert seen == made
    assert pages == 4

    # Later changes are found from the last id kept.
    newer = say(delegate_fra, measure, "FRA", state, eu="undecided")
    body = client.get(f"/api/v1/changes/?after={seen[-1]}").json()
    assert [r["id"] for r in body["results"]] == [newer.pk]


def test_changes_on_a_restricted_measure_reach_only_those_who_may_see_it(
    api, reader, delegate_usa, delegate_fra, restricted_measure, measure, state
):
    hidden = say(delegate_usa, restricted_measure, "USA", state, alliance="support")
    public = say(delegate_usa, measure, "USA", state, alliance="support")

    def ids(user):
        return [r["id"] for r in api(user).get("/api/v1/changes/").json()["results"]]

    assert ids(reader) == [public.pk]
    assert ids(delegate_fra) == [public.pk]
    assert ids(delegate_usa) == [hidden.pk, public.pk]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("after=abc", "after"),
        ("after=-1", "after"),
        ("after=1.5", "after"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=x", "limit"),
    ],
)
def test_a_bad_cursor_or_limit_is_400_naming_it(api, reader, query, name):
    response = api(reader).get(f"/api/v1/changes/?{query}")
    assert response.status_code == 400
    assert name in response.json()


def test_the_feed_costs_the_same_queries_for_2_and_8_changes(
    api, reader, delegate_fra, measure, state, count_queries
):
    client = api(reader)
    for s in ["support", "oppose"]:
        say(delegate_fra, measure, "FRA", state, eu=s)
    small = count_queries(client, "/api/v1/changes/")
    for s in ["support", "oppose", "abstain", "support", "oppose", "abstain"]:
        say(delegate_fra, measure, "FRA", state, eu=s)
    assert count_queries(client, "/api/v1/changes/") == small
