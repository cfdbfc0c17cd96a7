"""The asset API: the registry, a measure's assets, the CSV import; refusals write nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assets.models import Asset
from positions.models import Measure
from tests.assets.conftest import CSV_HEADER

LIST = "/api/v1/assets/"
IMPORT = "/api/v1/assets/import/"


def detail(asset: Asset) -> str:
    return f"/api/v1/assets/{asset.pk}/"


def measure_assets(measure: Measure) -> str:
    return f"/api/v1/measures/{measure.pk}/assets/"


def payload(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "CSP Zeebrugge Terminal",
        "kind": "port_terminal",
        "host": "bel",
        "host_source": "Port authority",
        "latitude": "51.33",
        "longitude": "3.2",
        "location_source": "Port map",
        "owner": "COSCO Shipping Ports",
        "owner_country": "CHN",
        "owner_source": "Annual report",
        "share": "100",
        "share_source": "Press (illustrative)",
        "criticality": 4,
        "criticality_source": "Assessment",
    }
    body.update(overrides)
    return body


@pytest.fixture
def registry() -> Callable[[], list[Any]]:
    """What the asset API could have written."""

    def snapshot() -> list[Any]:
        return [
            list(Asset.objects.order_by("id").values()),
            list(Asset.measures.through.objects.order_by("id").values_list()),
            list(Measure.objects.order_by("id").values("id", "updated_at")),
        ]

    return snapshot


def test_a_coordinator_records_an_asset(api, coordinator):
    response = api(coordinator).post(LIST, payload(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["host"] == "BEL"
    assert body["share"] == 100.0
    assert body["measures"] == []
    assert Asset.objects.get().name == "CSP Zeebrugge Terminal"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"host": "XXX"}, "host"),
        ({"host": "SRB"}, "host"),  # a real country, but not one of the 36 states
        ({"share": "100.5"}, "share"),
        ({"criticality": 6}, "criticality"),
        ({"latitude": "95"}, "latitude"),
        ({"owner_country": "chn"}, "owner_country"),
        ({"kind": "airport"}, "kind"),
        ({"share_source": ""}, "share_source"),
        ({"location_source": ""}, "location_source"),
        ({"longitude": None}, "longitude"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(
    api, coordinator, registry, overrides, field
):
    before = registry()
    body = payload(**overrides)
    response = api(coordinator).post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert registry() == before


def test_only_coordinators_write(
    api, coordinator, reader, delegate_fra, make_asset, measure, registry
):
    asset = make_asset()
    before = registry()
    for client in (api(reader), api(delegate_fra), api(coordinator, read_only=True)):
        assert client.post(LIST, payload(), format="json").status_code == 403
        assert client.patch(detail(asset), {"criticality": 1}, format="json").status_code == 403
        put = client.put(measure_assets(measure), {"assets": [asset.pk]}, format="json")
        assert put.status_code == 403
        upload = SimpleUploadedFile("a.csv", CSV_HEADER.encode(), content_type="text/csv")
        assert client.post(IMPORT, {"file": upload}, format="multipart").status_code == 403
    assert api().get(LIST).status_code == 401
    assert registry() == before


def test_the_list_filters_by_host_kind_and_owner_country(api, reader, make_asset):
    make_asset("NLD", name="Euromax")
    make_asset("DEU", name="Tollerort")
    make_asset("HUN", name="Railway", kind="rail_line", owner_country="HUN")
    client = api(reader)

    def names(query: str) -> list[str]:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200
        return [a["name"] for a in response.json()["results"]]

    assert names("") == ["Euromax", "Railway", "Tollerort"]
    assert names("host=deu") == ["Tollerort"]
    assert names("kind=rail_line") == ["Railway"]
    assert names("owner_country=CHN") == ["Euromax", "Tollerort"]
    for bad in ("host=DE", "host=D%00U", "kind=airport", "owner_country=12"):
        response = client.get(f"{LIST}?{bad}")
        assert response.status_code == 400, bad


def test_patch_changes_only_what_is_sent(api, coordinator, make_asset, registry):
    asset = make_asset()
    response = api(coordinator).patch(detail(asset), {"criticality": 2}, format="json")
    assert response.status_code == 200
    assert response.json()["criticality"] == 2
    before = registry()
    refused = api(coordinator).patch(detail(asset), {"owner_source": ""}, format="json")
    assert refused.status_code == 400
    assert registry() == before
    assert api(coordinator).get("/api/v1/assets/999999/").status_code == 404


def test_a_coordinator_sets_a_measures_assets(api, coordinator, reader, make_asset, measure):
    a, b = make_asset(name="A"), make_asset(name="B")
    response = api(coordinator).put(
        measure_assets(measure), {"assets": [b.pk, a.pk]}, format="json"
    )
    assert response.status_code == 200
    assert [x["name"] for x in response.json()] == ["A", "B"]
    assert [x["name"] for x in api(reader).get(measure_assets(measure)).json()] == ["A", "B"]
    assert api(reader).get(detail(a)).json()["measures"] == [measure.pk]

    cleared = api(coordinator).put(measure_assets(measure), {"assets": []}, format="json")
    assert cleared.json() == []
    assert not measure.assets.exists()


@pytest.mark.parametrize(
    "body",
    [{"assets": [999999]}, {"assets": "1"}, {"assets": [0]}, {}, {"assets": [], "x": 1}],
)
def test_a_bad_asset_list_is_400_and_writes_nothing(
    api, coordinator, make_asset, measure, registry, body
):
    make_asset()
    before = registry()
    response = api(coordinator).put(measure_assets(measure), body, format="json")
    assert response.status_code == 400
    assert registry() == before


def test_a_restricted_measures_coverage_does_not_leak(
    api, coordinator, reader, delegate_fra, delegate_usa, make_asset, restricted_measure, registry
):
    asset = make_asset()
    api(coordinator).put(measure_assets(restricted_measure), {"assets": [asset.pk]}, format="json")

    # The asset itself is in the registry, but not the measure that covers it.
    for outsider in (reader, delegate_fra):
        client = api(outsider)
        assert client.get(detail(asset)).json()["measures"] == []
        assert client.get(LIST).json()["results"][0]["measures"] == []
        assert client.get(measure_assets(restricted_measure)).status_code == 404
        assert client.get(f"/api/v1/measures/{restricted_measure.pk}/support/").status_code == 404
        matrix = client.get("/api/v1/matrix/").json()
        assert restricted_measure.pk not in [m["id"] for m in matrix["measures"]]
    before = registry()
    refused = api(delegate_fra).put(
        measure_assets(restricted_measure), {"assets": []}, format="json"
    )
    assert refused.status_code == 404
    assert registry() == before
    # A participant's delegate sees it.
    assert api(delegate_usa).get(detail(asset)).json()["measures"] == [restricted_measure.pk]


def upload(text: str | bytes) -> SimpleUploadedFile:
    raw = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile("assets.csv", raw, content_type="text/csv")


ROW = "Euromax,port_terminal,NLD,Press,51.96,4.03,Map,COSCO,CHN,Report,35,Report,5,Assessment"


def test_the_import_answers_the_report(api, coordinator):
    response = api(coordinator).post(
        IMPORT, {"file": upload(f"{CSV_HEADER}\n{ROW}\n")}, format="multipart"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["imported"] == 1
    assert body["ids"] == [Asset.objects.get().pk]
    assert body["refused"] == []


@pytest.mark.parametrize(
    "content",
    [
        f"{CSV_HEADER}\n{ROW}\n{ROW.replace('Euromax', 'Other').replace(',5,', ',7,')}\n",
        f"{CSV_HEADER}\n{ROW}\n".encode("utf-16"),
        b"",
    ],
)
def test_a_refused_import_is_400_with_the_report_and_writes_nothing(
    api, coordinator, registry, content
):
    before = registry()
    response = api(coordinator).post(IMPORT, {"file": upload(content)}, format="multipart")
    assert response.status_code == 400
    assert registry() == before
    body = response.json()
    assert body["imported"] == 0
    assert body["refused"][-1]["errors"]


def test_an_import_without_a_file_is_400(api, coordinator, registry):
    before = registry()
    response = api(coordinator).post(IMPORT, {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["refused"] == [
        {"row": 1, "errors": {"file": ["No file was submitted."]}}
    ]
    assert registry() == before
