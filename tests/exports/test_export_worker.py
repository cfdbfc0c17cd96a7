"""An export with the real Redis and a real Celery worker (not eager mode)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import exports.tasks
from exports import services
from exports.models import ExportJob
from positions.models import Measure
from tests.celery_worker import worker_running
from tests.exports.worker import changes_bulk

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("timed out waiting for the worker")


@pytest.fixture
def worker(settings: Any) -> Iterator[list[str]]:
    with worker_running(settings) as finished:
        yield finished


@pytest.fixture
def long_history(coordinator, delegate_fra, make_measure) -> int:
    changes_bulk(400, by=delegate_fra, measures=[make_measure(title=f"M{i}") for i in range(4)])
    return 400


def test_the_worker_builds_the_export_with_rising_progress_and_it_downloads(
    worker, api, coordinator, long_history, monkeypatch
):
    monkeypatch.setattr(services, "CHUNK_ROWS", 5)  # 80 progress updates to watch
    response = api(coordinator).post(
        "/api/v1/exports/", {"kind": "history", "format": "xlsx"}, format="json"
    )
    assert response.status_code == 202
    assert response.json()["status"] == "queued"  # the worker, not the request, builds it
    job_url = response["Location"]
    client = api(coordinator)

    seen: list[int] = []

    def finished():
        body = client.get(job_url).json()
        seen.append(body["progress"]["percent"])
        return body["status"] == "done"

    wait_for(finished)

    assert seen == sorted(seen)  # progress only rises
    assert seen[-1] == 100
    assert any(0 < p < 100 for p in seen), seen  # and was seen on its way
    body = client.get(job_url).json()
    assert body["progress"] == {"done": 400, "total": 400, "percent": 100}
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="history.xlsx"'
    content = b"".join(download.streaming_content)
    assert content.startswith(b"PK")  # a zip: an XLSX workbook

    # The task sent again (a redelivery after a restart) does not build it again.
    job = ExportJob.objects.get()
    again = exports.tasks.export_build.delay(str(job.pk))
    wait_for(lambda: again.id in worker)
    rebuilt = ExportJob.objects.get()
    assert (rebuilt.finished_at, rebuilt.file.name) == (job.finished_at, job.file.name)
    assert Measure.objects.count() == 4
