"""The write paths for measures and positions.

``position_record`` is the one function that changes a position: the web
form, the API, the importer and the silence procedure all call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from consensus.errors import InvalidInput
from consensus.rules import Route, Stance
from events import payloads
from events.models import EventKind
from events.services import event_record
from positions.models import Measure, MeasureStatusChange, Position, PositionChange, State
from positions.selectors import position_default

# The advisory lock that serializes taking position-change ids (PostgreSQL).
FEED_LOCK = 0x636F6E73  # "cons"


class StaleVersion(Exception):
    """The caller's expected version is not the current one; nothing was written."""

    def __init__(self, current: Position) -> None:
        super().__init__(f"the position is at version {current.version}")
        self.current = current


@dataclass(frozen=True)
class PositionRecorded:
    position: Position
    change: PositionChange | None  # None when the write changed nothing


def _parse_stances(state: State, stances: Mapping[str, Any]) -> dict[Route, Stance]:
    errors: dict[str, list[str]] = {}
    parsed: dict[Route, Stance] = {}
    allowed = state.routes
    for key, value in stances.items():
        if key not in Route.__members__.values():
            errors[str(key)] = [f"unknown route {key!r}: use one of {[r.value for r in Route]}"]
        elif Route(key) not in allowed:
            errors[str(key)] = [
                f"{state.code} does not take part in the {key} route; "
                f"its routes are {[r.value for r in allowed]}"
            ]
        elif not isinstance(value, str) or value not in Stance.__members__.values():
            errors[str(key)] = [f"unknown stance {value!r}: use one of {[s.value for s in Stance]}"]
        else:
            parsed[Route(key)] = Stance(value)
    if errors:
        raise InvalidInput({"stances": errors})
    return parsed


def position_record(
    *,
    actor: User,
    measure: Measure,
    state: State,
    stances: Mapping[str, Any],
    reservations: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    source: str,
) -> PositionRecorded:
    """Record a state's position on a measure, with its change row, in one transaction.

    Routes not listed in ``stances`` keep their stance; ``None`` keeps the
    reservations or the note. Refuses, writing nothing:
    - ``PermissionDenied`` if the actor may not record this state's positions
      or may not see the measure;
    - ``InvalidInput`` for an unknown route or stance, a route the state
      does not belong to, or a state outside a restricted measure;
    - ``StaleVersion`` if ``expected_version`` is given and is not current.
    A write that changes nothing records nothing and keeps the version.
    """
    if source not in PositionChange.Source.values:
        raise ValueError(f"unknown source {source!r}")
    if not permissions.can_view_measure(actor, measure) or not permissions.can_record_position(
        actor, state
    ):
        raise PermissionDenied(f"{actor.username} may not change the positions of {state.code}")
    if measure.restricted and not measure.participants.filter(pk=state.pk).exists():
        raise InvalidInput(
            {"state": f"{state.code} is not a participant in this restricted measure"}
        )
    parsed = _parse_stances(state, stances)

    # Two writers may create the same lazy position at once; the loser of the
    # insert race retries once, now finding (and locking) the winner's row.
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _record_locked(
                    actor=actor,
                    measure=measure,
                    state=state,
                    stances=parsed,
                    reservations=reservations,
                    note=note,
                    expected_version=expected_version,
                    source=source,
                )
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _record_locked(
    *,
    actor: User,
    measure: Measure,
    state: State,
    stances: dict[Route, Stance],
    reservations: str | None,
    note: str | None,
    expected_version: int | None,
    source: str,
) -> PositionRecorded:
    position = (
        Position.objects.select_for_update(of=("self",))
        .filter(measure=measure, state=state)
        .select_related("updated_by")
        .first()
    ) or position_default(measure=measure, state=state)
    if expected_version is not None and expected_version != position.version:
        raise StaleVersion(position)

    before = position.stances()
    after = {**before, **stances}
    new_reservations = position.reservations if reservations is None else reservations
    new_note = position.note if note is None else note
    if (after, new_reservations, new_note) == (before, position.reservations, position.note):
        return PositionRecorded(position=position, change=None)

    now = timezone.now()
    old_version = position.version
    values: dict[str, Any] = {route.value: stance.value for route, stance in after.items()} | {
        "reservations": new_reservations,
        "note": new_note,
        "version": old_version + 1,
        "updated_at": now,
        "updated_by": actor,
    }
    if position._state.adding:
        position = Position.objects.create(measure=measure, state=state, **values)
    else:
        # We hold the row lock on PostgreSQL; the version guard also covers
        # SQLite, where FOR UPDATE is a no-op.
        if not Position.objects.filter(pk=position.pk, version=old_version).update(**values):
            raise StaleVersion(Position.objects.get(pk=position.pk))
        for field, value in values.items():
            setattr(position, field, value)

    if measure.kind == Measure.Kind.TRANSFER and Route.ALLIANCE in stances:
        _transfer_if_agreed(actor=actor, motion=measure)

    # Change ids must become visible in id order, or a feed reader that keeps
    # the last id could skip a row committed late: take them one at a time.
    # This is the transaction's last lock, so it is held only until commit.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])
    change = PositionChange.objects.create(
        measure=measure,
        state=state,
        at=now,
        by=actor,
        source=source,
        version=position.version,
        reservations=new_reservations,
        note=new_note,
        **{f"{route.value}_before": stance.value for route, stance in before.items()},
        **{f"{route.value}_after": stance.value for route, stance in after.items()},
    )
    event_record(
        kind=EventKind.POSITION_CHANGED, measure=measure, payload=payloads.position_changed(change)
    )
    return PositionRecorded(position=position, change=change)


def _transfer_if_agreed(*, actor: User, motion: Measure) -> None:
    """Once a transfer motion is agreed on the alliance route, move its parent measure.

    Runs inside the write that changed the motion's stances, so the parent's
    status and its history row commit with it, or not at all.
    """
    from consensus.selectors import support_for  # the selectors read positions too

    if motion.status in CLOSED_STATUSES or motion.parent_id is None:
        return
    if support_for(measure=motion).alliance.status != "agreed":
        return
    parent = Measure.objects.select_for_update().get(pk=motion.parent_id)
    if parent.status in CLOSED_STATUSES:
        return
    reason = (
        f"Transfer motion {motion.pk} agreed on the alliance route: "
        f"the measure moves to the {motion.target_route} route."
    )
    _status_set(
        actor=actor, measure=parent, status=Measure.Status.TRANSFERRED, reason=reason, motion=motion
    )
    _status_set(
        actor=actor,
        measure=motion,
        status=Measure.Status.ADOPTED,
        reason="Agreed on the alliance route.",
        motion=motion,
    )
    motion.status = Measure.Status.ADOPTED


def _status_set(
    *, actor: User | None, measure: Measure, status: str, reason: str, motion: Measure | None = None
) -> None:
    """Change a measure's status and record the change, in the caller's transaction."""
    before = Measure.objects.filter(pk=measure.pk).values_list("status", flat=True).get()
    if before == status:
        return
    Measure.objects.filter(pk=measure.pk).update(status=status, updated_at=timezone.now())
    change = MeasureStatusChange.objects.create(
        measure=measure, by=actor, before=before, after=status, reason=reason, motion=motion
    )
    event_record(
        kind=EventKind.MEASURE_STATUS_CHANGED,
        measure=measure,
        payload=payloads.measure_status_changed(change),
    )


# Measures ------------------------------------------------------------------

MEASURE_FIELDS = frozenset(
    {
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
    }
)
# Set only by the procedures that own them (the silence procedure).
STATUSES_SET_ELSEWHERE = frozenset({Measure.Status.SILENCE})
# A measure in one of these no longer moves by itself.
CLOSED_STATUSES = frozenset(
    {Measure.Status.ADOPTED, Measure.Status.TRANSFERRED, Measure.Status.WITHDRAWN}
)


def _check_measure(measure: Measure, participants: Iterable[State] | None) -> None:
    errors: dict[str, str] = {}
    if not measure.lead.nato_member:
        field = "lead" if measure.lead_id != measure.sponsor_id else "sponsor"
        errors[field] = (
            f"{measure.lead.code} is not an ally and cannot lead the bilateral route; name a lead"
        )
    if measure.kind == Measure.Kind.TRANSFER:
        if measure.parent is None:
            errors["parent"] = "a transfer motion needs the measure it would move"
        elif measure.parent.kind == Measure.Kind.TRANSFER:
            errors["parent"] = "a transfer motion moves a substantive measure, not another motion"
        elif measure.pk is not None and measure.parent.pk == measure.pk:
            errors["parent"] = "a measure cannot be its own parent"
        if not measure.target_route:
            errors["target_route"] = "a transfer motion needs a target route"
    else:
        if measure.parent is not None:
            errors["parent"] = "only a transfer motion has a parent measure"
        if measure.target_route:
            errors["target_route"] = "only a transfer motion has a target route"
    if measure.restricted and participants is not None and not list(participants):
        errors["participants"] = "a restricted measure needs at least one participant state"
    if errors:
        raise InvalidInput(errors)
    try:
        measure.full_clean(exclude=["participants"])
    except ValidationError as error:
        raise InvalidInput.from_validation_error(error) from None


def measure_create(
    *,
    actor: User,
    title: str,
    category: str,
    sponsor: State,
    summary: str = "",
    lead: State | None = None,
    status: str = Measure.Status.DRAFT,
    eu_rule: str = Measure.EuRule.QMV,
    restricted: bool = False,
    participants: Iterable[State] = (),
    kind: str = Measure.Kind.SUBSTANTIVE,
    parent: Measure | None = None,
    target_route: str | None = None,
) -> Measure:
    """Table a measure (coordinators). The lead defaults to the sponsor."""
    if not permissions.can_manage_measures(actor):
        raise PermissionDenied("only coordinators table measures")
    if status in STATUSES_SET_ELSEWHERE:
        raise InvalidInput({"status": f"the status {status!r} is set by its own procedure"})
    participants = list(participants)
    measure = Measure(
        title=title,
        summary=summary,
        category=category,
        sponsor=sponsor,
        lead=lead or sponsor,
        status=status,
        eu_rule=eu_rule,
        restricted=restricted,
        kind=kind,
        parent=parent,
        target_route=target_route,
        created_by=actor,
    )
    _check_measure(measure, participants)
    with transaction.atomic():
        measure.save()
        measure.participants.set(participants)
        permissions.sync_measure_visibility(measure)
    return measure


def measure_update(*, actor: User, measure: Measure, **changes: Any) -> Measure:
    """Edit a measure (coordinators): only the fields given change."""
    if not permissions.can_manage_measures(actor):
        raise PermissionDenied("only coordinators edit measures")
    unknown = set(changes) - MEASURE_FIELDS
    if unknown:
        raise InvalidInput(dict.fromkeys(sorted(unknown), "unknown or read-only field"))
    if changes.get("status") in STATUSES_SET_ELSEWHERE and changes["status"] != measure.status:
        raise InvalidInput(
            {"status": f"the status {changes['status']!r} is set by its own procedure"}
        )
    participants = changes.pop("participants", None)
    status = changes.pop("status", None)
    with transaction.atomic():
        measure = Measure.objects.select_for_update().get(pk=measure.pk)
        for field, value in changes.items():
            setattr(measure, field, value)
        if "lead" in changes and changes["lead"] is None:
            measure.lead = measure.sponsor  # as when tabled: no lead named means the sponsor
        if participants is not None:
            participants = list(participants)
            current: Iterable[State] = participants
        else:
            current = measure.participants.all()
        _check_measure(measure, current)
        measure.save()
        if status is not None:
            # A status set by hand is history like any other: recorded, with its event.
            _status_set(actor=actor, measure=measure, status=status, reason="Set by a coordinator.")
            measure.status = status
        if participants is not None:
            measure.participants.set(participants)
        permissions.sync_measure_visibility(measure)
    return measure


def transfer_motion_table(
    *, actor: User, parent: Measure, target_route: str, rationale: str
) -> Measure:
    """Table a motion, sponsored by the delegate's own state, to move a measure to another route.

    States take stances on the motion like on any measure; once it is agreed
    on the alliance route, the parent becomes ``transferred`` (see
    ``position_record``). The motion is as visible as its parent.
    """
    if not (actor.is_active and actor.is_delegate and actor.state is not None):
        raise PermissionDenied("only a state's delegate tables a transfer motion")
    if not actor.state.nato_member:
        raise PermissionDenied("only an ally's delegate tables a transfer motion")
    if not permissions.can_view_measure(actor, parent):
        raise PermissionDenied("the measure is not visible to this delegate")
    errors: dict[str, str] = {}
    if target_route not in Route.__members__.values():
        errors["target_route"] = (
            f"unknown route {target_route!r}: use one of {[r.value for r in Route]}"
        )
    if not rationale.strip():
        errors["rationale"] = "say why the measure should move"
    if parent.kind != Measure.Kind.SUBSTANTIVE:
        errors["parent"] = "a transfer motion moves a substantive measure, not another motion"
    elif parent.status in CLOSED_STATUSES:
        errors["parent"] = f"the measure is {parent.status}; it can no longer move"
    if errors:
        raise InvalidInput(errors)
    duplicate = (
        Measure.objects.filter(
            kind=Measure.Kind.TRANSFER,
            parent=parent,
            target_route=target_route,
            sponsor=actor.state,
        )
        .exclude(status__in=[Measure.Status.WITHDRAWN, Measure.Status.BLOCKED])
        .first()
    )
    if duplicate is not None:
        raise InvalidInput(
            {
                "target_route": (
                    f"{actor.state.code} already tabled this motion (measure {duplicate.pk})"
                )
            }
        )
    route_name = {
        Route.ALLIANCE: "the alliance",
        Route.BILATERAL: "bilateral agreements",
        Route.EU: "the EU",
    }
    title = f"Move to {route_name[Route(target_route)]}: {parent.title}"
    motion = Measure(
        title=title[:200],
        summary=rationale,
        category=parent.category,
        sponsor=actor.state,
        lead=actor.state,
        status=Measure.Status.OPEN,
        eu_rule=parent.eu_rule,
        restricted=parent.restricted,
        kind=Measure.Kind.TRANSFER,
        parent=parent,
        target_route=target_route,
        created_by=actor,
    )
    participants = list(parent.participants.all())
    _check_measure(motion, participants)
    with transaction.atomic():
        motion.save()
        motion.participants.set(participants)
        permissions.sync_measure_visibility(motion)
    return motion


def measure_status_set(*, actor: User | None, measure: Measure, status: str, reason: str) -> None:
    """Change a measure's status and record why, in the caller's transaction.

    For the procedures that own a status (the silence procedure), which check
    their own rights; ``actor`` is ``None`` when the clock makes the change.
    """
    _status_set(actor=actor, measure=measure, status=status, reason=reason)
