"""A delegate at work, in a real browser: the position form, a stale form, the diff page."""

from __future__ import annotations

import re

import pytest

from consensus.declarations.services import declaration_create, version_create
from positions.models import Position, PositionChange
from positions.services import position_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_delegate_records_a_position_by_keyboard_and_mouse(
    live_server, new_page, log_in, screenshot, delegate_fra, measure
):
    page = new_page()
    log_in(page, "delegate-fra")
    screenshot(page, "my-state")

    page.get_by_role("link", name=re.compile(f"Record position.*{measure.title}")).click()
    page.get_by_role("group", name="Alliance").get_by_label("Conditional support").check()
    page.get_by_label("Reservations").fill("Only in wartime")
    page.get_by_label("Note").fill("Instructions of 9 July")
    screenshot(page, "position-form")
    page.get_by_role("button", name="Record position").click()

    page.get_by_text("Position recorded").wait_for()
    position = Position.objects.get(state="FRA")
    assert (position.alliance, position.reservations, position.version) == (
        "conditional",
        "Only in wartime",
        1,
    )
    assert PositionChange.objects.get().source == "web"


def test_a_stale_form_shows_the_conflict_and_overwrites_nothing(
    live_server, new_page, log_in, screenshot, delegate_fra, measure, state
):
    page = new_page()
    log_in(page, "delegate-fra")
    page.goto(f"{live_server.url}/measures/{measure.pk}/positions/FRA/")

    # Someone else (another tab, the API) changes the position meanwhile.
    position_record(
        actor=delegate_fra,
        measure=measure,
        state=state("FRA"),
        stances={"eu": "oppose"},
        note="changed through the API",
        source="api",
    )
    page.get_by_role("group", name="EU").get_by_label("Support", exact=True).check()
    page.get_by_role("button", name="Record position").click()

    page.get_by_text("Someone changed this position").wait_for()
    screenshot(page, "position-form-stale")
    assert page.get_by_role("group", name="EU").get_by_label("Oppose").is_checked()
    position = Position.objects.get(state="FRA")
    assert (position.eu, position.version) == ("oppose", 1)
    assert PositionChange.objects.count() == 1


def test_the_diff_page_highlights_a_changed_word(
    live_server, new_page, log_in, screenshot, coordinator
):
    declaration = declaration_create(
        actor=coordinator, title="Washington Summit Declaration", summit="Washington", year=2024
    )
    version_create(
        actor=coordinator,
        declaration=declaration,
        text="The PRC is a matter of serious concern.\n\nWe stand with Ukraine.",
        note="",
    )
    version_create(
        actor=coordinator,
        declaration=declaration,
        text="The PRC is a decisive enabler of Russia's war.\n\nWe stand with Ukraine.",
        note="",
    )
    page = new_page()
    log_in(page, "coordinator")

    page.goto(f"{live_server.url}/declarations/{declaration.pk}/diff/?from=1&to=2")
    screenshot(page, "diff")

    inserted = page.locator("ins").filter(has_text="decisive")
    deleted = page.locator("del").filter(has_text="serious")
    assert inserted.count() >= 1
    assert deleted.count() >= 1
    assert inserted.first.is_visible()
