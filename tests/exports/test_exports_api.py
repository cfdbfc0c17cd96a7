"""POST /api/v1/exports/, GET /api/v1/exports/{id}/ and its download: who, what, refusals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exports.models import ExportJob

EXPORTS = "/api/v1/exports/"


@pytest.fixture
def post(api, django_capture_on_commit_callbacks, eager_tasks):
    """POST as the user, running the queued build as a worker would (in-process here)."""

    def send(user, body, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return api(user, **kwargs).post(EXPORTS, body, format="json")

    return send


def test_a_request_is_accepted_with_the_job_and_its_location(post, coordinator, history):
    response = post(coordinator, {"kind": "matrix", "format": "csv", "route": "eu"})

    assert response.status_code == 202
    body = response.json()
    job = ExportJob.objects.get()
    assert body["id"] == str(job.pk)
    assert response["Location"] == f"http://testserver/api/v1/exports/{job.pk}/"
    assert body["url"] == response["Location"]
    assert body["kind"] == "matrix"
    assert body["format"] == "csv"
    assert body["parameters"] == {
        "route": "eu",
        "as_of": None,
        "status": None,
        "category": None,
        "measure": None,
    }
    assert body["requested_by"] == "coordinator"


def test_the_job_shows_its_progress_then_a_download_link(api, post, coordinator, history):
    job_url = post(coordinator, {"kind": "history", "format": "csv"})["Location"]

    body = api(coordinator).get(job_url).json()

    assert body["status"] == "done"
    assert body["progress"] == {"done": 8, "total": 8, "percent": 100}
    assert body["download_url"] == job_url + "download/"
    assert body["filename"] == "history.csv"
    assert body["error"] == ""


def test_a_job_not_yet_built_has_no_download_link_and_its_file_answers_409(
    api, coordinator, history, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # no worker runs it
        response = api(coordinator).post(EXPORTS, {"kind": "history", "format": "csv"})
    client = api(coordinator)

    body = client.get(response["Location"]).json()
    assert (body["status"], body["progress"], body["download_url"]) == (
        "queued",
        {"done": 0, "total": 0, "percent": 0},
        None,
    )
    download = client.get(response["Location"] + "download/")
    assert download.status_code == 409
    assert "not done" in download.json()["detail"]


@pytest.mark.parametrize(
    ("body", "content_type", "filename"),
    [
        ({"kind": "matrix", "format": "csv"}, "text/csv; charset=utf-8", "matrix-alliance.csv"),
        (
            {"kind": "history", "format": "xlsx", "as_of": "2030-01-01T00:00:00Z"},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "history-20300101T000000Z.xlsx",
        ),
    ],
)
def test_the_download_streams_the_file_with_its_type_and_name(
    api, post, coordinator, history, body, content_type, filename
):
    job_url = post(coordinator, body)["Location"]

    response = api(coordinator).get(job_url + "download/")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    job = ExportJob.objects.get()
    assert b"".join(response.streaming_content) == job.file.open("rb").read()


def test_a_client_may_ask_for_the_files_own_type(api, post, coordinator, history):
    job_url = post(coordinator, {"kind": "matrix", "format": "csv"})["Location"]

    response = api(coordinator).get(job_url + "download/", HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "positions", "format": "csv"}, "kind"),
        ({"format": "csv"}, "kind"),
        ({"kind": "matrix", "format": "pdf"}, "format"),
        ({"kind": "matrix"}, "format"),
        ({"kind": "matrix", "format": "csv", "route": "nato"}, "route"),
        ({"kind": "matrix", "format": "csv", "status": "pending"}, "status"),
        ({"kind": "matrix", "format": "csv", "category": "cheese"}, "category"),
        ({"kind": "matrix", "format": "csv", "as_of": "yesterday"}, "as_of"),
        ({"kind": "matrix", "format": "csv", "as_of": "2024-07-10T12:00:00"}, "as_of"),
        ({"kind": "matrix", "format": "csv", "as_of": "2024-07-10T12:00:00\x00Z"}, "as_of"),
        ({"kind": "matrix", "format": "csv", "as_of": "0001-01-01T00:00:00+01:00"}, "as_of"),
        ({"kind": "matrix", "format": "csv", "as_of": 1720612800}, "as_of"),
        ({"kind": "matrix", "format": "csv", "title": "mine"}, "title"),
        ({"kind": "history", "format": "csv", "route": "eu"}, "route"),
        ({"kind": "history", "format": "csv", "status": "open"}, "status"),
        ({"kind": "matrix", "format": "csv", "measure": 1}, "measure"),
        ({"kind": "history", "format": "csv", "measure": 999_999}, "measure"),
        ({"kind": "history", "format": "csv", "measure": "one"}, "measure"),
        ({"kind": "history", "format": "csv", "measure": 2**63}, "measure"),
        (["matrix", "csv"], "non_field_errors"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(
    post, coordinator, measure, exports_written, body, field
):
    before = exports_written()

    response = post(coordinator, body)

    assert response.status_code == 400
    assert field in response.json()
    assert exports_written() == before


def test_as_of_of_the_time_zone_missing_says_so(post, coordinator, exports_written):
    response = post(coordinator, {"kind": "matrix", "format": "csv", "as_of": "2024-07-10T12:00"})

    assert response.status_code == 400
    assert "time zone" in response.json()["as_of"][0]


def test_a_restricted_measure_is_unknown_to_those_outside_it(
    post, delegate_fra, restricted_measure, exports_written
):
    before = exports_written()

    response = post(
        delegate_fra, {"kind": "history", "format": "csv", "measure": restricted_measure.pk}
    )

    assert response.status_code == 400
    assert response.json() == {"measure": ["unknown measure"]}
    assert exports_written() == before


def test_anonymous_callers_and_read_only_tokens_request_nothing(post, reader, exports_written):
    before = exports_written()

    assert post(None, {"kind": "matrix", "format": "csv"}).status_code == 401
    assert post(reader, {"kind": "matrix", "format": "csv"}, read_only=True).status_code == 403
    assert exports_written() == before


def test_only_the_requester_and_coordinators_see_a_job(
    api, post, delegate_fra, delegate_deu, reader, coordinator, history
):
    job_url = post(delegate_fra, {"kind": "matrix", "format": "csv"})["Location"]

    for outsider in (delegate_deu, reader):
        assert api(outsider).get(job_url).status_code == 404
        assert api(outsider).get(job_url + "download/").status_code == 404
    assert api(None).get(job_url).status_code == 401
    for allowed in (delegate_fra, coordinator):
        assert api(allowed).get(job_url).status_code == 200
        assert api(allowed).get(job_url + "download/").status_code == 200
    # A read-only token reads its own jobs.
    assert api(delegate_fra, read_only=True).get(job_url).status_code == 200


def test_the_list_holds_ones_own_jobs_newest_first_and_a_coordinator_sees_all(
    api, post, delegate_fra, delegate_deu, coordinator, history
):
    first = post(delegate_fra, {"kind": "matrix", "format": "csv"}).json()["id"]
    second = post(delegate_fra, {"kind": "history", "format": "xlsx"}).json()["id"]
    other = post(delegate_deu, {"kind": "matrix", "format": "csv"}).json()["id"]

    mine = api(delegate_fra).get(EXPORTS).json()
    assert [job["id"] for job in mine["results"]] == [second, first]
    assert mine["results"][0]["progress"]["percent"] == 100
    assert [job["id"] for job in api(delegate_deu).get(EXPORTS).json()["results"]] == [other]
    every = {job["id"] for job in api(coordinator).get(EXPORTS).json()["results"]}
    assert every == {first, second, other}
    assert api(None).get(EXPORTS).status_code == 401


@pytest.mark.parametrize("jobs", [1, 6])
def test_the_list_costs_the_same_queries_however_many_jobs(api, post, delegate_fra, history, jobs):
    for _ in range(jobs):
        post(delegate_fra, {"kind": "matrix", "format": "csv"})
    client = api(delegate_fra)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(EXPORTS).status_code == 200
    assert len(queries) == 4  # the token, its user's touch, the count, the page


def test_an_unknown_job_is_404(api, reader):
    response = api(reader).get(EXPORTS + "00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404


@pytest.mark.parametrize("changes", [2, 12])
def test_the_job_costs_the_same_queries_however_big_the_export(
    api, post, coordinator, make_measure, say, delegate_fra, changes
):
    measure = make_measure()
    for i in range(changes):
        say(delegate_fra, measure, "FRA", alliance=["support", "oppose"][i % 2])
    job_url = post(coordinator, {"kind": "history", "format": "csv"})["Location"]
    client = api(coordinator)
    client.get(job_url)  # token bookkeeping done

    with CaptureQueriesContext(connection) as queries:
        assert client.get(job_url).status_code == 200
        assert client.get(job_url + "download/").status_code == 200

    # Per request: the token with its user, then the job with its requester.
    assert len(queries) == 4


def test_posting_costs_the_same_queries_for_any_matrix(
    api, coordinator, make_measure, django_capture_on_commit_callbacks
):
    counts = []
    for measures in (1, 6):
        for _ in range(measures):
            make_measure()
        client = api(coordinator)
        client.get("/api/v1/states/")  # token bookkeeping done
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False),
        ):
            assert client.post(EXPORTS, {"kind": "matrix", "format": "csv"}).status_code == 202
        counts.append(len(queries))

    assert counts[0] == counts[1]
