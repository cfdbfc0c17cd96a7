"""The measure page's map of assets in a browser: markers coloured by what each route covers."""

from __future__ import annotations

import pytest

from assets.services import asset_create, measure_assets_set
from positions.models import State
from positions.services import position_record
from tests.assets.conftest import facts
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_map_shows_each_asset_as_a_marker_with_its_coverage(
    live_server, new_page, log_in, screenshot, coordinator, reader, delegate_usa, make_user, measure
):
    rotterdam = asset_create(
        actor=coordinator, host=State.objects.get(code="NLD"), **facts(name="Euromax")
    )
    piraeus = asset_create(
        actor=coordinator,
        host=State.objects.get(code="GRC"),
        **facts(name="Piraeus", latitude="37.95", longitude="23.59"),
    )
    measure_assets_set(actor=coordinator, measure=measure, assets=[rotterdam, piraeus])
    for code, actor in (("USA", delegate_usa), ("NLD", make_user("d-nld", "delegate", "NLD"))):
        position_record(
            actor=actor,
            measure=measure,
            state=State.objects.get(code=code),
            stances={"bilateral": "support"},
            source="api",
        )

    page = new_page()
    log_in(page, "reader")
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    figure = page.get_by_role("img", name="The measure's assets on a map of Europe")
    figure.scroll_into_view_if_needed()

    assert figure.is_visible()
    assert page.locator("#asset-map path").count() > 30  # the countries' outlines
    markers = page.locator("#asset-map .asset-marker")
    assert markers.count() == 2
    rotterdam_marker = page.locator(f"#marker-{rotterdam.pk}")
    assert rotterdam_marker.is_visible()
    assert rotterdam_marker.locator("rect.covered").count() == 1  # bilateral only
    assert page.locator(f"#marker-{piraeus.pk} rect.covered").count() == 0
    # The markers sit where the ports are: Rotterdam north-west of Piraeus.
    r, p = rotterdam_marker.bounding_box(), page.locator(f"#marker-{piraeus.pk}").bounding_box()
    assert r["x"] < p["x"]
    assert r["y"] < p["y"]
    assert page.locator("#coverage-share-bilateral").get_attribute("value").startswith("0.5")
    screenshot(page, "measure-assets-map")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("section.coverage").screenshot(path=SCREENSHOTS / "measure-assets-coverage.png")

    with page.expect_navigation():
        rotterdam_marker.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Euromax"
    assert page.get_by_role("link", name=measure.title).is_visible()
