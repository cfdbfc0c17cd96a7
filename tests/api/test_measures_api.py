"""GET, POST /api/v1/measures/ and GET, PATCH /api/v1/measures/{id}/."""

from __future__ import annotations

from django.urls import reverse

from positions.models import Measure

URL = "/api/v1/measures/"
MEASURE_FIELDS = {
    "id",
    "title",
    "summary",
    "category",
    "sponsor",
    "lead",
    "status",
    "eu_rule",
    "restricted",
    "participants",
    "kind",
    "parent",
    "target_route",
    "created_at",
    "updated_at",
}
PORTS = {"title": "Operating control of port terminals", "category": "ports", "sponsor": "USA"}


def _detail(measure_id: int) -> str:
    return reverse("api:measure-detail", args=[measure_id])


def _ids(response) -> list[int]:
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def test_the_measures_endpoints_have_their_documented_addresses():
    assert reverse("api:measure-list") == URL
    assert _detail(7) == "/api/v1/measures/7/"


# Reading ---------------------------------------------------------------------


def test_it_lists_measures_with_their_fields(api, reader, measure):
    response = api(reader).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    row = body["results"][0]
    assert set(row) == MEASURE_FIELDS
    assert row["id"] == measure.pk
    assert row["sponsor"] == "USA"
    assert row["lead"] == "USA"
    assert row["participants"] == []
    assert row["kind"] == "substantive"
    assert row["parent"] is None


def test_it_shows_one_measure(api, reader, measure):
    response = api(reader).get(_detail(measure.pk))

    assert response.status_code == 200
    assert set(response.json()) == MEASURE_FIELDS
    assert response.json()["title"] == measure.title


def test_an_unknown_measure_answers_404(api, coordinator):
    client = api(coordinator)

    assert client.get(_detail(999_999)).status_code == 404
    assert client.patch(_detail(999_999), {"title": "x"}, format="json").status_code == 404


def test_status_filters_the_list(api, reader, make_measure):
    open_one = make_measure(status="open")
    make_measure(status="draft")

    assert _ids(api(reader).get(URL, {"status": "open"})) == [open_one.pk]


def test_category_filters_the_list(api, reader, make_measure):
    make_measure(category="ports")
    rail = make_measure(title="Rail links", category="rail")

    assert _ids(api(reader).get(URL, {"category": "rail"})) == [rail.pk]


def test_filters_combine(api, reader, make_measure):
    make_measure(category="rail", status="draft")
    wanted = make_measure(category="rail", status="open")
    make_measure(category="ports", status="open")

    assert _ids(api(reader).get(URL, {"category": "rail", "status": "open"})) == [wanted.pk]


def test_an_unknown_filter_value_answers_400_naming_it(api, reader, measure):
    response = api(reader).get(URL, {"status": "pending"})

    assert response.status_code == 400
    assert set(response.json()) == {"status"}


# Restricted measures ------------------------------------------------------------


def test_a_restricted_measure_is_hidden_from_a_delegate_outside_it(
    api, delegate_fra, measure, restricted_measure
):
    client = api(delegate_fra)

    assert _ids(client.get(URL)) == [measure.pk]
    assert client.get(_detail(restricted_measure.pk)).status_code == 404


def test_a_restricted_measure_is_hidden_from_readers(api, reader, measure, restricted_measure):
    client = api(reader)

    assert _ids(client.get(URL)) == [measure.pk]
    assert client.get(_detail(restricted_measure.pk)).status_code == 404


def test_a_restricted_measure_answers_like_an_unknown_one(api, reader, restricted_measure):
    client = api(reader)

    hidden = client.get(_detail(restricted_measure.pk))
    unknown = client.get(_detail(999_999))

    assert (hidden.status_code, hidden.json()) == (unknown.status_code, unknown.json())


def test_a_restricted_measure_is_visible_to_its_participants(
    api, delegate_usa, delegate_deu, measure, restricted_measure
):
    for delegate in (delegate_usa, delegate_deu):
        client = api(delegate)
        assert _ids(client.get(URL)) == [measure.pk, restricted_measure.pk]
        response = client.get(_detail(restricted_measure.pk))
        assert response.status_code == 200
        assert response.json()["restricted"] is True
        assert response.json()["participants"] == ["DEU", "NLD", "USA"]


def test_a_restricted_measure_is_visible_to_coordinators(
    api, coordinator, measure, restricted_measure
):
    client = api(coordinator)

    assert _ids(client.get(URL)) == [measure.pk, restricted_measure.pk]
    assert client.get(_detail(restricted_measure.pk)).status_code == 200


# Tabling a measure ------------------------------------------------------------------


def test_a_coordinator_tables_a_measure(api, coordinator):
    response = api(coordinator).post(
        URL, {**PORTS, "summary": "In an emergency.", "status": "open"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == MEASURE_FIELDS
    measure = Measure.objects.get()
    assert body["id"] == measure.pk
    assert (measure.title, measure.category, measure.status) == (PORTS["title"], "ports", "open")
    assert measure.summary == "In an emergency."
    assert measure.created_by == coordinator


def test_the_lead_defaults_to_the_sponsor(api, coordinator):
    response = api(coordinator).post(URL, PORTS, format="json")

    assert response.json()["lead"] == "USA"
    assert Measure.objects.get().lead_id == "USA"


def test_a_coordinator_names_another_lead(api, coordinator):
    response = api(coordinator).post(URL, {**PORTS, "sponsor": "fra", "lead": "USA"}, format="json")

    assert response.status_code == 201
    assert (response.json()["sponsor"], response.json()["lead"]) == ("FRA", "USA")


def test_a_new_measure_starts_as_a_draft_under_qmv(api, coordinator):
    body = api(coordinator).post(URL, PORTS, format="json").json()

    assert (body["status"], body["eu_rule"], body["restricted"]) == ("draft", "qmv", False)


def test_a_restricted_measure_is_tabled_with_its_participants(api, coordinator, delegate_deu):
    response = api(coordinator).post(
        URL, {**PORTS, "restricted": True, "participants": ["USA", "deu"]}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["participants"] == ["DEU", "USA"]
    assert api(delegate_deu).get(_detail(response.json()["id"])).status_code == 200


def test_a_transfer_motion_is_tabled_with_its_parent_and_target_route(api, coordinator, measure):
    response = api(coordinator).post(
        URL,
        {
            "title": "Move the matter to the EU",
            "category": "ports",
            "sponsor": "FRA",
            "kind": "transfer",
            "parent": measure.pk,
            "target_route": "eu",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["parent"], body["target_route"]) == ("transfer", measure.pk, "eu")


def test_a_delegate_cannot_table_a_measure(api, delegate_fra, written):
    client = api(delegate_fra)
    before = written()

    response = client.post(URL, PORTS, format="json")

    assert response.status_code == 403
    assert written() == before


def test_a_reader_cannot_table_a_measure(api, reader, written):
    client = api(reader)
    before = written()

    response = client.post(URL, PORTS, format="json")

    assert response.status_code == 403
    assert written() == before


def _refused(client, body, written):
    before = written()
    response = client.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert written() == before
    return response.json()


def test_an_unknown_category_answers_400_naming_it(api, coordinator, written):
    errors = _refused(api(coordinator), {**PORTS, "category": "space"}, written)

    assert set(errors) == {"category"}


def test_an_unknown_sponsor_answers_400_naming_it(api, coordinator, written):
    errors = _refused(api(coordinator), {**PORTS, "sponsor": "XXX"}, written)

    assert set(errors) == {"sponsor"}


def test_an_unknown_lead_answers_400_naming_it(api, coordinator, written):
    errors = _refused(api(coordinator), {**PORTS, "lead": "XXX"}, written)

    assert set(errors) == {"lead"}


def test_a_lead_outside_nato_answers_400_naming_it(api, coordinator, written):
    errors = _refused(api(coordinator), {**PORTS, "lead": "AUT"}, written)

    assert set(errors) == {"lead"}


def test_a_missing_title_answers_400_naming_it(api, coordinator, written):
    errors = _refused(api(coordinator), {"category": "ports", "sponsor": "USA"}, written)

    assert set(errors) == {"title"}


def test_an_unknown_field_answers_400_naming_it(api, coordinator, written):
    errors = _refused(api(coordinator), {**PORTS, "budget": 12}, written)

    assert set(errors) == {"budget"}


def test_a_transfer_without_a_parent_answers_400_naming_it(api, coordinator, written):
    errors = _refused(
        api(coordinator), {**PORTS, "kind": "transfer", "target_route": "eu"}, written
    )

    assert set(errors) == {"parent"}


def test_a_transfer_without_a_target_route_answers_400_naming_it(
    api, coordinator, measure, written
):
    errors = _refused(
        api(coordinator), {**PORTS, "kind": "transfer", "parent": measure.pk}, written
    )

    assert set(errors) == {"target_route"}


def test_an_unknown_parent_answers_400_naming_it(api, coordinator, written):
    errors = _refused(
        api(coordinator),
        {**PORTS, "kind": "transfer", "parent": 999_999, "target_route": "eu"},
        written,
    )

    assert set(errors) == {"parent"}


def test_an_unknown_target_route_answers_400_naming_it(api, coordinator, measure, written):
    errors = _refused(
        api(coordinator),
        {**PORTS, "kind": "transfer", "parent": measure.pk, "target_route": "nato"},
        written,
    )

    assert set(errors) == {"target_route"}


def test_a_restricted_measure_without_participants_answers_400(api, coordinator, written):
    errors = _refused(api(coordinator), {**PORTS, "restricted": True}, written)

    assert set(errors) == {"participants"}


def test_an_unknown_participant_answers_400_naming_it(api, coordinator, written):
    errors = _refused(
        api(coordinator), {**PORTS, "restricted": True, "participants": ["USA", "XXX"]}, written
    )

    assert set(errors) == {"participants"}


def test_the_silence_status_is_refused_when_tabling(api, coordinator, written):
    errors = _refused(api(coordinator), {**PORTS, "status": "silence"}, written)

    assert set(errors) == {"status"}


# Editing a measure ----------------------------------------------------------------


def test_a_coordinator_edits_only_the_fields_sent(api, coordinator, measure):
    response = api(coordinator).patch(
        _detail(measure.pk), {"title": "Port terminals", "status": "adopted"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["status"]) == ("Port terminals", "adopted")
    measure.refresh_from_db()
    assert (measure.title, measure.status) == ("Port terminals", "adopted")
    assert (measure.category, measure.sponsor_id, measure.lead_id) == ("ports", "USA", "USA")


def test_a_coordinator_restricts_a_measure_to_participants(
    api, coordinator, delegate_fra, delegate_deu, measure
):
    response = api(coordinator).patch(
        _detail(measure.pk), {"restricted": True, "participants": ["DEU"]}, format="json"
    )

    assert response.status_code == 200
    assert api(delegate_deu).get(_detail(measure.pk)).status_code == 200
    assert api(delegate_fra).get(_detail(measure.pk)).status_code == 404


def test_a_delegate_cannot_edit_a_measure(api, delegate_usa, measure, written):
    client = api(delegate_usa)
    before = written()

    response = client.patch(_detail(measure.pk), {"title": "Mine"}, format="json")

    assert response.status_code == 403
    assert written() == before


def test_a_reader_cannot_edit_a_measure(api, reader, measure, written):
    client = api(reader)
    before = written()

    response = client.patch(_detail(measure.pk), {"title": "Mine"}, format="json")

    assert response.status_code == 403
    assert written() == before


def test_an_outsider_editing_a_restricted_measure_gets_404(
    api, delegate_fra, restricted_measure, written
):
    client = api(delegate_fra)
    before = written()

    response = client.patch(_detail(restricted_measure.pk), {"title": "Mine"}, format="json")

    assert response.status_code == 404
    assert written() == before


def test_put_on_a_measure_answers_405(api, coordinator, measure, written):
    client = api(coordinator)
    before = written()

    response = client.put(_detail(measure.pk), {**PORTS, "title": "New"}, format="json")

    assert response.status_code == 405
    assert written() == before


def test_delete_on_a_measure_answers_405(api, coordinator, measure, written):
    client = api(coordinator)
    before = written()

    assert client.delete(_detail(measure.pk)).status_code == 405
    assert written() == before


def _edit_refused(client, measure, body, written):
    before = written()
    response = client.patch(_detail(measure.pk), body, format="json")
    assert response.status_code == 400, response.content
    assert written() == before
    return response.json()


def test_an_edit_with_an_unknown_category_answers_400(api, coordinator, measure, written):
    errors = _edit_refused(api(coordinator), measure, {"category": "space"}, written)

    assert set(errors) == {"category"}


def test_an_edit_cannot_empty_the_lead(api, coordinator, measure, written):
    errors = _edit_refused(api(coordinator), measure, {"lead": None}, written)

    assert set(errors) == {"lead"}


def test_an_edit_cannot_restrict_a_measure_without_participants(api, coordinator, measure, written):
    errors = _edit_refused(api(coordinator), measure, {"restricted": True}, written)

    assert set(errors) == {"participants"}


def test_an_edit_with_an_unknown_field_answers_400(api, coordinator, measure, written):
    errors = _edit_refused(api(coordinator), measure, {"created_by": 1}, written)

    assert set(errors) == {"created_by"}


def test_an_edit_cannot_make_a_measure_its_own_parent(api, coordinator, measure, written):
    errors = _edit_refused(
        api(coordinator),
        measure,
        {"kind": "transfer", "parent": measure.pk, "target_route": "eu"},
        written,
    )

    assert set(errors) == {"parent"}


# Cost ---------------------------------------------------------------------------------


def _measures(make_measure, count):
    for n in range(count):
        make_measure(
            title=f"Measure {n}", restricted=n % 2 == 0, participants=["USA", "DEU"][: 1 + n % 2]
        )


def test_the_list_costs_the_same_queries_for_2_or_8_measures(
    api, coordinator, delegate_usa, make_measure, count_queries
):
    _measures(make_measure, 2)
    few = {who: count_queries(api(who), URL) for who in (coordinator, delegate_usa)}
    _measures(make_measure, 6)
    many = {who: count_queries(api(who), URL) for who in (coordinator, delegate_usa)}

    assert Measure.objects.count() == 8
    assert many == few
