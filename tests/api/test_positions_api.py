"""GET /api/v1/measures/{id}/positions/ and GET, PUT /api/v1/measures/{id}/positions/{CODE}/."""

from __future__ import annotations

from django.urls import reverse

from positions.models import Position, PositionChange
from positions.services import position_record

POSITION_FIELDS = {
    "state",
    "measure",
    "stances",
    "reservations",
    "note",
    "version",
    "updated_at",
    "updated_by",
}


def _list(measure_id: int) -> str:
    return reverse("api:position-list", args=[measure_id])


def _detail(measure_id: int, code: str) -> str:
    return reverse("api:position-detail", args=[measure_id, code])


def _record(actor, measure, state, **stances):
    return position_record(
        actor=actor, measure=measure, state=state(actor.state_id), stances=stances, source="web"
    ).position


def test_the_positions_endpoints_have_their_documented_addresses():
    assert _list(7) == "/api/v1/measures/7/positions/"
    assert _detail(7, "FRA") == "/api/v1/measures/7/positions/FRA/"


# The list ----------------------------------------------------------------------


def test_an_open_measure_lists_one_position_per_state(api, reader, measure):
    response = api(reader).get(_list(measure.pk))

    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 36
    assert [row["state"] for row in rows] == sorted(row["state"] for row in rows)
    assert all(set(row) == POSITION_FIELDS for row in rows)
    assert all(row["measure"] == measure.pk for row in rows)


def test_states_that_have_not_spoken_are_undecided_at_version_0(api, reader, measure):
    rows = {row["state"]: row for row in api(reader).get(_list(measure.pk)).json()}

    assert rows["FRA"]["stances"] == {
        "alliance": "undecided",
        "bilateral": "undecided",
        "eu": "undecided",
    }
    assert rows["USA"]["stances"] == {"alliance": "undecided", "bilateral": "undecided"}
    assert rows["AUT"]["stances"] == {"eu": "undecided"}
    assert all(row["version"] == 0 for row in rows.values())
    assert all(row["updated_at"] is None and row["updated_by"] is None for row in rows.values())


def test_the_list_shows_recorded_positions(api, reader, delegate_fra, measure, state):
    _record(delegate_fra, measure, state, eu="oppose")

    rows = {row["state"]: row for row in api(reader).get(_list(measure.pk)).json()}

    assert rows["FRA"]["stances"]["eu"] == "oppose"
    assert rows["FRA"]["version"] == 1
    assert rows["FRA"]["updated_by"] == "delegate-fra"
    assert rows["DEU"]["version"] == 0


def test_a_restricted_measure_lists_only_its_participants(api, delegate_usa, restricted_measure):
    rows = api(delegate_usa).get(_list(restricted_measure.pk)).json()

    assert [row["state"] for row in rows] == ["DEU", "NLD", "USA"]


def test_a_restricted_measure_lists_nothing_for_an_outsider(
    api, delegate_fra, reader, restricted_measure
):
    assert api(delegate_fra).get(_list(restricted_measure.pk)).status_code == 404
    assert api(reader).get(_list(restricted_measure.pk)).status_code == 404


def test_an_unknown_measure_has_no_positions(api, reader):
    assert api(reader).get(_list(999_999)).status_code == 404


def test_the_list_costs_the_same_queries_for_1_or_8_recorded_positions(
    api, reader, make_user, measure, state, count_queries
):
    codes = ["FRA", "DEU", "ITA", "ESP", "POL", "NLD", "BEL", "DNK"]
    delegates = [make_user(f"delegate-{code.lower()}", "delegate", code) for code in codes]
    client = api(reader)
    _record(delegates[0], measure, state, alliance="support")
    one = count_queries(client, _list(measure.pk))
    for delegate in delegates[1:]:
        _record(delegate, measure, state, alliance="oppose")

    assert Position.objects.filter(measure=measure).count() == 8
    assert count_queries(client, _list(measure.pk)) == one


# One position ---------------------------------------------------------------------


def test_a_position_has_its_documented_shape_and_etag(api, reader, measure):
    response = api(reader).get(_detail(measure.pk, "FRA"))

    assert response.status_code == 200
    assert response.json() == {
        "state": "FRA",
        "measure": measure.pk,
        "stances": {"alliance": "undecided", "bilateral": "undecided", "eu": "undecided"},
        "reservations": "",
        "note": "",
        "version": 0,
        "updated_at": None,
        "updated_by": None,
    }
    assert response["ETag"] == '"0"'


def test_a_position_has_only_the_routes_its_state_belongs_to(api, reader, measure):
    client = api(reader)

    assert set(client.get(_detail(measure.pk, "USA")).json()["stances"]) == {
        "alliance",
        "bilateral",
    }
    assert set(client.get(_detail(measure.pk, "AUT")).json()["stances"]) == {"eu"}


def test_a_recorded_position_shows_who_changed_it_and_when(
    api, reader, delegate_fra, measure, state
):
    position = _record(delegate_fra, measure, state, eu="conditional")

    response = api(reader).get(_detail(measure.pk, "FRA"))

    body = response.json()
    assert body["stances"]["eu"] == "conditional"
    assert body["version"] == 1
    assert body["updated_by"] == "delegate-fra"
    assert body["updated_at"].startswith(position.updated_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert response["ETag"] == '"1"'


def test_a_lowercase_code_names_the_state(api, reader, measure):
    response = api(reader).get(_detail(measure.pk, "fra"))

    assert response.status_code == 200
    assert response.json()["state"] == "FRA"


def test_an_unknown_state_answers_404(api, reader, measure):
    assert api(reader).get(_detail(measure.pk, "XXX")).status_code == 404


def test_an_unknown_measure_answers_404(api, reader):
    assert api(reader).get(_detail(999_999, "FRA")).status_code == 404


def test_a_restricted_measure_answers_404_to_an_outsider(api, delegate_fra, restricted_measure):
    assert api(delegate_fra).get(_detail(restricted_measure.pk, "USA")).status_code == 404


def test_a_state_outside_a_restricted_measure_has_no_position_on_it(
    api, delegate_usa, restricted_measure
):
    assert api(delegate_usa).get(_detail(restricted_measure.pk, "FRA")).status_code == 404


# Recording a position ------------------------------------------------------------------


def test_a_delegate_records_their_state_s_position(api, delegate_fra, measure):
    response = api(delegate_fra).put(
        _detail(measure.pk, "FRA"),
        {
            "stances": {"alliance": "support", "bilateral": "abstain", "eu": "conditional"},
            "reservations": "Only with an EU role.",
            "note": "Paris, 10 July",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == POSITION_FIELDS
    assert body["stances"] == {"alliance": "support", "bilateral": "abstain", "eu": "conditional"}
    assert (body["reservations"], body["note"]) == ("Only with an EU role.", "Paris, 10 July")
    assert (body["version"], body["updated_by"]) == (1, "delegate-fra")
    assert response["ETag"] == '"1"'
    position = Position.objects.get(measure=measure, state="FRA")
    assert (position.alliance, position.bilateral, position.eu) == (
        "support",
        "abstain",
        "conditional",
    )
    change = PositionChange.objects.get()
    assert (change.source, change.by, change.version) == ("api", delegate_fra, 1)
    assert change.transitions() == {
        "alliance": ("undecided", "support"),
        "bilateral": ("undecided", "abstain"),
        "eu": ("undecided", "conditional"),
    }


def test_routes_not_sent_keep_their_stance(api, delegate_fra, measure, state):
    _record(delegate_fra, measure, state, alliance="support", bilateral="oppose")

    response = api(delegate_fra).put(
        _detail(measure.pk, "FRA"), {"stances": {"eu": "support"}}, format="json"
    )

    assert response.json()["stances"] == {
        "alliance": "support",
        "bilateral": "oppose",
        "eu": "support",
    }
    assert response.json()["version"] == 2


def test_reservations_and_note_not_sent_are_kept(api, delegate_fra, measure):
    client = api(delegate_fra)
    url = _detail(measure.pk, "FRA")
    client.put(url, {"stances": {}, "reservations": "Keep it", "note": "First"}, format="json")

    body = client.put(url, {"stances": {"eu": "oppose"}}, format="json").json()

    assert (body["reservations"], body["note"]) == ("Keep it", "First")


def test_a_lowercase_code_is_accepted_for_a_write(api, delegate_fra, measure):
    response = api(delegate_fra).put(
        _detail(measure.pk, "fra"), {"stances": {"eu": "oppose"}}, format="json"
    )

    assert response.status_code == 200
    assert Position.objects.get(measure=measure).state_id == "FRA"


def test_a_write_that_changes_nothing_keeps_the_version_and_records_nothing(
    api, delegate_fra, measure, state, written
):
    _record(delegate_fra, measure, state, eu="oppose")
    client = api(delegate_fra)
    before = written()

    response = client.put(_detail(measure.pk, "FRA"), {"stances": {"eu": "oppose"}}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert response["ETag"] == '"1"'
    assert written() == before


def test_a_coordinator_records_an_eu_state_outside_nato(api, coordinator, measure):
    response = api(coordinator).put(
        _detail(measure.pk, "AUT"), {"stances": {"eu": "support"}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["stances"] == {"eu": "support"}
    assert Position.objects.get(measure=measure, state="AUT").eu == "support"


def test_a_participant_records_on_a_restricted_measure(api, delegate_usa, restricted_measure):
    response = api(delegate_usa).put(
        _detail(restricted_measure.pk, "USA"), {"stances": {"alliance": "support"}}, format="json"
    )

    assert response.status_code == 200


# If-Match ----------------------------------------------------------------------------


def test_a_current_if_match_is_accepted(api, delegate_fra, measure, state):
    _record(delegate_fra, measure, state, eu="oppose")

    response = api(delegate_fra).put(
        _detail(measure.pk, "FRA"),
        {"stances": {"eu": "support"}},
        format="json",
        HTTP_IF_MATCH='"1"',
    )

    assert response.status_code == 200
    assert response["ETag"] == '"2"'


def test_the_etag_of_a_read_is_a_valid_if_match(api, delegate_fra, measure):
    client = api(delegate_fra)
    etag = client.get(_detail(measure.pk, "FRA"))["ETag"]

    response = client.put(
        _detail(measure.pk, "FRA"),
        {"stances": {"eu": "support"}},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200


def test_a_stale_if_match_answers_412_and_writes_nothing(
    api, delegate_fra, measure, state, written
):
    _record(delegate_fra, measure, state, eu="oppose")
    _record(delegate_fra, measure, state, eu="abstain")
    client = api(delegate_fra)
    before = written()

    response = client.put(
        _detail(measure.pk, "FRA"),
        {"stances": {"eu": "support"}},
        format="json",
        HTTP_IF_MATCH='"1"',
    )

    assert response.status_code == 412
    # The answer is the current position, so the caller sees what changed meanwhile.
    assert response.json()["version"] == 2
    assert response.json()["stances"]["eu"] == "abstain"
    assert response["ETag"] == '"2"'
    assert written() == before


def test_an_if_match_on_a_position_never_recorded_must_be_0(api, delegate_fra, measure, written):
    client = api(delegate_fra)
    before = written()

    stale = client.put(
        _detail(measure.pk, "FRA"),
        {"stances": {"eu": "oppose"}},
        format="json",
        HTTP_IF_MATCH='"3"',
    )

    assert stale.status_code == 412
    assert written() == before
    fresh = client.put(
        _detail(measure.pk, "FRA"),
        {"stances": {"eu": "oppose"}},
        format="json",
        HTTP_IF_MATCH='"0"',
    )
    assert fresh.status_code == 200


def test_a_malformed_if_match_answers_400_and_writes_nothing(api, delegate_fra, measure, written):
    client = api(delegate_fra)
    before = written()

    for header in ["1", 'W/"0"', '"one"', '"0", "1"']:
        response = client.put(
            _detail(measure.pk, "FRA"),
            {"stances": {"eu": "oppose"}},
            format="json",
            HTTP_IF_MATCH=header,
        )
        assert response.status_code == 400, header
        assert set(response.json()) == {"If-Match"}
    assert written() == before


# Bad input -----------------------------------------------------------------------------


def _refused(client, url, body, written, status=400):
    before = written()
    response = client.put(url, body, format="json")
    assert response.status_code == status, response.content
    assert written() == before
    return response.json()


def test_an_unknown_stance_answers_400_naming_the_route(api, delegate_fra, measure, written):
    errors = _refused(
        api(delegate_fra), _detail(measure.pk, "FRA"), {"stances": {"eu": "maybe"}}, written
    )

    assert set(errors) == {"stances"}
    assert set(errors["stances"]) == {"eu"}
    assert isinstance(errors["stances"]["eu"], list)


def test_an_eu_stance_for_an_ally_outside_the_eu_answers_400(api, delegate_usa, measure, written):
    errors = _refused(
        api(delegate_usa),
        _detail(measure.pk, "USA"),
        {"stances": {"alliance": "support", "eu": "support"}},
        written,
    )

    assert set(errors["stances"]) == {"eu"}


def test_an_alliance_stance_for_an_eu_state_outside_nato_answers_400(
    api, coordinator, measure, written
):
    errors = _refused(
        api(coordinator), _detail(measure.pk, "AUT"), {"stances": {"alliance": "support"}}, written
    )

    assert set(errors["stances"]) == {"alliance"}


def test_an_unknown_route_answers_400_naming_it(api, delegate_fra, measure, written):
    errors = _refused(
        api(delegate_fra), _detail(measure.pk, "FRA"), {"stances": {"nato": "support"}}, written
    )

    assert set(errors["stances"]) == {"nato"}


def test_missing_stances_answer_400_naming_the_field(api, delegate_fra, measure, written):
    errors = _refused(api(delegate_fra), _detail(measure.pk, "FRA"), {"note": "hello"}, written)

    assert set(errors) == {"stances"}


def test_stances_that_are_not_an_object_answer_400(api, delegate_fra, measure, written):
    errors = _refused(
        api(delegate_fra), _detail(measure.pk, "FRA"), {"stances": "support"}, written
    )

    assert set(errors) == {"stances"}


def test_a_null_stance_answers_400(api, delegate_fra, measure, written):
    errors = _refused(
        api(delegate_fra), _detail(measure.pk, "FRA"), {"stances": {"eu": None}}, written
    )

    assert set(errors["stances"]) == {"eu"}


def test_an_unknown_field_answers_400_naming_it(api, delegate_fra, measure, written):
    errors = _refused(
        api(delegate_fra),
        _detail(measure.pk, "FRA"),
        {"stances": {"eu": "support"}, "version": 5},
        written,
    )

    assert set(errors) == {"version"}


def test_one_bad_route_refuses_the_whole_write(api, delegate_fra, measure, written):
    errors = _refused(
        api(delegate_fra),
        _detail(measure.pk, "FRA"),
        {"stances": {"alliance": "support", "eu": "maybe"}},
        written,
    )

    assert set(errors["stances"]) == {"eu"}
    assert not Position.objects.exists()


# Rights -------------------------------------------------------------------------------------


def test_a_delegate_cannot_record_another_state_s_position(api, delegate_deu, measure, written):
    _refused(
        api(delegate_deu),
        _detail(measure.pk, "FRA"),
        {"stances": {"eu": "support"}},
        written,
        status=403,
    )


def test_a_coordinator_cannot_record_an_ally_s_position(api, coordinator, measure, written):
    _refused(
        api(coordinator),
        _detail(measure.pk, "FRA"),
        {"stances": {"alliance": "support"}},
        written,
        status=403,
    )


def test_a_reader_cannot_record_a_position(api, reader, measure, written):
    _refused(
        api(reader), _detail(measure.pk, "AUT"), {"stances": {"eu": "support"}}, written, status=403
    )


def test_a_restricted_measure_answers_404_not_403_to_an_outsider_s_write(
    api, delegate_fra, restricted_measure, written
):
    _refused(
        api(delegate_fra),
        _detail(restricted_measure.pk, "FRA"),
        {"stances": {"alliance": "support"}},
        written,
        status=404,
    )


def test_a_write_to_an_unknown_state_answers_404(api, coordinator, measure, written):
    _refused(
        api(coordinator),
        _detail(measure.pk, "XXX"),
        {"stances": {"eu": "support"}},
        written,
        status=404,
    )


def test_a_write_to_an_unknown_measure_answers_404(api, delegate_fra, written):
    _refused(
        api(delegate_fra),
        _detail(999_999, "FRA"),
        {"stances": {"eu": "support"}},
        written,
        status=404,
    )


def test_patch_and_delete_on_a_position_answer_405(api, delegate_fra, measure, written):
    client = api(delegate_fra)
    before = written()

    patch = client.patch(_detail(measure.pk, "FRA"), {"stances": {"eu": "oppose"}}, format="json")
    delete = client.delete(_detail(measure.pk, "FRA"))

    assert (patch.status_code, delete.status_code) == (405, 405)
    assert written() == before
