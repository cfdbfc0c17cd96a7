"""export_request and export_build: the job, its progress, its idempotent build (eager tasks)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consensus.errors import InvalidInput
from exports import services
from exports.models import ExportJob
from exports.tasks import exports_sweep
from positions.models import PositionChange


def request(user, **fields):
    fields.setdefault("kind", "history")
    fields.setdefault("format", "csv")
    return services.export_request(user=user, **fields)


def rows(job):
    with job.file.open("rb") as f:
        return list(csv.reader(io.StringIO(f.read().decode())))


def test_a_request_writes_a_queued_job_and_builds_it_after_commit(
    eager_tasks, coordinator, history, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = request(coordinator)

    assert ExportJob.objects.get(pk=job.pk).status == "queued"
    assert len(callbacks) == 1  # the build is queued only once the job is committed

    callbacks[0]()

    job.refresh_from_db()
    assert job.status == "done"
    assert job.percent == 100
    assert (job.rows_done, job.rows_total) == (8, 8)
    assert job.file.name == f"exports/{job.pk}.csv"
    assert job.started_at <= job.finished_at
    assert len(rows(job)) == 9  # the header and eight changes


def test_a_matrix_job_defaults_to_the_alliance_route(coordinator):
    job = request(coordinator, kind="matrix")

    assert job.route == "alliance"
    assert job.filename == "matrix-alliance.csv"


def test_the_file_name_says_what_and_when(coordinator, measure):
    as_of = timezone.now().replace(microsecond=0)
    matrix = request(coordinator, kind="matrix", format="xlsx", route="eu", as_of=as_of)
    history = request(coordinator, measure_id=measure.pk)

    assert matrix.filename == f"matrix-eu-{as_of:%Y%m%dT%H%M%SZ}.xlsx"
    assert history.filename == f"history-measure-{measure.pk}.csv"


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"kind": "positions"}, "kind"),
        ({"format": "pdf"}, "format"),
        ({"kind": "matrix", "route": "nato"}, "route"),
        ({"kind": "matrix", "measure_status": "pending"}, "status"),
        ({"kind": "matrix", "measure_category": "cheese"}, "category"),
        ({"kind": "history", "route": "eu"}, "route"),
        ({"kind": "history", "measure_status": "open"}, "status"),
        ({"kind": "history", "measure_category": "ports"}, "category"),
        ({"kind": "matrix", "measure_id": 1}, "measure"),
        ({"kind": "history", "measure_id": 999_999}, "measure"),
    ],
)
def test_a_bad_request_is_refused_and_writes_nothing(
    coordinator, measure, exports_written, fields, bad
):
    before = exports_written()

    with pytest.raises(InvalidInput) as refusal:
        request(coordinator, **fields)

    assert bad in refusal.value.errors
    assert exports_written() == before


def test_a_measure_hidden_from_the_requester_is_unknown(
    delegate_fra, restricted_measure, exports_written
):
    before = exports_written()

    with pytest.raises(InvalidInput) as refusal:
        request(delegate_fra, measure_id=restricted_measure.pk)

    assert refusal.value.errors == {"measure": ["unknown measure"]}
    assert exports_written() == before


def test_progress_is_written_after_every_chunk(coordinator, history, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)
    job = request(coordinator)

    with CaptureQueriesContext(connection) as queries:
        services.export_build(job_id=str(job.pk))

    progress = [
        int(m.group(1))
        for q in queries
        if (m := re.search(r'UPDATE "exports_exportjob" SET "rows_done" = (\d+)', q["sql"]))
    ]
    assert progress == [3, 6, 8]  # eight changes, three at a time
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total, job.percent) == ("done", 8, 8, 100)
    # Three changes per read, never the whole history at once.
    reads = [q for q in queries if 'FROM "positions_positionchange"' in q["sql"]]
    assert len(reads) == 1 + 3  # the count, then one read per chunk


@pytest.mark.parametrize(
    ("status", "done", "total", "percent"),
    [
        ("queued", 0, 0, 0),
        ("running", 0, 0, 0),
        ("running", 3, 7, 42),
        ("running", 7, 7, 99),  # written, not yet stored
        ("failed", 2, 7, 28),
        ("done", 7, 7, 100),
        ("done", 0, 0, 100),  # an empty export is done too
    ],
)
def test_the_percentage(status, done, total, percent):
    assert ExportJob(status=status, rows_done=done, rows_total=total).percent == percent


def test_a_done_job_is_not_built_again(coordinator, history):
    job = request(coordinator)
    services.export_build(job_id=str(job.pk))
    job.refresh_from_db()
    built = (job.file.name, job.finished_at, job.file.read())

    again = services.export_build(job_id=str(job.pk))

    again.refresh_from_db()
    assert (again.file.name, again.finished_at, again.file.read()) == built


def test_a_job_left_half_built_by_a_dead_worker_starts_afresh(coordinator, history, media):
    job = request(coordinator)
    # A worker wrote part of the file and some progress, then died.
    stray = media / "exports" / f"{job.pk}.csv"
    stray.parent.mkdir(parents=True)
    stray.write_text("id,at\n1,")
    ExportJob.objects.filter(pk=job.pk).update(
        status="running",
        rows_done=5,
        rows_total=8,
        file=f"exports/{job.pk}.csv",
        started_at=timezone.now() - timedelta(hours=2),
    )

    services.export_build(job_id=str(job.pk))

    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == ("done", 8, 8)
    assert job.file.name == f"exports/{job.pk}.csv"  # the stray file was replaced, not kept
    assert len(rows(job)) == 9
    assert sorted(p.name for p in (media / "exports").iterdir()) == [f"{job.pk}.csv"]


def test_a_build_that_fails_says_why_and_stores_nothing(coordinator, history, settings, tmp_path):
    job = request(coordinator)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage wants a folder")
    settings.MEDIA_ROOT = blocked

    services.export_build(job_id=str(job.pk))

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == services.FAILED_MESSAGE  # the log has the details, not the user
    assert str(blocked) not in job.error
    assert not job.file
    assert job.finished_at is not None


def test_an_unknown_job_is_nothing_to_build(db):
    assert services.export_build(job_id="00000000-0000-0000-0000-000000000000") is None


def test_the_history_lists_only_what_the_requester_may_see(delegate_fra, history):
    job = request(delegate_fra)

    services.export_build(job_id=str(job.pk))

    job.refresh_from_db()
    listed = {int(row[2]) for row in rows(job)[1:]}
    assert listed == {history["ports"].pk, history["screening"].pk}
    assert job.rows_total == PositionChange.objects.exclude(measure=history["quantum"]).count()


def test_an_attempt_taken_over_by_a_redelivered_task_stores_nothing(
    coordinator, history, media, monkeypatch
):
    job = request(coordinator)
    original = services.history_row
    redelivered = []

    def row_then_redeliver(change):
        if not redelivered:  # while the first attempt writes, the task arrives again
            redelivered.append(None)
            redelivered[0] = services.export_build(job_id=str(job.pk))
        return original(change)

    monkeypatch.setattr(services, "history_row", row_then_redeliver)

    first = services.export_build(job_id=str(job.pk))

    second = redelivered[0]
    assert first.status == second.status == "done"
    assert first.file.name == second.file.name == f"exports/{job.pk}.csv"
    assert first.started_at == second.started_at  # the later attempt's
    assert [p.name for p in (media / "exports").iterdir()] == [f"{job.pk}.csv"]
    assert len(rows(first)) == 9


def test_the_sweep_builds_a_job_whose_task_never_reached_a_worker(
    eager_tasks, coordinator, history
):
    # Requested while the broker was down: the on-commit send never happened (this
    # test's transaction never commits), so the job stays queued until the sweep.
    job = request(coordinator)
    assert exports_sweep.delay().get() == []  # too recent: its own task may still come

    ExportJob.objects.filter(pk=job.pk).update(requested_at=timezone.now() - timedelta(minutes=2))
    assert exports_sweep.delay().get() == [str(job.pk)]

    job.refresh_from_db()
    assert job.status == "done"
    assert (job.rows_done, job.rows_total) == (8, 8)
    assert exports_sweep.delay().get() == []  # nothing left waiting
