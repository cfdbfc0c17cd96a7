"""The exports page in a browser: request an export, watch its bar fill, download the file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exports import services
from tests.celery_worker import worker_running
from tests.exports.worker import changes_bulk

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(settings: Any, tmp_path: Any) -> Iterator[list[str]]:
    """A real worker on the test Redis; the live server and it share the media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with worker_running(settings) as finished:
        yield finished


def test_an_export_requested_on_the_page_fills_its_bar_and_offers_the_file(
    live_server,
    new_page,
    log_in,
    screenshot,
    worker,
    monkeypatch,
    reader,
    delegate_fra,
    make_measure,
):
    changes_bulk(600, by=delegate_fra, measures=[make_measure(title=f"M{i}") for i in range(3)])
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)  # a bar with somewhere to go
    page = new_page()
    log_in(page, "reader")
    page.goto(f"{live_server.url}/matrix/")
    page.get_by_role("link", name="Export it in the background").click()

    page.get_by_label("What").select_option("history")
    page.get_by_label("Format").select_option("csv")
    page.get_by_role("button", name="Export", exact=True).click()
    page.get_by_text("Export requested").wait_for()

    row = page.locator("tr.export-job").first
    bar = row.locator("progress")
    # Shown before the worker is through (600 rows, 2 at a time): the script takes it on.
    assert row.get_attribute("data-status") in {"queued", "running"}
    assert int(bar.get_attribute("value")) < 100
    link = row.get_by_role("link", name="Download")
    link.wait_for(timeout=30_000)  # the script polled the job until it was done
    assert bar.get_attribute("value") == "100"
    assert row.locator(".export-status").inner_text() == "Done"
    assert row.locator(".export-percent").inner_text() == "100%"
    screenshot(page, "exports")

    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "history.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,at,measure,state,version")
    assert len(lines) == 601
