"""The silence procedure: start, break, close at the deadline, and notify the allies.

A coordinator puts a measure under silence until a deadline; any ally's
delegate may break it with a written reason (the measure goes back to
``open``); if nobody does, the measure is adopted on the alliance route at the
deadline. Nothing here schedules the deadline itself: a periodic sweep
(``consensus.tasks.silence_close_due``, run by celery beat) closes what is due,
and reads close or compute what the sweep has not reached yet. Closing is
idempotent and happens exactly once, whoever gets there first.

Locks are always taken in the same order, the measure row first and then the
procedure row, so a break, a start and a close never deadlock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Literal, ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts import permissions
from accounts.models import User
from consensus.errors import InvalidInput
from consensus.models import SilenceProcedure
from events import payloads
from events.models import EventKind
from events.services import event_record
from positions.models import Measure
from positions.services import CLOSED_STATUSES, measure_status_set

P = ParamSpec("P")
R = TypeVar("R")

# The reminder goes out this long before the deadline (once).
REMINDER_BEFORE = timedelta(hours=24)

NoticeKind = Literal["started", "reminder"]


class SilenceConflict(Exception):
    """The procedure is not in a state that allows the request; nothing was written."""


# Selectors -------------------------------------------------------------------------


def silence_latest(*, measure: Measure) -> SilenceProcedure | None:
    """The measure's most recent silence procedure (running or not), or ``None``."""
    return (
        SilenceProcedure.objects.filter(measure=measure)
        .select_related("started_by", "broken_by", "broken_by_state")
        .order_by("-started_at", "-id")
        .first()
    )


def measure_status_effective(*, measure: Measure, now: datetime | None = None) -> str:
    """The measure's status as it stands now, even if no worker has closed a due silence.

    A measure under silence whose running procedure is past its deadline is
    ``adopted``: closing can only adopt it (a broken procedure is no longer
    running). Costs one query, and only for a measure under silence.
    """
    if measure.status != Measure.Status.SILENCE:
        return measure.status
    due = SilenceProcedure.objects.filter(
        measure=measure,
        state=SilenceProcedure.State.RUNNING,
        deadline__lte=now or timezone.now(),
    ).exists()
    return Measure.Status.ADOPTED if due else measure.status


def silence_reminders_due(*, now: datetime | None = None) -> list[int]:
    """Running procedures whose deadline is less than 24 hours away and whose reminder
    has not gone out, among those started more than 24 hours before their deadline
    (for the others, the start notice is the reminder)."""
    now = now or timezone.now()
    candidates = SilenceProcedure.objects.filter(
        state=SilenceProcedure.State.RUNNING,
        reminder_sent_at__isnull=True,
        deadline__gt=now,
        deadline__lte=now + REMINDER_BEFORE,
    ).values_list("pk", "started_at", "deadline")
    return [pk for pk, started, deadline in candidates if started <= deadline - REMINDER_BEFORE]


def silence_start_notices_due() -> list[int]:
    """Running procedures whose start notice has not gone out (the broker was down when
    they started, or the worker died before sending): the sweep sends them."""
    return list(
        SilenceProcedure.objects.filter(
            state=SilenceProcedure.State.RUNNING, start_notice_sent_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# Services --------------------------------------------------------------------------


def silence_start(*, actor: User, measure: Measure, deadline: datetime) -> SilenceProcedure:
    """Put a measure under silence until ``deadline`` (coordinators).

    The measure's status becomes ``silence`` (with its status-change row) and
    the allies' delegates are notified after commit. Refuses, writing nothing:
    ``PermissionDenied`` for anyone but a coordinator; ``InvalidInput`` for a
    deadline without a time zone or not in the future; ``SilenceConflict`` if a
    procedure is already running or the measure is adopted, transferred or
    withdrawn.
    """
    if not permissions.can_start_silence(actor) or not permissions.can_view_measure(actor, measure):
        raise PermissionDenied("only coordinators start a silence procedure")
    if deadline.tzinfo is None or deadline.utcoffset() is None:
        raise InvalidInput({"deadline": "give a time zone, e.g. 2024-07-10T12:00:00Z or +02:00"})
    now = timezone.now()
    if deadline <= now:
        raise InvalidInput({"deadline": "the deadline must be in the future"})
    try:
        with transaction.atomic():
            locked = Measure.objects.select_for_update().get(pk=measure.pk)
            if SilenceProcedure.objects.filter(
                measure=locked, state=SilenceProcedure.State.RUNNING
            ).exists():
                raise SilenceConflict("a silence procedure is already running on this measure")
            if locked.status in CLOSED_STATUSES:
                raise SilenceConflict(f"the measure is {locked.status}; it cannot go under silence")
            procedure = SilenceProcedure.objects.create(
                measure=locked, deadline=deadline, started_at=now, started_by=actor
            )
            measure_status_set(
                actor=actor,
                measure=locked,
                status=Measure.Status.SILENCE,
                reason=(
                    f"Silence procedure {procedure.pk} started; deadline {deadline.isoformat()}."
                ),
            )
            locked.status = Measure.Status.SILENCE
            event_record(
                kind=EventKind.SILENCE_STARTED, measure=locked, payload=payloads.silence(procedure)
            )
            transaction.on_commit(lambda: _notify_later(procedure.pk, "started"))
    except IntegrityError:
        # A concurrent start won the partial unique index on running procedures.
        raise SilenceConflict("a silence procedure is already running on this measure") from None
    return procedure


def silence_break(*, actor: User, measure: Measure, reason: str) -> SilenceProcedure:
    """An ally's delegate breaks the running silence with a reason; the measure goes back
    to ``open``.

    Refuses, writing nothing: ``PermissionDenied`` for anyone but an active
    delegate of an ally who may see the measure; ``InvalidInput`` for an empty
    reason; ``SilenceConflict`` when no procedure is running or its deadline
    has passed.
    """
    if not permissions.can_break_silence(actor, measure):
        raise PermissionDenied("only a delegate of an ally breaks silence")
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": "say why your state breaks silence"})
    assert actor.state is not None  # can_break_silence requires a state
    with transaction.atomic():
        locked = Measure.objects.select_for_update().get(pk=measure.pk)
        procedure = (
            SilenceProcedure.objects.select_for_update()
            .filter(measure=locked, state=SilenceProcedure.State.RUNNING)
            .first()
        )
        if procedure is None:
            raise SilenceConflict("no silence procedure is running on this measure")
        now = timezone.now()
        if procedure.deadline <= now:
            raise SilenceConflict("the deadline has passed: silence can no longer be broken")
        changes = {
            "state": SilenceProcedure.State.BROKEN,
            "broken_at": now,
            "broken_by": actor,
            "broken_by_state": actor.state,
            "reason": reason,
        }
        # The guard on the state also covers SQLite, where FOR UPDATE is a no-op.
        if not SilenceProcedure.objects.filter(
            pk=procedure.pk, state=SilenceProcedure.State.RUNNING
        ).update(**changes):
            raise SilenceConflict("no silence procedure is running on this measure")
        for field, value in changes.items():
            setattr(procedure, field, value)
        if locked.status == Measure.Status.SILENCE:
            measure_status_set(
                actor=actor,
                measure=locked,
                status=Measure.Status.OPEN,
                reason=(f"Silence procedure {procedure.pk} broken by {actor.state.code}: {reason}"),
            )
        event_record(
            kind=EventKind.SILENCE_BROKEN, measure=locked, payload=payloads.silence(procedure)
        )
    return procedure


def silence_close(*, procedure_id: int, now: datetime | None = None) -> bool:
    """Close one procedure if it is running and due: the measure is adopted.

    Idempotent: a procedure already closed or broken, or not yet due, is left
    alone. Returns whether this call closed it. If a coordinator moved the
    measure out of ``silence`` by hand meanwhile, the procedure closes without
    adopting it.
    """
    now = now or timezone.now()
    measure_id = (
        SilenceProcedure.objects.filter(pk=procedure_id)
        .values_list("measure_id", flat=True)
        .first()
    )
    if measure_id is None:
        return False
    with transaction.atomic():
        measure = Measure.objects.select_for_update().get(pk=measure_id)
        procedure = SilenceProcedure.objects.select_for_update().get(pk=procedure_id)
        if procedure.state != SilenceProcedure.State.RUNNING or procedure.deadline > now:
            return False
        adopt = measure.status == Measure.Status.SILENCE
        if not SilenceProcedure.objects.filter(
            pk=procedure.pk, state=SilenceProcedure.State.RUNNING
        ).update(state=SilenceProcedure.State.CLOSED, closed_at=now, adopted=adopt):
            return False  # another closer got there first (SQLite has no row lock)
        if adopt:
            measure_status_set(
                actor=None,
                measure=measure,
                status=Measure.Status.ADOPTED,
                reason=(
                    f"Silence procedure {procedure.pk} closed unbroken at its deadline "
                    f"{procedure.deadline.isoformat()}: adopted on the alliance route."
                ),
            )
        procedure.state = SilenceProcedure.State.CLOSED
        procedure.closed_at, procedure.adopted = now, adopt
        event_record(
            kind=EventKind.SILENCE_CLOSED, measure=measure, payload=payloads.silence(procedure)
        )
    return True


def silence_close_due(*, now: datetime | None = None) -> list[int]:
    """Close every running procedure whose deadline has passed; the ids closed by this call.

    What the periodic sweep runs. Safe to run twice, concurrently, or late:
    each procedure closes exactly once.
    """
    now = now or timezone.now()
    due = SilenceProcedure.objects.filter(
        state=SilenceProcedure.State.RUNNING, deadline__lte=now
    ).values_list("pk", flat=True)
    return [pk for pk in list(due) if silence_close(procedure_id=pk, now=now)]


def silence_caught_up(view: Callable[P, R]) -> Callable[P, R]:
    """For the pages that show measures' statuses: close the procedures that are due
    before the page reads, so a page never shows a stale ``silence`` whether or not
    the sweep has run (and with no beat at all, in the embedded default). One
    query when nothing is due; closing is the sweep's own idempotent close."""

    @wraps(view)
    def caught_up(*args: P.args, **kwargs: P.kwargs) -> R:
        silence_close_due()
        return view(*args, **kwargs)

    return caught_up


def silence_current(*, measure: Measure) -> SilenceProcedure | None:
    """The measure's latest procedure, closed first if it is due, so a read never shows a
    stale running procedure whether or not a worker has run."""
    procedure = silence_latest(measure=measure)
    if procedure is None or procedure.state != SilenceProcedure.State.RUNNING:
        return procedure
    if procedure.deadline <= timezone.now():
        silence_close(procedure_id=procedure.pk)
        procedure = silence_latest(measure=measure)
    return procedure


def silence_notice_recipients(*, measure: Measure) -> list[User]:
    """The active delegates of every ally who may see the measure and have an address."""
    delegates = (
        User.objects.filter(is_active=True, role=User.Role.DELEGATE, state__nato_member=True)
        .exclude(email="")
        .select_related("state")
        .order_by("state_id", "username")
    )
    return [user for user in delegates if permissions.can_view_measure(user, measure)]


def silence_notify_send(*, procedure_id: int, kind: NoticeKind) -> int:
    """Mail the allies' delegates that a procedure started, or that its deadline is near.

    Each notice goes out once: the procedure records when it was sent, in the
    transaction that sends it (a crash before commit sends it again, never
    loses it). A reminder for a procedure no longer running is not sent.
    Returns how many messages were sent.
    """
    field = "start_notice_sent_at" if kind == "started" else "reminder_sent_at"
    with transaction.atomic():
        procedure = (
            SilenceProcedure.objects.select_for_update()
            .select_related("measure")
            .filter(pk=procedure_id)
            .first()
        )
        if procedure is None or getattr(procedure, field) is not None:
            return 0
        if kind == "reminder" and procedure.state != SilenceProcedure.State.RUNNING:
            return 0
        if not SilenceProcedure.objects.filter(
            pk=procedure.pk, **{f"{field}__isnull": True}
        ).update(**{field: timezone.now()}):
            return 0
        recipients = silence_notice_recipients(measure=procedure.measure)
        with translation.override(settings.LANGUAGE_CODE):
            context = {"procedure": procedure, "measure": procedure.measure}
            subject = " ".join(
                render_to_string(f"emails/silence_{kind}_subject.txt", context).split()
            )
            body = render_to_string(f"emails/silence_{kind}.txt", context)
        messages = [EmailMessage(subject, body, to=[user.email]) for user in recipients]
        return get_connection().send_messages(messages) or 0


def _notify_later(procedure_id: int, kind: NoticeKind) -> None:
    """Queue a notice after commit; with the broker down, the periodic sweep sends it."""
    from consensus.tasks import silence_notify  # the tasks import this module
    from events.tasks import enqueue

    enqueue(silence_notify, procedure_id, kind)
