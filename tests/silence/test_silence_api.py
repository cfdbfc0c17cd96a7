"""POST/GET /api/v1/measures/{id}/silence/ and POST .../silence/break/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consensus import silence
from consensus.models import SilenceProcedure
from positions.models import MeasureStatusChange
from tests.silence.conftest import deadline_passes


def url(measure, tail=""):
    return f"/api/v1/measures/{measure.pk}/silence/{tail}"


def start(api, user, measure, deadline):
    return api(user).post(url(measure), {"deadline": deadline}, format="json")


def in_two_days():
    return (timezone.now() + timedelta(days=2)).isoformat()


def test_a_coordinator_starts_silence(api, coordinator, measure):
    deadline = in_two_days()

    response = start(api, coordinator, measure, deadline)

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["state"], body["measure_status"]) == (
        "silence",
        "running",
        "silence",
    )
    assert body["deadline"].replace("Z", "+00:00") == deadline
    assert body["started_by"] == "coordinator"
    assert api(coordinator).get(f"/api/v1/measures/{measure.pk}/").json()["status"] == "silence"


@pytest.mark.parametrize(
    "deadline",
    ["2020-01-01T12:00:00Z", "2030-01-01T12:00:00", "tomorrow", "", None],
    ids=["past", "no-time-zone", "malformed", "empty", "null"],
)
def test_a_bad_deadline_answers_400(api, coordinator, measure, deadline, silence_written):
    before = silence_written()

    response = start(api, coordinator, measure, deadline)

    assert response.status_code == 400
    assert "deadline" in response.json()
    assert silence_written() == before


def test_a_second_start_answers_409(api, coordinator, measure, silence_written):
    assert start(api, coordinator, measure, in_two_days()).status_code == 201
    before = silence_written()

    assert start(api, coordinator, measure, in_two_days()).status_code == 409
    assert silence_written() == before


@pytest.mark.parametrize("who", ["reader", "delegate_fra"])
def test_only_coordinators_start_silence(request, api, who, measure, silence_written):
    before = silence_written()

    response = start(api, request.getfixturevalue(who), measure, in_two_days())

    assert response.status_code == 403
    assert silence_written() == before


def test_an_invisible_measure_answers_404(
    api, reader, delegate_fra, coordinator, restricted_measure, silence_written
):
    before = silence_written()

    assert start(api, reader, restricted_measure, in_two_days()).status_code == 404
    assert api(delegate_fra).get(url(restricted_measure)).status_code == 404
    assert (
        api(delegate_fra)
        .post(url(restricted_measure, "break/"), {"reason": "No."}, format="json")
        .status_code
        == 404
    )
    assert silence_written() == before


def test_a_delegate_breaks_silence(api, coordinator, delegate_fra, measure):
    start(api, coordinator, measure, in_two_days())

    response = api(delegate_fra).post(
        url(measure, "break/"), {"reason": "We need more time."}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["broken_by"], body["reason"]) == (
        "broken",
        "FRA",
        "We need more time.",
    )
    assert body["measure_status"] == "open"
    assert api(delegate_fra).get(f"/api/v1/measures/{measure.pk}/").json()["status"] == "open"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_breaking_without_a_reason_answers_400(
    api, coordinator, delegate_fra, measure, body, silence_written
):
    start(api, coordinator, measure, in_two_days())
    before = silence_written()

    response = api(delegate_fra).post(url(measure, "break/"), body, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()
    assert silence_written() == before


@pytest.mark.parametrize("who", ["coordinator", "reader", "delegate_aut"])
def test_only_an_allys_delegate_breaks_silence(
    api, who, coordinator, reader, make_user, measure, silence_written
):
    users = {
        "coordinator": coordinator,
        "reader": reader,
        "delegate_aut": make_user("delegate-aut", "delegate", "AUT"),
    }
    start(api, coordinator, measure, in_two_days())
    before = silence_written()

    response = api(users[who]).post(url(measure, "break/"), {"reason": "No."}, format="json")

    assert response.status_code == 403
    assert silence_written() == before


def test_breaking_when_none_runs_answers_409(api, delegate_fra, measure, silence_written):
    before = silence_written()

    response = api(delegate_fra).post(url(measure, "break/"), {"reason": "No."}, format="json")

    assert response.status_code == 409
    assert silence_written() == before


def test_breaking_after_the_deadline_answers_409(
    api, coordinator, delegate_fra, measure, silence_written
):
    start(api, coordinator, measure, in_two_days())
    deadline_passes(SilenceProcedure.objects.get())
    before = silence_written()

    response = api(delegate_fra).post(url(measure, "break/"), {"reason": "Late."}, format="json")

    assert response.status_code == 409
    assert silence_written() == before


def test_get_shows_the_procedure_and_who_broke_it(api, coordinator, delegate_fra, reader, measure):
    start(api, coordinator, measure, in_two_days())
    api(delegate_fra).post(url(measure, "break/"), {"reason": "Not yet."}, format="json")

    response = api(reader).get(url(measure))

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["broken_by"], body["broken_by_user"], body["reason"]) == (
        "broken",
        "FRA",
        "delegate-fra",
        "Not yet.",
    )


def test_get_without_a_procedure_answers_404(api, reader, measure):
    assert api(reader).get(url(measure)).status_code == 404


def test_after_the_deadline_no_read_shows_silence_even_with_no_worker(
    api, coordinator, reader, measure
):
    start(api, coordinator, measure, in_two_days())
    deadline_passes(SilenceProcedure.objects.get())

    detail = api(reader).get(f"/api/v1/measures/{measure.pk}/").json()
    listed = {m["id"]: m for m in api(reader).get("/api/v1/measures/").json()["results"]}
    assert detail["status"] == "adopted"
    assert listed[measure.pk]["status"] == "adopted"

    body = api(reader).get(url(measure)).json()
    assert (body["state"], body["status"], body["adopted"], body["measure_status"]) == (
        "closed",
        "closed",
        True,
        "adopted",
    )
    assert MeasureStatusChange.objects.filter(measure=measure, after="adopted").count() == 1
    # A second read, and the sweep, change nothing more.
    api(reader).get(url(measure))
    assert silence.silence_close_due() == []
    assert MeasureStatusChange.objects.filter(measure=measure, after="adopted").count() == 1


@pytest.mark.parametrize("silent", [1, 5])
def test_the_measure_list_costs_the_same_queries_with_1_or_5_measures_under_silence(
    api, coordinator, reader, make_measure, silent
):
    """The list closes what is due once, up front, instead of asking per measure."""
    measures = [make_measure(title=f"Measure {n}") for n in range(silent + 1)]
    for measure in measures[:silent]:
        silence.silence_start(
            actor=coordinator, measure=measure, deadline=timezone.now() + timedelta(days=2)
        )
    due = SilenceProcedure.objects.filter(measure=measures[0]).get()
    deadline_passes(due)
    client = api(reader)
    first = {m["id"]: m["status"] for m in client.get("/api/v1/measures/").json()["results"]}

    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/v1/measures/").json()["results"]

    assert first[measures[0].pk] == "adopted"  # due: closed by the list, once
    assert [first[m.pk] for m in measures[1:silent]] == ["silence"] * (silent - 1)
    assert {m["id"]: m["status"] for m in again} == first
    assert len(queries) == 5  # the token, what silence is due, the count, the page, participants
    assert MeasureStatusChange.objects.filter(after="adopted").count() == 1
    silenced = api(reader).get("/api/v1/measures/?status=silence").json()["results"]
    assert {m["id"] for m in silenced} == {m.pk for m in measures[1:silent]}
