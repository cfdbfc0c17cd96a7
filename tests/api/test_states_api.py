"""GET /api/v1/states/: the 32 allies and the four EU states outside NATO, with their routes."""

from __future__ import annotations

from django.urls import reverse

URL = "/api/v1/states/"
STATE_FIELDS = {
    "code",
    "name",
    "nato_member",
    "nato_joined",
    "eu_member",
    "eu_population",
    "routes",
}


def _by_code(results):
    return {row["code"]: row for row in results}


def test_the_states_endpoint_has_its_documented_address():
    assert reverse("api:state-list") == URL


def test_it_lists_all_36_states_on_the_first_page(api, reader):
    response = api(reader).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 36
    assert body["next"] is None
    assert body["previous"] is None
    assert len(body["results"]) == 36
    assert all(set(row) == STATE_FIELDS for row in body["results"])
    codes = [row["code"] for row in body["results"]]
    assert codes == sorted(codes)


def test_each_state_carries_its_facts(api, reader):
    states = _by_code(api(reader).get(URL).json()["results"])

    assert states["FRA"] == {
        "code": "FRA",
        "name": states["FRA"]["name"],
        "nato_member": True,
        "nato_joined": 1949,
        "eu_member": True,
        "eu_population": states["FRA"]["eu_population"],
        "routes": ["alliance", "bilateral", "eu"],
    }
    assert "France" in states["FRA"]["name"]
    assert states["FRA"]["eu_population"] > 60_000_000
    assert states["USA"]["eu_member"] is False
    assert states["USA"]["eu_population"] is None
    assert states["AUT"]["nato_member"] is False
    assert states["AUT"]["nato_joined"] is None
    assert states["SWE"]["nato_joined"] == 2024


def test_each_state_lists_the_routes_it_belongs_to(api, reader):
    states = _by_code(api(reader).get(URL).json()["results"])

    assert states["ALB"]["routes"] == ["alliance", "bilateral"]
    assert states["USA"]["routes"] == ["alliance", "bilateral"]
    assert states["FRA"]["routes"] == ["alliance", "bilateral", "eu"]
    assert states["AUT"]["routes"] == ["eu"]
    assert sum("eu" in s["routes"] for s in states.values()) == 27
    assert sum("alliance" in s["routes"] for s in states.values()) == 32


def test_nato_member_true_gives_the_32_allies(api, reader):
    body = api(reader).get(URL, {"nato_member": "true"}).json()

    assert body["count"] == 32
    assert len(body["results"]) == 32
    assert all(row["nato_member"] for row in body["results"])


def test_nato_member_false_gives_the_four_eu_states_outside_nato(api, reader):
    body = api(reader).get(URL, {"nato_member": "false"}).json()

    assert [row["code"] for row in body["results"]] == ["AUT", "CYP", "IRL", "MLT"]


def test_eu_member_true_gives_the_27(api, reader):
    assert api(reader).get(URL, {"eu_member": "true"}).json()["count"] == 27


def test_a_malformed_filter_answers_400_naming_it(api, reader):
    response = api(reader).get(URL, {"nato_member": "perhaps"})

    assert response.status_code == 400
    assert set(response.json()) == {"nato_member"}


def test_states_cannot_be_written_through_the_api(api, coordinator, written):
    client = api(coordinator)
    before = written()

    answers = [
        client.post(URL, {"code": "XKX", "name": "Kosovo"}, format="json"),
        client.put(URL, {}, format="json"),
        client.delete(URL),
    ]

    assert [a.status_code for a in answers] == [405, 405, 405]
    assert written() == before


def test_the_list_costs_three_queries_whatever_the_number_of_states(api, reader, count_queries):
    # The token, the count, the page: routes come from the rows, not from a query per state.
    assert count_queries(api(reader), URL) == 3
