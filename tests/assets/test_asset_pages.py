"""The asset pages and the measure page's coverage: bars, the map with its markers, the table."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from positions.models import State
from positions.services import position_record


def measure_page(measure) -> str:
    return f"/measures/{measure.pk}/"


def test_the_measure_page_maps_each_asset_with_what_each_route_covers(
    client, reader, delegate_usa, make_user, make_asset, cover_with, measure
):
    rotterdam = make_asset("NLD", name="Euromax")
    kumport = make_asset("TUR", name="Kumport", latitude="40.97", longitude="28.68")
    unmapped = make_asset(
        "DEU", name="Somewhere", latitude=None, longitude=None, location_source=""
    )
    cover_with(measure, rotterdam, kumport, unmapped)
    for code in ("USA", "NLD"):
        actor = delegate_usa if code == "USA" else make_user("d-nld", "delegate", "NLD")
        position_record(
            actor=actor,
            measure=measure,
            state=State.objects.get(code=code),
            stances={"bilateral": "support"},
            source="api",
        )
    client.force_login(reader)

    page = client.get(measure_page(measure)).content.decode()

    assert 'id="asset-map"' in page
    assert page.count('class="asset-marker"') == 2  # the third has no location
    marker = re.search(rf'id="marker-{rotterdam.pk}".*?</a>', page, re.S).group(0)
    # Alliance, bilateral, EU: only the bilateral route covers Rotterdam (USA with NLD).
    assert re.findall(r'class="route-(\d) (covered|uncovered)"', marker) == [
        ("0", "uncovered"),
        ("1", "covered"),
        ("2", "uncovered"),
    ]
    assert "Euromax (NLD): covered on Bilateral" in marker
    assert f'href="/assets/{rotterdam.pk}/"' in marker
    assert 'id="coverage-share-bilateral"' in page
    assert re.search(r'id="coverage-share-bilateral" min="0" max="1" value="0\.333', page)
    assert "1 of 3" in page
    assert "One asset has no location on this map." in page


def test_a_measure_without_assets_says_so(client, reader, measure):
    client.force_login(reader)
    page = client.get(measure_page(measure)).content.decode()
    assert "No asset is recorded as covered by this measure." in page
    assert 'id="asset-map"' not in page


@pytest.mark.parametrize("size", [1, 6])
def test_the_measure_page_takes_the_same_queries_however_many_assets(
    client, coordinator, make_asset, cover_with, measure, size
):
    client.force_login(coordinator)
    cover_with(measure, make_asset("NLD"))
    with CaptureQueriesContext(connection) as one:
        client.get(measure_page(measure))
    cover_with(measure, *[make_asset("FRA") for _ in range(size)])
    with CaptureQueriesContext(connection) as more:
        response = client.get(measure_page(measure))
    assert response.status_code == 200
    assert len(more) == len(one)


def test_the_asset_page_lists_the_measures_covering_it_that_the_reader_may_see(
    client, reader, delegate_usa, make_asset, cover_with, measure, restricted_measure
):
    asset = make_asset("NLD", name="Euromax")
    cover_with(measure, asset)
    cover_with(restricted_measure, asset)

    client.force_login(reader)
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert measure.title in page
    assert restricted_measure.title not in page
    assert "Annual report" in page  # each fact with its source

    client.force_login(delegate_usa)
    assert restricted_measure.title in client.get(f"/assets/{asset.pk}/").content.decode()


def test_the_asset_list_and_refusals(client, reader, make_asset):
    make_asset("NLD", name="Euromax")
    assert client.get("/assets/").status_code == 302  # log in first
    client.force_login(reader)
    assert "Euromax" in client.get("/assets/").content.decode()
    assert client.get("/assets/999999/").status_code == 404
    assert client.post("/assets/").status_code == 405
