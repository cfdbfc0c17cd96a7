"""GET /api/v1/matrix/: every state on a route against every visible measure, in JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import quote

import pytest

from positions.services import position_record


def say(actor, measure, code, state, **stances):
    return position_record(
        actor=actor, measure=measure, state=state(code), stances=stances, source="api"
    ).change


def test_the_matrix_has_the_documented_shape(api, reader, delegate_fra, measure, state):
    say(delegate_fra, measure, "FRA", state, alliance="conditional")

    body = api(reader).get("/api/v1/matrix/?route=alliance").json()

    assert set(body) == {"route", "as_of", "states", "measures", "cells"}
    assert body["route"] == "alliance"
    assert len(body["states"]) == 32
    assert "AUT" not in body["states"]
    assert body["measures"] == [
        {
            "id": measure.pk,
            "title": measure.title,
            "status": "open",
            "route_status": "open",
            "support_level": 1 / 32,
            "coverage": {
                route: {
                    "assets": 0,
                    "covered": 0,
                    "share": None,
                    "weighted_share": None,
                    "uncovered": [],
                    "would_cover": {"states": [], "criticality": 0},
                }
                for route in ("alliance", "bilateral", "eu")
            },
        },
    ]
    assert body["cells"]["FRA"] == {str(measure.pk): "conditional"}
    assert body["cells"]["USA"] == {str(measure.pk): "undecided"}


def test_the_route_defaults_to_the_alliance_and_eu_lists_the_27(api, reader, measure):
    client = api(reader)
    assert client.get("/api/v1/matrix/").json()["route"] == "alliance"
    eu = client.get("/api/v1/matrix/?route=eu").json()
    assert len(eu["states"]) == 27
    assert "USA" not in eu["states"]
    assert "IRL" in eu["states"]


def test_as_of_shows_the_matrix_as_it_stood(api, reader, delegate_fra, measure, state):
    first = say(delegate_fra, measure, "FRA", state, alliance="support")
    say(delegate_fra, measure, "FRA", state, alliance="oppose")
    client = api(reader)

    then = client.get(f"/api/v1/matrix/?as_of={quote(first.at.isoformat())}").json()
    before = client.get(
        f"/api/v1/matrix/?as_of={quote((first.at - timedelta(seconds=1)).isoformat())}"
    ).json()
    now = client.get("/api/v1/matrix/").json()

    assert then["cells"]["FRA"][str(measure.pk)] == "support"
    assert before["cells"]["FRA"][str(measure.pk)] == "undecided"
    assert now["cells"]["FRA"][str(measure.pk)] == "oppose"
    assert now["measures"][0]["route_status"] == "blocked"


def test_restricted_measures_appear_only_to_those_who_may_see_them(
    api, reader, delegate_usa, delegate_fra, measure, restricted_measure
):
    def ids(user):
        return [m["id"] for m in api(user).get("/api/v1/matrix/").json()["measures"]]

    assert ids(reader) == [measure.pk]
    assert ids(delegate_fra) == [measure.pk]
    assert ids(delegate_usa) == [measure.pk, restricted_measure.pk]


def test_filters_by_status_and_category(api, reader, make_measure):
    make_measure(title="a", category="ports", status="open")
    rail = make_measure(title="b", category="rail", status="open")
    make_measure(title="c", category="rail", status="draft")

    body = api(reader).get("/api/v1/matrix/?status=open&category=rail").json()
    assert [m["id"] for m in body["measures"]] == [rail.pk]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("route=nato", "route"),
        ("status=pending", "status"),
        ("category=space", "category"),
        ("as_of=2024-07-10T12:00:00", "as_of"),
    ],
)
def test_bad_parameters_are_400_naming_them(api, reader, query, name):
    response = api(reader).get(f"/api/v1/matrix/?{query}")
    assert response.status_code == 400
    assert name in response.json()


@pytest.mark.parametrize("how", ["format", "accept"])
def test_the_csv_is_exactly_what_the_json_shows(
    api, reader, delegate_fra, make_measure, state, how
):
    first, second = make_measure(title="one"), make_measure(title="two")
    say(delegate_fra, first, "FRA", state, eu="support")
    say(delegate_fra, second, "FRA", state, eu="oppose")
    client = api(reader)
    body = client.get("/api/v1/matrix/?route=eu").json()

    if how == "format":
        response = client.get("/api/v1/matrix/?route=eu&format=csv")
    else:
        response = client.get("/api/v1/matrix/?route=eu", HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["state", str(first.pk), str(second.pk)]
    assert [r[0] for r in rows[1:]] == body["states"]
    fra = next(r for r in rows if r[0] == "FRA")
    assert fra == ["FRA", "support", "oppose"]
    for row in rows[1:]:
        assert row[1:] == [
            body["cells"][row[0]][str(first.pk)],
            body["cells"][row[0]][str(second.pk)],
        ]


def test_a_csv_error_is_still_a_400(api, reader):
    response = api(reader).get("/api/v1/matrix/?route=nato&format=csv")
    assert response.status_code == 400
    assert "route" in response.content.decode()


def test_the_matrix_costs_the_same_queries_for_2_and_8_measures(
    api, reader, make_measure, count_queries
):
    client = api(reader)
    for _ in range(2):
        make_measure()
    small = count_queries(client, "/api/v1/matrix/?route=eu")
    for _ in range(6):
        make_measure()
    assert count_queries(client, "/api/v1/matrix/?route=eu") == small
