"""Export jobs: the one function that requests one, and the build a worker runs.

``export_request`` checks the parameters, writes the job and queues its build
after commit. ``export_build`` (called by the Celery task, by job id) writes
the file chunk by chunk into a temporary file, updating the job's progress
after each chunk, then hands the whole file to Django's storage. It is
idempotent: a finished job is left alone, and a job found half-built (a worker
died) starts again from the beginning.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts import permissions
from accounts.models import User
from consensus import selectors
from consensus.api import matrix_csv_write
from consensus.errors import InvalidInput
from consensus.rules import Route
from exports.models import ExportJob
from positions.models import Measure, PositionChange

logger = logging.getLogger(__name__)

# Rows written between two progress updates (one small UPDATE each).
CHUNK_ROWS = 500

# The history file's columns: each header, and the change's field it is read from.
_ROUTE_SIDES = tuple(f"{route.value}_{side}" for route in Route for side in ("before", "after"))
HISTORY_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("at", "at"),
    ("measure", "measure_id"),
    ("state", "state_id"),
    ("version", "version"),
    *((name, name) for name in _ROUTE_SIDES),
    ("reservations", "reservations"),
    ("note", "note"),
    ("by", "by__username"),
    ("source", "source"),
)
HISTORY_HEADER: tuple[str, ...] = tuple(header for header, _ in HISTORY_FIELDS)


def export_request(
    *,
    user: User,
    kind: str,
    format: str,
    route: str = "",
    as_of: datetime | None = None,
    measure_status: str = "",
    measure_category: str = "",
    measure_id: int | None = None,
) -> ExportJob:
    """Request an export for ``user``; its build is queued once the job is committed.

    Refuses with ``InvalidInput`` (nothing written): an unknown kind, format,
    route, measure status or category; a route or measure filter on a history
    export, or a measure on a matrix export; a measure the user may not see.
    """
    errors: dict[str, str] = {}
    if kind not in ExportJob.Kind.values:
        errors["kind"] = f"unknown kind {kind!r}: use one of {ExportJob.Kind.values}"
    if format not in ExportJob.Format.values:
        errors["format"] = f"unknown format {format!r}: use one of {ExportJob.Format.values}"
    if route and route not in Route.__members__.values():
        errors["route"] = f"unknown route {route!r}: use one of {[r.value for r in Route]}"
    if measure_status and measure_status not in Measure.Status.values:
        errors["status"] = f"unknown status {measure_status!r}"
    if measure_category and measure_category not in Measure.Category.values:
        errors["category"] = f"unknown category {measure_category!r}"
    measure: Measure | None = None
    if kind == ExportJob.Kind.HISTORY:
        for name, value in (
            ("route", route),
            ("status", measure_status),
            ("category", measure_category),
        ):
            if value:
                errors[name] = "applies to matrix exports only"
        if measure_id is not None:
            measure = permissions.measures_visible_to(user).filter(pk=measure_id).first()
            if measure is None:
                errors["measure"] = "unknown measure"
    elif measure_id is not None:
        errors["measure"] = "applies to history exports only"
    if errors:
        raise InvalidInput(errors)

    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=user,
            kind=kind,
            format=format,
            route=(route or Route.ALLIANCE.value) if kind == ExportJob.Kind.MATRIX else "",
            as_of=as_of,
            measure_status=measure_status,
            measure_category=measure_category,
            measure=measure,
        )
        job_id = str(job.pk)
        # robust: a broker that is down must not turn the committed request into an error.
        transaction.on_commit(lambda: _build_later(job_id), robust=True)
    return job


def _build_later(job_id: str) -> None:
    from events.tasks import enqueue
    from exports.tasks import export_build  # the tasks import this module

    enqueue(export_build, job_id)  # never raises: with the broker down, the sweep sends it


# Building ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """What an export writes: a header, then rows, with their number known in advance."""

    header: list[Any]
    total: int
    rows: Iterable[Sequence[Any]]


def _matrix_table(job: ExportJob) -> Table:
    """The support matrix, row for row what ``GET /api/v1/matrix/?format=csv`` answers."""
    found = selectors.matrix(
        user=job.requested_by,
        route=Route(job.route),
        as_of=job.as_of,
        status=job.measure_status or None,
        category=job.measure_category or None,
    )
    ids = [column.measure.pk for column in found.columns]
    return Table(
        header=["state", *ids],
        total=len(found.states),
        rows=([code, *(found.cells[code][mid].value for mid in ids)] for code in found.states),
    )


def _instant(value: datetime) -> str:
    """An instant as the API writes it: ISO 8601 in UTC, with a Z."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def history_changes(job: ExportJob) -> QuerySet[PositionChange]:
    """The position changes a history export lists: those its requester may see."""
    changes = selectors.changes_visible(user=job.requested_by)
    if job.measure_id is not None:
        changes = changes.filter(measure_id=job.measure_id)
    if job.as_of is not None:
        changes = changes.filter(at__lte=job.as_of)
    return changes


# The fields each history row is read from, in the header's order.
HISTORY_COLUMNS: tuple[str, ...] = tuple(column for _, column in HISTORY_FIELDS)
_AT = HISTORY_COLUMNS.index("at")


def history_row(values: Sequence[Any]) -> list[Any]:
    """One change (its ``HISTORY_COLUMNS``) as a row: the instant as the change feed writes
    it, and nothing (not ``None``) for a route off the state's, or for no author."""
    row = ["" if value is None else value for value in values]
    row[_AT] = _instant(values[_AT])
    return row


def _history_rows(changes: QuerySet[PositionChange]) -> Iterator[list[Any]]:
    """Oldest first, one query per chunk (a seek past the last id), never all in memory."""
    after = 0
    while True:
        chunk = list(
            changes.filter(id__gt=after).order_by("id").values_list(*HISTORY_COLUMNS)[:CHUNK_ROWS]
        )
        for values in chunk:
            yield history_row(values)
        if len(chunk) < CHUNK_ROWS:
            return
        after = chunk[-1][0]


def _history_table(job: ExportJob) -> Table:
    changes = history_changes(job)
    return Table(header=list(HISTORY_HEADER), total=changes.count(), rows=_history_rows(changes))


def _progress(job: ExportJob, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """Pass the rows on, recording progress after every ``CHUNK_ROWS`` of them."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % CHUNK_ROWS == 0:
            _this_attempt(job).update(rows_done=done)
    _this_attempt(job).update(rows_done=done)


def _write_csv(job: ExportJob, table: Table, out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    if job.kind == ExportJob.Kind.MATRIX:
        # The very function the matrix API's CSV goes through.
        matrix_csv_write(
            text,
            measure_ids=table.header[1:],
            rows=((row[0], row[1:]) for row in _progress(job, table.rows)),
        )
    else:
        writer = csv.writer(text)
        writer.writerow(table.header)
        writer.writerows(_progress(job, table.rows))
    text.flush()
    text.detach()  # the temporary file stays open for the storage to read


def _write_xlsx(job: ExportJob, table: Table, out: IO[bytes]) -> None:
    # Write-only mode keeps memory flat: rows go to a temporary file as they come.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(ExportJob.Kind(job.kind).label)[:31])
    sheet.append(table.header)
    for row in _progress(job, table.rows):
        sheet.append([_xlsx_value(sheet, value) for value in row])
    workbook.save(out)


def _xlsx_value(sheet: Any, value: Any) -> Any:
    """Text stays text: a note starting with ``=`` is not a formula, ``#N/A`` is not an
    error, and the control characters XML cannot hold become U+FFFD."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    cell.data_type = "s"
    return cell


def _this_attempt(job: ExportJob) -> QuerySet[ExportJob]:
    """The job, as long as no later attempt (a redelivered task) has taken it over."""
    return ExportJob.objects.filter(pk=job.pk, started_at=job.started_at)


FAILED_MESSAGE = "The export could not be built; the operators' logs say why."


def export_build(*, job_id: str) -> ExportJob | None:
    """Build the job's file, if it is not built yet. Returns the job, or ``None`` if gone.

    A job already done is returned untouched. Any other job (queued, or left
    running or failed by a worker that died) starts afresh: progress back to
    zero, any stored file removed. An error marks the job failed and is
    logged (not raised: the job says it failed; the log says why). If a later
    attempt took the job over meanwhile, this one stores nothing.
    """
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .select_related("requested_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status == ExportJob.Status.DONE:
            return job
        if job.file:
            job.file.delete(save=False)
        job.status = ExportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.finished_at = None
        job.rows_done = 0
        job.error = ""
        job.save(
            update_fields=["status", "started_at", "finished_at", "rows_done", "error", "file"]
        )

    try:
        table = _matrix_table(job) if job.kind == ExportJob.Kind.MATRIX else _history_table(job)
        _this_attempt(job).update(rows_total=table.total)
        with tempfile.TemporaryFile() as out:
            if job.format == ExportJob.Format.CSV:
                _write_csv(job, table, out)
            else:
                _write_xlsx(job, table, out)
            out.seek(0)
            # The storage reads it in chunks too; the name is the job's, not the user's.
            name = job.file.storage.save(f"exports/{job.pk}.{job.format}", File(out))
    except Exception:
        logger.exception("export %s failed", job.pk)
        _this_attempt(job).update(
            status=ExportJob.Status.FAILED, error=FAILED_MESSAGE, finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    if not _this_attempt(job).update(
        status=ExportJob.Status.DONE, file=name, finished_at=timezone.now()
    ):
        job.file.storage.delete(name)  # superseded: the later attempt stores its own
    job.refresh_from_db()
    return job
