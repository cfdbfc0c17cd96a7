"""The support matrix in a browser: a change seen from a second session, and the as-of picker."""

from __future__ import annotations

import re
import time
from datetime import UTC, timedelta

import pytest
from playwright.sync_api import Page

from positions.services import position_record

pytestmark = pytest.mark.django_db(transaction=True)


def france_cell(page: Page) -> str:
    """The class of France's first stance cell in the matrix."""
    row = page.locator("tbody tr").filter(has=page.locator("th abbr", has_text=re.compile("^FRA$")))
    return row.locator("td.stance").first.get_attribute("class") or ""


def test_a_second_session_sees_the_matrix_change_after_a_delegate_records(
    live_server, new_page, log_in, screenshot, delegate_fra, reader, measure
):
    watcher = new_page()
    log_in(watcher, "reader")
    watcher.goto(f"{live_server.url}/matrix/?route=alliance")
    assert "stance-undecided" in france_cell(watcher)

    delegate = new_page()
    log_in(delegate, "delegate-fra")
    delegate.goto(f"{live_server.url}/measures/{measure.pk}/positions/FRA/")
    delegate.get_by_role("group", name="Alliance").get_by_label("Oppose").check()
    delegate.get_by_role("button", name="Record position").click()
    delegate.get_by_text("Position recorded").wait_for()

    watcher.reload()
    assert "stance-oppose" in france_cell(watcher)
    assert watcher.locator("td.stance-oppose abbr").first.inner_text() == "O"  # not colour alone
    screenshot(watcher, "matrix")


def test_the_as_of_picker_shows_an_earlier_state(
    live_server, new_page, log_in, screenshot, delegate_fra, reader, measure, state
):
    first = position_record(
        actor=delegate_fra,
        measure=measure,
        state=state("FRA"),
        stances={"alliance": "support"},
        source="api",
    ).change
    time.sleep(1.1)  # the picker's resolution is the second: keep the changes apart
    position_record(
        actor=delegate_fra,
        measure=measure,
        state=state("FRA"),
        stances={"alliance": "oppose"},
        source="api",
    )
    page = new_page()
    log_in(page, "reader")
    page.goto(f"{live_server.url}/matrix/?route=alliance")
    assert "stance-oppose" in france_cell(page)

    # Between the two changes, to the second, in UTC as the picker says.
    instant = first.at.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)
    page.get_by_label("As of (UTC)").fill(instant.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"as_of="))

    assert "stance-support" in france_cell(page)
    screenshot(page, "matrix-as-of")
