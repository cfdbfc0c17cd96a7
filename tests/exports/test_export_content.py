"""What the files hold: the matrix as the matrix API's CSV, the history as the change feed."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from exports import services
from exports.models import ExportJob
from positions.services import position_record


def built(user, **fields):
    job = services.export_request(user=user, **fields)
    services.export_build(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == "done", job.error
    return job


def csv_rows(job):
    with job.file.open("rb") as f:
        return list(csv.reader(io.StringIO(f.read().decode())))


def xlsx_rows(job):
    with job.file.open("rb") as f:
        workbook = load_workbook(io.BytesIO(f.read()), read_only=True)
        return [
            ["" if cell is None else str(cell) for cell in row]
            for row in workbook.active.iter_rows(values_only=True)
        ]


@pytest.mark.parametrize(
    "parameters",
    [
        {},
        {"route": "eu"},
        {"route": "bilateral", "status": "open"},
        {"route": "alliance", "category": "quantum"},
        {"route": "eu", "as_of": "first"},
        {"route": "alliance", "as_of": "before"},
    ],
)
def test_the_matrix_export_is_the_matrix_apis_csv(
    api, history, coordinator, delegate_fra, delegate_deu, reader, parameters
):
    first = history["ports"].changes.order_by("id").first().at
    as_of = {"first": first, "before": first - timedelta(seconds=1)}.get(parameters.get("as_of"))
    query = {**parameters, "format": "csv"}
    if as_of is not None:
        query["as_of"] = as_of.isoformat()
    for user in (coordinator, delegate_fra, delegate_deu, reader):
        expected = api(user).get("/api/v1/matrix/?" + urlencode(query))
        assert expected.status_code == 200

        job = built(
            user,
            kind="matrix",
            format="csv",
            route=parameters.get("route", ""),
            as_of=as_of,
            measure_status=parameters.get("status", ""),
            measure_category=parameters.get("category", ""),
        )

        with job.file.open("rb") as f:
            assert f.read() == expected.content, user.username
        assert job.rows_total == job.rows_done == len(csv_rows(job)) - 1


def test_the_matrix_export_shows_a_restricted_measure_only_to_those_who_may_see_it(
    history, delegate_fra, delegate_deu
):
    quantum = str(history["quantum"].pk)

    assert quantum not in csv_rows(built(delegate_fra, kind="matrix", format="csv"))[0]
    assert quantum in csv_rows(built(delegate_deu, kind="matrix", format="csv"))[0]


def test_the_history_export_lists_the_change_feed(api, coordinator, history):
    feed = api(coordinator).get("/api/v1/changes/?limit=1000").json()["results"]

    rows = csv_rows(built(coordinator, kind="history", format="csv"))

    header, rows = rows[0], rows[1:]
    assert header == list(services.HISTORY_HEADER)
    assert len(rows) == len(feed)
    for row, change in zip(rows, feed, strict=True):
        line = dict(zip(header, row, strict=True))
        assert int(line["id"]) == change["id"]
        assert line["at"] == change["at"]
        assert int(line["measure"]) == change["measure"]
        assert line["state"] == change["state"]
        assert int(line["version"]) == change["version"]
        assert (line["reservations"], line["note"], line["source"]) == (
            change["reservations"],
            change["note"],
            change["source"],
        )
        assert line["by"] == (change["by"] or "")
        moved = {
            route: [line[f"{route}_before"], line[f"{route}_after"]]
            for route in ("alliance", "bilateral", "eu")
            if line[f"{route}_after"] and line[f"{route}_before"] != line[f"{route}_after"]
        }
        assert moved == change["changes"]


def test_the_history_of_one_measure_up_to_an_instant(coordinator, history):
    ports = history["ports"]
    third = ports.changes.order_by("id")[2]

    rows = csv_rows(
        built(coordinator, kind="history", format="csv", measure_id=ports.pk, as_of=third.at)
    )

    assert [int(row[0]) for row in rows[1:]] == list(
        ports.changes.filter(at__lte=third.at).order_by("id").values_list("id", flat=True)
    )


def test_a_state_off_a_route_has_empty_cells_for_it(coordinator, history):
    rows = csv_rows(built(coordinator, kind="history", format="csv"))
    header = rows[0]
    aut = next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[3] == "AUT")
    usa = next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[3] == "USA")

    assert (aut["alliance_after"], aut["eu_after"]) == ("", "support")
    assert (usa["eu_before"], usa["eu_after"]) == ("", "")


@pytest.mark.parametrize("kind", ["matrix", "history"])
def test_the_xlsx_file_opens_and_holds_the_same_rows_as_the_csv(coordinator, history, kind):
    route = "eu" if kind == "matrix" else ""
    as_csv = csv_rows(built(coordinator, kind=kind, format="csv", route=route))

    job = built(coordinator, kind=kind, format="xlsx", route=route)

    assert xlsx_rows(job) == as_csv
    assert job.file.name.endswith(".xlsx")


def test_an_empty_export_is_a_header_and_done(reader):
    job = built(reader, kind="history", format="xlsx")

    assert xlsx_rows(job) == [list(services.HISTORY_HEADER)]
    assert (job.rows_done, job.rows_total, job.percent) == (0, 0, 100)
    assert job.status == ExportJob.Status.DONE


def test_text_in_the_xlsx_stays_text(coordinator, delegate_fra, measure, state):
    for note in ['=HYPERLINK("http://example.org", "x")', "#N/A", "bell\x07 and tab\t"]:
        position_record(
            actor=delegate_fra,
            measure=measure,
            state=state("FRA"),
            stances={},
            note=note,
            source="api",
        )

    job = built(coordinator, kind="history", format="xlsx")

    with job.file.open("rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    column = services.HISTORY_HEADER.index("note")
    notes = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in notes] == [
        '=HYPERLINK("http://example.org", "x")',
        "#N/A",
        "bell\ufffd and tab\t",
    ]
    assert {cell.data_type for cell in notes} == {"s"}  # no formula, no error value
