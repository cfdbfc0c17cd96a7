"""The exports page (/exports/): the form, the user's jobs and their progress bars."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exports import services
from exports.models import ExportJob

PAGE = "/exports/"


def test_the_page_needs_a_login(db, client, exports_written):
    before = exports_written()

    assert client.get(PAGE).status_code == 302
    assert client.post(PAGE, {"kind": "matrix", "format": "csv"}).status_code == 302
    assert exports_written() == before


def test_the_page_lists_only_the_users_own_jobs_with_a_progress_bar(
    client, delegate_fra, delegate_deu, coordinator
):
    mine = services.export_request(user=delegate_fra, kind="matrix", format="csv")
    theirs = services.export_request(user=delegate_deu, kind="history", format="xlsx")
    services.export_request(user=coordinator, kind="history", format="csv")
    client.force_login(delegate_fra)

    page = client.get(PAGE).content.decode()

    assert f'data-url="/api/v1/exports/{mine.pk}/"' in page
    assert str(theirs.pk) not in page
    assert re.search(r'<progress class="export-progress" max="100" value="0"', page)


def test_a_done_job_shows_a_full_bar_and_a_download_link(client, reader, eager_tasks):
    job = services.export_request(user=reader, kind="history", format="csv")
    services.export_build(job_id=str(job.pk))
    client.force_login(reader)

    page = client.get(PAGE).content.decode()

    assert 'value="100"' in page
    assert f'href="/api/v1/exports/{job.pk}/download/" download' in page


def test_the_form_requests_an_export_and_comes_back_to_the_list(
    client, reader, django_capture_on_commit_callbacks, eager_tasks
):
    client.force_login(reader)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            PAGE, {"kind": "matrix", "format": "xlsx", "route": "eu", "as_of": "2024-07-10T12:00"}
        )

    assert response.status_code == 302
    assert response["Location"] == PAGE
    job = ExportJob.objects.get()
    assert (job.requested_by, job.kind, job.format, job.route) == (reader, "matrix", "xlsx", "eu")
    assert job.as_of.isoformat() == "2024-07-10T12:00:00+00:00"  # read as UTC
    assert job.status == "done"
    assert "Export requested" in client.get(PAGE).content.decode()


def test_a_history_export_from_the_form_ignores_the_route(client, reader):
    client.force_login(reader)

    client.post(PAGE, {"kind": "history", "format": "csv", "route": "eu", "as_of": ""})

    job = ExportJob.objects.get()
    assert (job.kind, job.route, job.as_of) == ("history", "", None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "votes", "format": "csv", "route": "eu"}, "kind"),
        ({"kind": "matrix", "format": "pdf", "route": "eu"}, "format"),
        ({"kind": "matrix", "format": "csv", "route": "nato"}, "route"),
        ({"kind": "matrix", "format": "csv", "route": "eu", "as_of": "yesterday"}, "as_of"),
        (
            {
                "kind": "matrix",
                "format": "csv",
                "route": "eu",
                "as_of": "9999-12-31T23:59:59-01:00",
            },
            "as_of",
        ),
    ],
)
def test_a_bad_form_is_400_says_why_and_writes_nothing(
    client, reader, exports_written, data, field
):
    client.force_login(reader)
    before = exports_written()

    response = client.post(PAGE, data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="errorlist' in response.content.decode()
    assert exports_written() == before


def test_the_progress_script_is_a_static_file_and_no_script_is_inline(client, reader):
    client.force_login(reader)
    services.export_request(user=reader, kind="matrix", format="csv")

    page = client.get(PAGE).content.decode()

    assert '<script src="/static/exports/exports.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    script = finders.find("exports/exports.js")
    assert script is not None
    source = Path(script).read_text()
    assert "fetch(" in source
    assert not re.search(r"https?://", source)  # no other origin: no CDN


def test_the_navigation_and_the_matrix_page_link_to_the_exports(client, reader):
    client.force_login(reader)

    exports_page = client.get(PAGE).content.decode()
    matrix_page = client.get(reverse("matrix")).content.decode()

    assert '<a href="/exports/" aria-current="page">Exports</a>' in exports_page
    assert 'href="/exports/"' in matrix_page


def test_the_page_in_french(client, reader):
    client.force_login(reader)
    services.export_request(user=reader, kind="matrix", format="csv")

    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Vos exports" in page
    assert "Nouvel export" in page


@pytest.mark.parametrize("jobs", [1, 8])
def test_the_page_costs_the_same_queries_for_1_and_8_jobs(client, reader, jobs):
    for _ in range(jobs):
        services.export_request(user=reader, kind="matrix", format="csv")
    client.force_login(reader)
    client.get(PAGE)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200

    # The session, its user, the jobs.
    assert len(queries) == 3
