"""The large-data generator behind ``manage.py generate_bench_data``.

Measures, the position changes of a long history, the positions they end in,
the measures' status changes and declarations with many versions, written in
bulk: PostgreSQL's COPY (psycopg 3 ``cursor.copy``), a plain multi-row INSERT
elsewhere. The history is consistent the way ``position_record`` would have
written it: per (measure, state) the versions run 1, 2, 3... and each row's
"before" is the previous row's "after"; ids and instants grow together; each
position holds its last change. Everything is drawn from one seeded generator
and timed from a fixed instant, so a seed always gives the same rows.

Only INSERTs are issued: the history tables' append-only triggers refuse
UPDATE and DELETE, not INSERT (COPY fires INSERT triggers only).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

from bench.bench_diff import _edit, _paragraph
from consensus.declarations import text as declaration_text
from consensus.models import Declaration, DeclarationVersion
from consensus.rules import Route, Stance, routes_for
from positions.models import Measure, MeasureStatusChange, Position, PositionChange, State

# The generated history starts here and takes one change every STEP: fixed,
# so that a seed gives the same instants on every run.
START = datetime(2021, 1, 1, tzinfo=UTC)
STEP = timedelta(seconds=30)
# Every fourth measure is about ports, so ``?category=ports`` selects a quarter
# of them: 500 of the default 2,000, the size of the benchmark's matrix.
CATEGORIES_OTHER = ["rail", "energy", "telecom", "semiconductors", "quantum", "other"]
STANCES = [s.value for s in Stance]
ROUTE_COLUMNS = [r.value for r in Route]


def history_end(changes: int) -> datetime:
    """The instant of the last generated change for a history of that many rows."""
    return START + STEP * max(changes - 1, 0)


def history_instant(changes: int, fraction: float) -> datetime:
    """An instant part way through a generated history (0: its first change, 1: its last)."""
    return START + STEP * int(max(changes - 1, 0) * fraction)


@dataclass
class Report:
    """What the generator wrote, table by table, and how long each took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def timed(self, label: str, work: Callable[[], int]) -> None:
        started = time.perf_counter()
        self.rows[label] = work()
        self.seconds[label] = time.perf_counter() - started


def _next_id(model: type[models.Model]) -> int:
    found = model._default_manager.aggregate(last=models.Max("pk"))["last"]
    return int(found or 0) + 1


def _write(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert the rows: COPY on PostgreSQL, multi-row INSERTs elsewhere. Returns the count."""
    count = 0
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3's own cursor, for COPY
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 2000:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
            count += len(batch)
    return count


def _sequences_reset(*models_: type[models.Model]) -> None:
    """Move the id sequences past the ids written explicitly."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def flush() -> None:
    """Empty the tables the generator fills (PostgreSQL only: TRUNCATE, which the
    append-only triggers do not refuse; SQLite's DELETE would be refused)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("--flush needs PostgreSQL; on SQLite start from a fresh database")
    tables = [
        Measure._meta.db_table,
        Declaration._meta.db_table,
    ]
    with connection.cursor() as cursor:
        # CASCADE empties what refers to them: positions, history, status changes,
        # versions, amendments, silence procedures, object permissions on measures.
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


@dataclass(frozen=True)
class _StateInfo:
    code: str
    routes: tuple[Route, ...]


def _measures(rng: random.Random, count: int, first_id: int, allies: list[str]) -> list[Any]:
    rows = []
    for i in range(count):
        sponsor = rng.choice(allies)
        category = "ports" if i % 4 == 0 else CATEGORIES_OTHER[(i // 4 + i) % 6]
        created = START - timedelta(days=30) + timedelta(minutes=i)
        rows.append(
            [
                first_id + i,
                f"Bench measure {i + 1}: {category}",
                "Generated for the benchmark.",
                category,
                sponsor,
                sponsor,
                "open",
                "qmv" if rng.random() < 0.8 else "unanimity",
                False,
                "substantive",
                None,
                None,
                None,
                created,
                created,
            ]
        )
    return rows


MEASURE_COLUMNS = [
    "id",
    "title",
    "summary",
    "category",
    "sponsor_id",
    "lead_id",
    "status",
    "eu_rule",
    "restricted",
    "kind",
    "parent_id",
    "target_route",
    "created_by_id",
    "created_at",
    "updated_at",
]
CHANGE_COLUMNS = [
    "id",
    "measure_id",
    "state_id",
    "at",
    "by_id",
    "source",
    "version",
    "alliance_before",
    "alliance_after",
    "bilateral_before",
    "bilateral_after",
    "eu_before",
    "eu_after",
    "reservations",
    "note",
]
POSITION_COLUMNS = [
    "id",
    "measure_id",
    "state_id",
    "alliance",
    "bilateral",
    "eu",
    "reservations",
    "note",
    "version",
    "updated_at",
    "updated_by_id",
]


def _history(
    rng: random.Random,
    *,
    measure_ids: list[int],
    states: list[_StateInfo],
    changes: int,
    first_id: int,
    current: dict[tuple[int, str], tuple[int, list[str | None], datetime]],
) -> Iterable[list[Any]]:
    """The change rows, oldest first; ``current`` ends holding each pair's last change."""
    for i in range(changes):
        measure_id = measure_ids[rng.randrange(len(measure_ids))]
        state = states[rng.randrange(len(states))]
        key = (measure_id, state.code)
        version, before, _ = current.get(key) or (
            0,
            [("undecided" if Route(r) in state.routes else None) for r in ROUTE_COLUMNS],
            START,
        )
        after = list(before)
        # One route moves to another stance, as a delegate's typical change does.
        route = state.routes[rng.randrange(len(state.routes))]
        index = ROUTE_COLUMNS.index(route.value)
        after[index] = rng.choice([s for s in STANCES if s != before[index]])
        at = START + STEP * i
        current[key] = (version + 1, after, at)
        note = f"Instructions {i}" if rng.random() < 0.1 else ""
        yield [
            first_id + i,
            measure_id,
            state.code,
            at,
            None,
            "import",
            version + 1,
            before[0],
            after[0],
            before[1],
            after[1],
            before[2],
            after[2],
            "",
            note,
        ]


def _status_changes(
    rng: random.Random, measure_ids: list[int], end: datetime
) -> tuple[list[list[Any]], dict[int, str]]:
    """draft -> open for every measure, then for one in ten a later close."""
    rows: list[list[Any]] = []
    final: dict[int, str] = {}
    # Ordered by instant, so ids and instants grow together here too.
    events: list[tuple[datetime, int, str, str]] = []
    for offset, measure_id in enumerate(measure_ids):
        opened = START - timedelta(days=29) + timedelta(minutes=offset)
        events.append((opened, measure_id, "draft", "open"))
        final[measure_id] = "open"
        if rng.random() < 0.1:
            closed = START + (end - START) * rng.random()
            after = rng.choice(["adopted", "blocked", "withdrawn"])
            events.append((closed, measure_id, "open", after))
            final[measure_id] = after
    events.sort()
    for at, measure_id, before, after in events:
        rows.append([measure_id, at, None, before, after, "Generated for the benchmark.", None])
    return rows, final


def _versions(rng: random.Random, count: int, paragraphs: int) -> Iterable[str]:
    """``count`` texts of ``paragraphs`` paragraphs (100 words each), each a reading of the last."""
    current = [_paragraph(rng, 100) for _ in range(paragraphs)]
    for _ in range(count):
        yield "\n\n".join(current)
        for index in rng.sample(range(paragraphs), min(5, paragraphs)):
            current[index] = _edit(rng, current[index])


def generate(
    *,
    measures: int,
    changes: int,
    seed: int,
    declarations: int = 2,
    versions: int = 200,
    paragraphs: int = 60,
    progress: Callable[[str], None] = lambda _line: None,
) -> Report:
    """Fill the database; it must hold no measure yet (see ``flush``)."""
    rng = random.Random(seed)
    report = Report()
    states = [
        _StateInfo(code, routes_for(nato_member=nato, eu_member=eu))
        for code, nato, eu in State.objects.order_by("code").values_list(
            "code", "nato_member", "eu_member"
        )
    ]
    if len(states) != 36:
        raise RuntimeError(f"expected the 36 states of the migrations, found {len(states)}")
    allies = [s.code for s in states if Route.ALLIANCE in s.routes]
    end = history_end(changes)

    with transaction.atomic():
        first_measure = _next_id(Measure)
        measure_rows = _measures(rng, measures, first_measure, allies)
        measure_ids = [row[0] for row in measure_rows]
        status_rows, final_status = _status_changes(rng, measure_ids, end)
        for row in measure_rows:
            row[6] = final_status[row[0]]
        report.timed(
            "measures", lambda: _write(Measure._meta.db_table, MEASURE_COLUMNS, measure_rows)
        )
        progress(f"measures: {measures}")
        report.timed(
            "measure status changes",
            lambda: _write(
                MeasureStatusChange._meta.db_table,
                ["measure_id", "at", "by_id", "before", "after", "reason", "motion_id"],
                status_rows,
            ),
        )

        current: dict[tuple[int, str], tuple[int, list[str | None], datetime]] = {}
        first_change = _next_id(PositionChange)
        report.timed(
            "position changes",
            lambda: _write(
                PositionChange._meta.db_table,
                CHANGE_COLUMNS,
                _history(
                    rng,
                    measure_ids=measure_ids,
                    states=states,
                    changes=changes,
                    first_id=first_change,
                    current=current,
                ),
            ),
        )
        progress(f"position changes: {changes}")
        first_position = _next_id(Position)
        position_rows = (
            [first_position + n, m, s, *stances, "", "", version, at, None]
            for n, ((m, s), (version, stances, at)) in enumerate(sorted(current.items()))
        )
        report.timed(
            "positions", lambda: _write(Position._meta.db_table, POSITION_COLUMNS, position_rows)
        )
        progress(f"positions: {report.rows['positions']}")

        def _declarations() -> int:
            written = 0
            first_declaration = _next_id(Declaration)
            _write(
                Declaration._meta.db_table,
                ["id", "title", "summit", "year", "created_by_id", "created_at"],
                [
                    [
                        first_declaration + d,
                        f"Bench declaration {d + 1}",
                        "Summit",
                        2024,
                        None,
                        START,
                    ]
                    for d in range(declarations)
                ],
            )
            for d in range(declarations):
                rows = []
                for number, text in enumerate(_versions(rng, versions, paragraphs), start=1):
                    split = declaration_text.paragraphs_split(text)
                    brackets = sum(
                        declaration_text.bracket_count(declaration_text.brackets_find(p))
                        for p in split
                    )
                    at = START + timedelta(hours=number)
                    rows.append(
                        [first_declaration + d, number, text, "", None, at, len(split), brackets]
                    )
                written += _write(
                    DeclarationVersion._meta.db_table,
                    [
                        "declaration_id",
                        "number",
                        "text",
                        "note",
                        "author_id",
                        "created_at",
                        "paragraph_count",
                        "bracket_count",
                    ],
                    rows,
                )
            return written

        report.timed("declaration versions", _declarations)
        _sequences_reset(Measure, PositionChange, Position, Declaration)

    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for model in (PositionChange, Position, Measure, MeasureStatusChange):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        report.seconds["vacuum analyze"] = time.perf_counter() - started
    return report
