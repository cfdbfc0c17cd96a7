"""The CSV import: every row or none, with a per-row report of what was refused and why."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from assets.models import Asset
from assets.services import IMPORT_ROW_LIMIT, assets_import
from tests.assets.conftest import CSV_HEADER

GOOD = (
    "Euromax,port_terminal,nld,Port authority,51.96,4.03,Port map,COSCO,CHN,Report,35,"
    "Report (illustrative),5,Assessment"
)
NO_LOCATION = "Budapest-Belgrade,rail_line,HUN,Press,,,,MAV,HUN,Press,,,3,Assessment"


def csv_text(*rows: str, header: str = CSV_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def test_every_row_is_imported_in_one_go(coordinator):
    report = assets_import(actor=coordinator, text=csv_text(GOOD, NO_LOCATION))
    assert report.ok
    assert report.as_dict()["imported"] == 2
    assert report.as_dict()["refused"] == []
    assert set(Asset.objects.values_list("name", "host_id")) == {
        ("Euromax", "NLD"),
        ("Budapest-Belgrade", "HUN"),
    }
    assert Asset.objects.get(name="Budapest-Belgrade").latitude is None


def test_optional_columns_may_be_left_out(coordinator):
    header = (
        "name,kind,host,host_source,owner,owner_country,owner_source,criticality,criticality_source"
    )
    report = assets_import(
        actor=coordinator,
        text=csv_text("Vado,port_terminal,ITA,Press,COSCO,CHN,Press,3,Assessment", header=header),
    )
    assert report.ok
    assert Asset.objects.get().share is None


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (GOOD.replace(",nld,", ",XXX,"), "host"),
        (GOOD.replace(",nld,", ",,"), "host"),
        (GOOD.replace(",35,", ",101,"), "share"),
        (GOOD.replace(",35,", ",a third,"), "share"),
        (GOOD.replace(",5,Assessment", ",9,Assessment"), "criticality"),
        (GOOD.replace(",5,Assessment", ",5,"), "criticality_source"),
        (GOOD.replace(",51.96,", ",91,"), "latitude"),
        (GOOD.replace(",51.96,", ",,"), "latitude"),
        (GOOD.replace(",Port map,", ",,"), "location_source"),
        (GOOD.replace(",Report (illustrative),", ",,"), "share_source"),
        (GOOD.replace(",CHN,", ",China,"), "owner_country"),
        (GOOD.replace("port_terminal", "airport"), "kind"),
        (GOOD + ",extra", "row"),
        ("Euromax,port_terminal,NLD", "row"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_imported(coordinator, row, field):
    report = assets_import(actor=coordinator, text=csv_text(NO_LOCATION, row))
    assert not report.ok
    body = report.as_dict()
    assert body["imported"] == 0
    assert body["ids"] == []
    assert [r["row"] for r in body["refused"]] == [3]  # the header is row 1
    assert field in body["refused"][0]["errors"]
    assert Asset.objects.count() == 0


def test_every_refused_row_is_reported_at_once(coordinator):
    bad = GOOD.replace(",nld,", ",XXX,")
    report = assets_import(
        actor=coordinator,
        text=csv_text(bad, NO_LOCATION, bad.replace("Euromax", "Other").replace(",5,", ",0,")),
    )
    refused = {r["row"]: r["errors"] for r in report.as_dict()["refused"]}
    assert set(refused) == {2, 4}
    assert {"host", "criticality"} <= set(refused[4])
    assert Asset.objects.count() == 0


def test_a_name_repeated_in_the_file_or_already_recorded_is_refused(coordinator, make_asset):
    report = assets_import(actor=coordinator, text=csv_text(GOOD, GOOD))
    assert [r["row"] for r in report.as_dict()["refused"]] == [3]
    assert Asset.objects.count() == 0

    make_asset(name="Euromax")
    report = assets_import(actor=coordinator, text=csv_text(GOOD))
    assert report.as_dict()["refused"][0]["errors"]["name"] == [
        "an asset of this name is already recorded"
    ]
    assert Asset.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "file"),
        (CSV_HEADER + "\n", "file"),
        (csv_text(GOOD, header=CSV_HEADER + ",colour"), "columns"),
        (csv_text("x", header="name,kind"), "columns"),
        (csv_text(GOOD, header=CSV_HEADER.replace("share_source", "share")), "columns"),
    ],
)
def test_a_bad_file_is_refused_whole(coordinator, text, key):
    report = assets_import(actor=coordinator, text=text)
    assert report.as_dict()["refused"][0]["row"] == 1
    assert key in report.as_dict()["refused"][0]["errors"]
    assert Asset.objects.count() == 0


def test_too_many_rows_are_refused(coordinator):
    rows = [GOOD.replace("Euromax", f"T{i}") for i in range(IMPORT_ROW_LIMIT + 1)]
    report = assets_import(actor=coordinator, text=csv_text(*rows))
    assert "file" in report.as_dict()["refused"][0]["errors"]
    assert Asset.objects.count() == 0


def test_only_coordinators_import(reader, delegate_fra):
    for actor in (reader, delegate_fra):
        with pytest.raises(PermissionDenied):
            assets_import(actor=actor, text=csv_text(GOOD))
    assert Asset.objects.count() == 0
