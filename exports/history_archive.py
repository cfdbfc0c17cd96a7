"""The history archive: the whole record as JSON Lines, written out and loaded back.

One JSON object per line, each with a ``type``, in this order (docs/exports.md):

    header          {"format": "consensus-history", "version": 1, "exported_at"}
    state           every state's facts (population figures included)
    user            each account the record names (username, role, state; no secret)
    measure         every measure with its original id, participants and timestamps
    position        every position with its id, stances, version and last change
    position_change every change row: original id, version, instant, before and after
    status_change   every measure status change: original id, instant, reason, motion
    end             {"counts": {type: number of lines}}: a cut file is refused

Loading restores the rows as they were (ids, versions and instants), which no
write path can do: ``position_record`` makes a new change now. It is not
recording anything new, only putting back what was, into an empty database,
all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from positions.models import Measure, MeasureStatusChange, Position, PositionChange, State

FORMAT = "consensus-history"
VERSION = 1
BATCH = 1000

STATE_FIELDS = (
    "code",
    "alpha2",
    "name",
    "nato_member",
    "nato_joined",
    "eu_member",
    "eu_population",
    "source",
)
USER_FIELDS = ("username", "role", "state")
MEASURE_FIELDS = (
    "id",
    "title",
    "summary",
    "category",
    "sponsor",
    "lead",
    "status",
    "eu_rule",
    "restricted",
    "participants",
    "kind",
    "parent",
    "target_route",
    "created_by",
    "created_at",
    "updated_at",
)
POSITION_FIELDS = (
    "id",
    "measure",
    "state",
    "alliance",
    "bilateral",
    "eu",
    "reservations",
    "note",
    "version",
    "updated_at",
    "updated_by",
)
CHANGE_FIELDS = (
    "id",
    "measure",
    "state",
    "at",
    "by",
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
)
STATUS_CHANGE_FIELDS = ("id", "measure", "at", "by", "before", "after", "reason", "motion")
# The record types, in the order a file holds them.
ORDER = ("header", "state", "user", "measure", "position", "position_change", "status_change")
FIELDS: dict[str, tuple[str, ...]] = {
    "header": ("format", "version", "exported_at"),
    "state": STATE_FIELDS,
    "user": USER_FIELDS,
    "measure": MEASURE_FIELDS,
    "position": POSITION_FIELDS,
    "position_change": CHANGE_FIELDS,
    "status_change": STATUS_CHANGE_FIELDS,
    "end": ("counts",),
}


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


class ArchiveError(Exception):
    """The file cannot be loaded (or the database is not empty); nothing was written."""


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


# Writing ------------------------------------------------------------------------------


def _records() -> Iterator[dict[str, Any]]:
    yield {
        "type": "header",
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _instant(timezone.now()),
    }
    for state in State.objects.order_by("code").values(*STATE_FIELDS):
        yield {"type": "state", **state}

    named = (
        Q(pk__in=Measure.objects.values("created_by"))
        | Q(pk__in=Position.objects.values("updated_by"))
        | Q(pk__in=PositionChange.objects.values("by"))
        | Q(pk__in=MeasureStatusChange.objects.values("by"))
    )
    for username, role, state_id in (
        User.objects.filter(named).order_by("username").values_list("username", "role", "state")
    ):
        yield {"type": "user", "username": username, "role": role, "state": state_id}

    participants: dict[int, list[str]] = {}
    for measure_id, code in Measure.participants.through.objects.order_by(
        "measure_id", "state_id"
    ).values_list("measure_id", "state_id"):
        participants.setdefault(measure_id, []).append(code)
    for m in Measure.objects.order_by("id").values(
        *(f for f in MEASURE_FIELDS if f not in {"participants", "created_by"}),
        "created_by__username",
    ):
        yield {
            "type": "measure",
            **{key: value for key, value in m.items() if key != "created_by__username"},
            "participants": participants.get(m["id"], []),
            "created_by": m["created_by__username"],
            "created_at": _instant(m["created_at"]),
            "updated_at": _instant(m["updated_at"]),
        }

    yield from _rows(Position, "position", POSITION_FIELDS, "updated_by", ("updated_at",))
    yield from _rows(PositionChange, "position_change", CHANGE_FIELDS, "by", ("at",))
    yield from _rows(MeasureStatusChange, "status_change", STATUS_CHANGE_FIELDS, "by", ("at",))


def _rows(
    model: type[models.Model],
    kind: str,
    fields: tuple[str, ...],
    user_field: str,
    instants: tuple[str, ...],
) -> Iterator[dict[str, Any]]:
    """Every row of a table, by id, with foreign keys as ids or codes and users by name."""
    columns = [
        f"{name}_id" if isinstance(model._meta.get_field(name), models.ForeignKey) else name
        for name in fields
        if name != user_field
    ]
    names = [name for name in fields if name != user_field]
    for row in (
        model._default_manager.order_by("id")
        .values_list(*columns, f"{user_field}__username")
        .iterator(chunk_size=BATCH)
    ):
        record = {"type": kind, **dict(zip(names, row[:-1], strict=True)), user_field: row[-1]}
        for name in instants:
            record[name] = _instant(record[name])
        yield record


def history_archive_write(out: Writer) -> dict[str, int]:
    """Write the whole record to ``out``, one JSON object per line; returns the counts.

    Read in one snapshot (REPEATABLE READ on PostgreSQL), so a write made
    meanwhile is wholly in the file or wholly out of it.
    """
    counts: dict[str, int] = {}
    # Only a transaction of our own can choose its isolation (not one a caller opened).
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for record in _records():
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            counts[record["type"]] = counts.get(record["type"], 0) + 1
    counts.pop("header", None)
    out.write(json.dumps({"type": "end", "counts": counts}, sort_keys=True) + "\n")
    return counts


# Loading ------------------------------------------------------------------------------


def _database_is_empty() -> bool:
    return not (
        Measure.objects.exists()
        or Position.objects.exists()
        or PositionChange.objects.exists()
        or MeasureStatusChange.objects.exists()
    )


class _Loader:
    """Checks each line and inserts the rows in batches, keeping what later lines refer to."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.states = set(State.objects.values_list("code", flat=True))
        self.states_seen: set[str] = set()
        self.users: dict[str, int] = {}
        self.measures: set[int] = set()
        self.pending: list[models.Model] = []
        self.pending_participants: list[tuple[int, list[str]]] = []
        self.stage = 0
        self.ended = False

    # Checks ------------------------------------------------------------------------

    def choice(self, model: type[models.Model], name: str, value: Any) -> Any:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)  # a column, not a relation's other side
        if value is None and field.null:
            return None
        allowed = [str(key) for key, _label in field.choices or []]
        if not isinstance(value, str) or (allowed and value not in allowed):
            raise ArchiveError(f"{name}: {value!r} is not one of {allowed}")
        return value

    def instant(self, name: str, value: Any) -> datetime:
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.utcoffset() is None:
            raise ArchiveError(f"{name}: {value!r} is not an ISO 8601 instant with a time zone")
        return parsed

    def user(self, name: str, value: Any) -> int | None:
        if value is None:
            return None
        if value not in self.users:
            raise ArchiveError(f"{name}: no user record names {value!r}")
        return self.users[value]

    def state(self, name: str, value: Any) -> str:
        if value not in self.states:
            raise ArchiveError(f"{name}: unknown state {value!r}")
        return str(value)

    def measure(self, name: str, value: Any) -> int | None:
        return None if value is None else self.measure_named(name, value)

    def measure_named(self, name: str, value: Any) -> int:
        if value not in self.measures:
            raise ArchiveError(f"{name}: no earlier measure record has the id {value!r}")
        return int(value)

    def number(self, name: str, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ArchiveError(f"{name}: {value!r} is not a whole number")
        return value

    def flag(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ArchiveError(f"{name}: {value!r} is not true or false")
        return value

    def text(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise ArchiveError(f"{name}: {value!r} is not text")
        return value

    # Records -----------------------------------------------------------------------

    def take(self, record: Any) -> None:
        if not isinstance(record, dict) or "type" not in record:
            raise ArchiveError("each line is a JSON object with a type")
        kind = record.pop("type")
        if self.ended:
            raise ArchiveError("a line after the end record")
        if kind not in FIELDS:
            raise ArchiveError(f"unknown record type {kind!r}")
        if set(record) != set(FIELDS[kind]):
            missing = sorted(set(FIELDS[kind]) - set(record))
            extra = sorted(set(record) - set(FIELDS[kind]))
            raise ArchiveError(f"{kind}: missing fields {missing}, unknown fields {extra}")
        if kind == "end":
            self.flush()
            self.end(record["counts"])
            return
        stage = ORDER.index(kind)
        if (kind == "header") == bool(self.counts) or stage < self.stage:
            raise ArchiveError(f"a {kind} record out of order: the order is {list(ORDER)}")
        if stage != self.stage:
            self.flush()
            self.stage = stage
        self.counts[kind] = self.counts.get(kind, 0) + 1
        handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "header": self.header,
            "state": self.state_record,
            "user": self.user_record,
            "measure": self.measure_record,
            "position": self.position_record,
            "position_change": self.change_record,
            "status_change": self.status_change_record,
        }
        handlers[kind](record)
        if len(self.pending) >= BATCH:
            self.flush()

    def header(self, record: dict[str, Any]) -> None:
        if record["format"] != FORMAT or record["version"] != VERSION:
            raise ArchiveError(f"not a {FORMAT} file of version {VERSION}")

    def state_record(self, r: dict[str, Any]) -> None:
        code = self.state("code", r["code"])
        for name in ("nato_member", "eu_member"):
            self.flag(name, r[name])
        for name in ("nato_joined", "eu_population"):
            if r[name] is not None:
                self.number(name, r[name])
        for name in ("alpha2", "name", "source"):
            self.text(name, r[name])
        self.states_seen.add(code)
        # Corrected figures (a population) come back as they were exported.
        State.objects.filter(code=code).update(**r, updated_at=timezone.now())

    def user_record(self, r: dict[str, Any]) -> None:
        username = self.text("username", r["username"])
        existing = User.objects.filter(username=username).first()
        if existing is None:
            # The record names people who have no account here: keep their names on
            # the history with accounts that cannot log in until an operator says so.
            existing = User(
                username=username,
                role=self.choice(User, "role", r["role"]),
                state_id=None if r["state"] is None else self.state("state", r["state"]),
                is_active=False,
            )
            existing.set_unusable_password()
            existing.save()
            permissions.grant_role_rights(existing)
        self.users[username] = existing.pk

    def measure_record(self, r: dict[str, Any]) -> None:
        measure_id = self.number("id", r["id"])
        self.flag("restricted", r["restricted"])
        parent = self.measure("parent", r["parent"])
        measure = Measure(
            id=measure_id,
            title=self.text("title", r["title"]),
            summary=self.text("summary", r["summary"]),
            category=self.choice(Measure, "category", r["category"]),
            sponsor_id=self.state("sponsor", r["sponsor"]),
            lead_id=self.state("lead", r["lead"]),
            status=self.choice(Measure, "status", r["status"]),
            eu_rule=self.choice(Measure, "eu_rule", r["eu_rule"]),
            restricted=r["restricted"],
            kind=self.choice(Measure, "kind", r["kind"]),
            parent_id=parent,
            target_route=self.choice(Measure, "target_route", r["target_route"]),
            created_by_id=self.user("created_by", r["created_by"]),
            created_at=self.instant("created_at", r["created_at"]),
            updated_at=self.instant("updated_at", r["updated_at"]),
        )
        if not isinstance(r["participants"], list):
            raise ArchiveError("participants: a list of state codes")
        codes = [self.state("participants", code) for code in r["participants"]]
        self.measures.add(measure_id)
        self.pending.append(measure)
        self.pending_participants.append((measure_id, codes))

    def position_record(self, r: dict[str, Any]) -> None:
        self.pending.append(
            Position(
                id=self.number("id", r["id"]),
                measure_id=self.measure_named("measure", r["measure"]),
                state_id=self.state("state", r["state"]),
                alliance=self.choice(Position, "alliance", r["alliance"]),
                bilateral=self.choice(Position, "bilateral", r["bilateral"]),
                eu=self.choice(Position, "eu", r["eu"]),
                reservations=self.text("reservations", r["reservations"]),
                note=self.text("note", r["note"]),
                version=self.number("version", r["version"]),
                updated_at=self.instant("updated_at", r["updated_at"]),
                updated_by_id=self.user("updated_by", r["updated_by"]),
            )
        )

    def change_record(self, r: dict[str, Any]) -> None:
        stances = {
            name: self.choice(PositionChange, name, r[name])
            for name in CHANGE_FIELDS
            if name.endswith(("_before", "_after"))
        }
        self.pending.append(
            PositionChange(
                id=self.number("id", r["id"]),
                measure_id=self.measure_named("measure", r["measure"]),
                state_id=self.state("state", r["state"]),
                at=self.instant("at", r["at"]),
                by_id=self.user("by", r["by"]),
                source=self.choice(PositionChange, "source", r["source"]),
                version=self.number("version", r["version"]),
                reservations=self.text("reservations", r["reservations"]),
                note=self.text("note", r["note"]),
                **stances,
            )
        )

    def status_change_record(self, r: dict[str, Any]) -> None:
        self.pending.append(
            MeasureStatusChange(
                id=self.number("id", r["id"]),
                measure_id=self.measure_named("measure", r["measure"]),
                at=self.instant("at", r["at"]),
                by_id=self.user("by", r["by"]),
                before=self.choice(MeasureStatusChange, "before", r["before"]),
                after=self.choice(MeasureStatusChange, "after", r["after"]),
                reason=self.text("reason", r["reason"]),
                motion_id=self.measure("motion", r["motion"]),
            )
        )

    def flush(self) -> None:
        """Insert what is pending (one kind of row at a time)."""
        if not self.pending:
            return
        model = type(self.pending[0])
        if model is not Measure:
            model._default_manager.bulk_create(self.pending)
        else:
            measures: list[Measure] = self.pending  # type: ignore[assignment]  # only measures here
            # The insert stamps created_at and updated_at with now: put the originals back.
            stamps = [(m.created_at, m.updated_at) for m in measures]
            Measure.objects.bulk_create(measures)
            for measure, (created_at, updated_at) in zip(measures, stamps, strict=True):
                measure.created_at, measure.updated_at = created_at, updated_at
            Measure.objects.bulk_update(measures, ["created_at", "updated_at"])
            through = Measure.participants.through
            through.objects.bulk_create(
                through(measure_id=measure_id, state_id=code)
                for measure_id, codes in self.pending_participants
                for code in codes
            )
            for measure in measures:
                if measure.restricted:
                    permissions.sync_measure_visibility(measure)
            self.pending_participants = []
        self.pending = []

    def end(self, counts: Any) -> None:
        found = {kind: n for kind, n in self.counts.items() if kind != "header"}
        if counts != found:
            raise ArchiveError(f"the end record counts {counts}, the file holds {found}")
        if self.states_seen != self.states:
            raise ArchiveError(
                f"the file's states {sorted(self.states_seen)} are not this database's"
            )
        self.ended = True


def history_archive_load(lines: Iterable[str]) -> dict[str, int]:
    """Load an archive into an empty database, all or nothing; returns the counts.

    Raises ``ArchiveError`` (nothing written) if the database holds any
    measure, position or history row, or if any line is bad, naming the line.
    """
    loader = _Loader()
    with transaction.atomic():
        if not _database_is_empty():
            raise ArchiveError(
                "the database already holds measures, positions or history: "
                "load an archive only into an empty one"
            )
        number = 0
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ArchiveError(f"line {number}: not JSON ({error.msg})") from None
            try:
                loader.take(record)
            except ArchiveError as error:
                raise ArchiveError(f"line {number}: {error}") from None
        if not loader.ended:
            raise ArchiveError(f"line {number}: the file ends before its end record")
        if connection.vendor == "postgresql":
            # Ids were given: move the sequences past them, or the next insert collides.
            statements = connection.ops.sequence_reset_sql(
                no_style(), [Measure, Position, PositionChange, MeasureStatusChange]
            )
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
    return {kind: n for kind, n in loader.counts.items() if kind != "header"}
