"""GET /api/v1/measures/{id}/history/: the measure's position changes, newest first, paginated."""

from __future__ import annotations

from django.urls import reverse

from positions.models import PositionChange, State
from positions.services import position_record

CHANGE_FIELDS = {
    "id",
    "at",
    "state",
    "version",
    "changes",
    "reservations",
    "note",
    "by",
    "source",
}


def _history(measure_id: int) -> str:
    return reverse("api:measure-history", args=[measure_id])


def _record(actor, measure, code, *, source="web", note=None, reservations=None, **stances):
    return position_record(
        actor=actor,
        measure=measure,
        state=State.objects.get(code=code),
        stances=stances,
        note=note,
        reservations=reservations,
        source=source,
    ).change


def test_the_history_endpoint_has_its_documented_address():
    assert _history(7) == "/api/v1/measures/7/history/"


def test_a_measure_without_changes_has_an_empty_history(api, reader, measure):
    response = api(reader).get(_history(measure.pk))

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_each_change_has_its_documented_shape(api, reader, delegate_fra, measure):
    change = _record(
        delegate_fra,
        measure,
        "FRA",
        note="Paris, 10 July",
        reservations="An EU role",
        eu="oppose",
        alliance="support",
    )

    body = api(reader).get(_history(measure.pk)).json()

    assert body["count"] == 1
    entry = body["results"][0]
    assert set(entry) == CHANGE_FIELDS
    assert entry["id"] == change.pk
    assert entry["state"] == "FRA"
    assert entry["changes"] == {"alliance": ["undecided", "support"], "eu": ["undecided", "oppose"]}
    assert (entry["note"], entry["reservations"]) == ("Paris, 10 July", "An EU role")
    assert (entry["by"], entry["source"], entry["version"]) == ("delegate-fra", "web", 1)
    assert entry["at"].startswith(change.at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_a_change_lists_only_the_routes_whose_stance_moved(api, reader, delegate_fra, measure):
    _record(delegate_fra, measure, "FRA", eu="oppose", alliance="support")
    _record(delegate_fra, measure, "FRA", eu="abstain", alliance="support")
    _record(delegate_fra, measure, "FRA", note="Only the note")

    entries = api(reader).get(_history(measure.pk)).json()["results"]

    assert [e["changes"] for e in entries] == [
        {},
        {"eu": ["oppose", "abstain"]},
        {"alliance": ["undecided", "support"], "eu": ["undecided", "oppose"]},
    ]


def test_the_history_is_newest_first(api, reader, delegate_fra, delegate_deu, coordinator, measure):
    first = _record(delegate_fra, measure, "FRA", eu="oppose")
    second = _record(delegate_deu, measure, "DEU", eu="support")
    third = _record(coordinator, measure, "AUT", eu="abstain")

    entries = api(reader).get(_history(measure.pk)).json()["results"]

    assert [e["id"] for e in entries] == [third.pk, second.pk, first.pk]
    assert [e["state"] for e in entries] == ["AUT", "DEU", "FRA"]
    assert [e["by"] for e in entries] == ["coordinator", "delegate-deu", "delegate-fra"]


def test_a_change_through_the_api_says_so(api, reader, delegate_fra, measure):
    api(delegate_fra).put(
        reverse("api:position-detail", args=[measure.pk, "FRA"]),
        {"stances": {"eu": "support"}},
        format="json",
    )

    entry = api(reader).get(_history(measure.pk)).json()["results"][0]

    assert entry["source"] == "api"


def test_the_history_holds_only_this_measure_s_changes(
    api, reader, delegate_fra, make_measure, measure
):
    other = make_measure(title="Rail links", category="rail")
    _record(delegate_fra, measure, "FRA", eu="oppose")
    _record(delegate_fra, other, "FRA", eu="support")

    entries = api(reader).get(_history(measure.pk)).json()["results"]

    assert len(entries) == 1
    assert entries[0]["changes"] == {"eu": ["undecided", "oppose"]}


def test_the_history_is_paginated(api, reader, delegate_fra, measure):
    for stance in ["oppose", "abstain", "support"]:
        _record(delegate_fra, measure, "FRA", eu=stance)
    client = api(reader)

    first = client.get(_history(measure.pk), {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3
    assert [e["version"] for e in first["results"]] == [3, 2]
    assert first["previous"] is None
    assert [e["version"] for e in second["results"]] == [1]
    assert second["next"] is None


def test_a_page_past_the_end_answers_404(api, reader, delegate_fra, measure):
    _record(delegate_fra, measure, "FRA", eu="oppose")

    assert api(reader).get(_history(measure.pk), {"page": 2}).status_code == 404


def test_a_restricted_measure_s_history_answers_404_to_outsiders(
    api, reader, delegate_fra, delegate_usa, restricted_measure
):
    _record(delegate_usa, restricted_measure, "USA", alliance="support")

    assert api(reader).get(_history(restricted_measure.pk)).status_code == 404
    assert api(delegate_fra).get(_history(restricted_measure.pk)).status_code == 404


def test_a_restricted_measure_s_history_is_open_to_participants_and_coordinators(
    api, coordinator, delegate_usa, delegate_deu, restricted_measure
):
    _record(delegate_usa, restricted_measure, "USA", alliance="support")

    for user in (coordinator, delegate_usa, delegate_deu):
        response = api(user).get(_history(restricted_measure.pk))
        assert response.status_code == 200
        assert response.json()["count"] == 1


def test_an_unknown_measure_has_no_history(api, reader):
    assert api(reader).get(_history(999_999)).status_code == 404


def test_the_history_cannot_be_written(api, coordinator, delegate_fra, measure, written):
    _record(delegate_fra, measure, "FRA", eu="oppose")
    client = api(coordinator)
    before = written()

    answers = [
        client.post(_history(measure.pk), {"state": "FRA"}, format="json"),
        client.put(_history(measure.pk), {}, format="json"),
        client.delete(_history(measure.pk)),
    ]

    assert [a.status_code for a in answers] == [405, 405, 405]
    assert written() == before


def test_the_history_costs_the_same_queries_for_2_or_8_changes(
    api, reader, make_user, measure, count_queries
):
    codes = ["FRA", "DEU", "ITA", "ESP", "POL", "NLD", "BEL", "DNK"]
    delegates = [make_user(f"delegate-{code.lower()}", "delegate", code) for code in codes]
    client = api(reader)
    for delegate in delegates[:2]:
        _record(delegate, measure, delegate.state_id, alliance="support")
    two = count_queries(client, _history(measure.pk))
    for delegate in delegates[2:]:
        _record(delegate, measure, delegate.state_id, alliance="oppose")

    assert PositionChange.objects.filter(measure=measure).count() == 8
    assert count_queries(client, _history(measure.pk)) == two
