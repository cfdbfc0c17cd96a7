"""The silence procedure's services: start, break, close at the deadline, notify."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from consensus import silence
from consensus.errors import InvalidInput
from consensus.models import SilenceProcedure
from consensus.tasks import silence_close_due
from positions.models import Measure, MeasureStatusChange
from positions.services import measure_update
from tests.silence.conftest import deadline_passes


@contextmanager
def a_transaction_that_fails() -> Iterator[None]:
    with transaction.atomic():
        yield
        raise RuntimeError("rolled back")


def status_of(measure: Measure) -> str:
    return Measure.objects.get(pk=measure.pk).status


# Starting ---------------------------------------------------------------------------


def test_a_coordinator_puts_a_measure_under_silence(coordinator, measure, in_a_day):
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)

    assert (procedure.state, procedure.deadline, procedure.started_by) == (
        "running",
        in_a_day,
        coordinator,
    )
    assert status_of(measure) == "silence"
    change = MeasureStatusChange.objects.get(measure=measure)
    assert (change.before, change.after, change.by) == ("open", "silence", coordinator)
    assert f"Silence procedure {procedure.pk} started" in change.reason


@pytest.mark.parametrize("who", ["reader", "delegate_fra"])
def test_only_coordinators_start_silence(request, who, measure, in_a_day, silence_written):
    before = silence_written()

    with pytest.raises(PermissionDenied):
        silence.silence_start(
            actor=request.getfixturevalue(who), measure=measure, deadline=in_a_day
        )

    assert silence_written() == before


@pytest.mark.parametrize(
    "deadline",
    [
        timezone.now() - timedelta(minutes=1),
        datetime(2030, 1, 1, 12, 0),  # no time zone
    ],
    ids=["past", "naive"],
)
def test_a_deadline_must_be_aware_and_in_the_future(
    coordinator, measure, deadline, silence_written
):
    before = silence_written()

    with pytest.raises(InvalidInput) as refused:
        silence.silence_start(actor=coordinator, measure=measure, deadline=deadline)

    assert "deadline" in refused.value.errors
    assert silence_written() == before


def test_a_second_procedure_is_refused_while_one_runs(
    coordinator, measure, in_a_day, silence_written
):
    silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    before = silence_written()

    with pytest.raises(silence.SilenceConflict):
        silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)

    assert silence_written() == before


def test_an_adopted_measure_cannot_go_under_silence(
    coordinator, make_measure, in_a_day, silence_written
):
    adopted = make_measure(status="adopted")
    before = silence_written()

    with pytest.raises(silence.SilenceConflict):
        silence.silence_start(actor=coordinator, measure=adopted, deadline=in_a_day)

    assert silence_written() == before


def test_silence_cannot_be_set_by_editing_the_measure(coordinator, measure):
    with pytest.raises(InvalidInput):
        measure_update(actor=coordinator, measure=measure, status="silence")


# Breaking ---------------------------------------------------------------------------


def test_an_allys_delegate_breaks_silence_and_the_measure_reopens(
    coordinator, delegate_fra, measure, in_a_day
):
    started = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)

    procedure = silence.silence_break(
        actor=delegate_fra, measure=measure, reason="  Port concessions need more study. "
    )

    assert procedure.pk == started.pk
    stored = SilenceProcedure.objects.get(pk=procedure.pk)
    assert (stored.state, stored.broken_by, stored.broken_by_state_id, stored.reason) == (
        "broken",
        delegate_fra,
        "FRA",
        "Port concessions need more study.",
    )
    assert stored.broken_at is not None
    assert status_of(measure) == "open"
    change = MeasureStatusChange.objects.filter(measure=measure).latest("id")
    assert (change.before, change.after, change.by) == ("silence", "open", delegate_fra)
    assert "broken by FRA: Port concessions need more study." in change.reason


@pytest.mark.parametrize("who", ["coordinator", "reader", "delegate_aut", "outsider"])
def test_only_an_allys_delegate_who_sees_the_measure_breaks_silence(
    who, coordinator, reader, make_user, restricted_measure, in_a_day, silence_written
):
    users = {
        "coordinator": coordinator,
        "reader": reader,
        "delegate_aut": make_user("delegate-aut", "delegate", "AUT"),  # EU, not an ally
        "outsider": make_user("delegate-ita", "delegate", "ITA"),  # not a participant
    }
    silence.silence_start(actor=coordinator, measure=restricted_measure, deadline=in_a_day)
    before = silence_written()

    with pytest.raises(PermissionDenied):
        silence.silence_break(actor=users[who], measure=restricted_measure, reason="No.")

    assert silence_written() == before


def test_a_participants_delegate_breaks_silence_on_a_restricted_measure(
    coordinator, make_user, restricted_measure, in_a_day
):
    silence.silence_start(actor=coordinator, measure=restricted_measure, deadline=in_a_day)
    delegate_nld = make_user("delegate-nld", "delegate", "NLD")

    procedure = silence.silence_break(actor=delegate_nld, measure=restricted_measure, reason="No.")

    assert procedure.broken_by_state_id == "NLD"


def test_breaking_needs_a_reason(coordinator, delegate_fra, measure, in_a_day, silence_written):
    silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    before = silence_written()

    with pytest.raises(InvalidInput) as refused:
        silence.silence_break(actor=delegate_fra, measure=measure, reason="   ")

    assert "reason" in refused.value.errors
    assert silence_written() == before


def test_breaking_with_no_procedure_running_is_refused(delegate_fra, measure, silence_written):
    before = silence_written()

    with pytest.raises(silence.SilenceConflict):
        silence.silence_break(actor=delegate_fra, measure=measure, reason="No.")

    assert silence_written() == before


def test_breaking_twice_is_refused(coordinator, delegate_fra, delegate_usa, measure, in_a_day):
    silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    silence.silence_break(actor=delegate_fra, measure=measure, reason="No.")

    with pytest.raises(silence.SilenceConflict):
        silence.silence_break(actor=delegate_usa, measure=measure, reason="No either.")

    assert SilenceProcedure.objects.get().broken_by_state_id == "FRA"


def test_breaking_after_the_deadline_is_refused(
    coordinator, delegate_fra, measure, in_a_day, silence_written
):
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    deadline_passes(procedure)
    before = silence_written()

    with pytest.raises(silence.SilenceConflict):
        silence.silence_break(actor=delegate_fra, measure=measure, reason="Too late.")

    assert silence_written() == before


def test_a_new_procedure_may_start_after_a_break(coordinator, delegate_fra, measure, in_a_day):
    silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    silence.silence_break(actor=delegate_fra, measure=measure, reason="No.")

    again = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)

    assert again.state == "running"
    assert status_of(measure) == "silence"


# Closing at the deadline --------------------------------------------------------------


def test_an_unbroken_procedure_adopts_the_measure_at_its_deadline(coordinator, measure, in_a_day):
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    deadline_passes(procedure)

    assert silence.silence_close_due() == [procedure.pk]

    stored = SilenceProcedure.objects.get(pk=procedure.pk)
    assert (stored.state, stored.adopted) == ("closed", True)
    assert stored.closed_at is not None
    assert status_of(measure) == "adopted"
    change = MeasureStatusChange.objects.filter(measure=measure).latest("id")
    assert (change.before, change.after, change.by) == ("silence", "adopted", None)
    assert f"Silence procedure {procedure.pk} closed unbroken" in change.reason
    assert "alliance route" in change.reason


def test_closing_is_idempotent(coordinator, measure, in_a_day, silence_written):
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    deadline_passes(procedure)
    silence.silence_close_due()
    after_first = silence_written()

    assert silence.silence_close_due() == []
    assert silence.silence_close(procedure_id=procedure.pk) is False
    assert silence_written() == after_first
    assert MeasureStatusChange.objects.filter(measure=measure, after="adopted").count() == 1


def test_a_procedure_not_yet_due_stays_running(coordinator, measure, in_a_day, silence_written):
    silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    before = silence_written()

    assert silence.silence_close_due() == []
    assert silence_written() == before


def test_a_broken_procedure_never_closes(
    coordinator, delegate_fra, measure, in_a_day, silence_written
):
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    silence.silence_break(actor=delegate_fra, measure=measure, reason="No.")
    deadline_passes(procedure)
    before = silence_written()

    assert silence.silence_close_due() == []
    assert silence_written() == before
    assert status_of(measure) == "open"


def test_a_measure_moved_out_of_silence_by_hand_closes_without_adoption(
    coordinator, measure, in_a_day
):
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    measure_update(actor=coordinator, measure=measure, status="withdrawn")
    deadline_passes(procedure)

    assert silence.silence_close_due() == [procedure.pk]

    stored = SilenceProcedure.objects.get(pk=procedure.pk)
    assert (stored.state, stored.adopted) == ("closed", False)
    assert status_of(measure) == "withdrawn"


def test_the_effective_status_is_adopted_once_the_deadline_passed(coordinator, measure, in_a_day):
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    fresh = Measure.objects.get(pk=measure.pk)
    assert silence.measure_status_effective(measure=fresh) == "silence"

    deadline_passes(procedure)

    assert Measure.objects.get(pk=measure.pk).status == "silence"  # no worker has run
    assert silence.measure_status_effective(measure=fresh) == "adopted"


def test_reading_the_procedure_closes_it_once_due(coordinator, measure, in_a_day):
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    deadline_passes(procedure)

    current = silence.silence_current(measure=measure)

    assert current is not None
    assert current.state == "closed"
    assert status_of(measure) == "adopted"
    assert silence.silence_close_due() == []


def test_no_position_is_changed_by_the_procedure(
    coordinator, delegate_fra, measure, in_a_day, silence_written
):
    before = silence_written()["position_changes"]
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)
    deadline_passes(procedure)
    silence.silence_close_due()

    assert silence_written()["position_changes"] == before


# Notifications ------------------------------------------------------------------------


@pytest.fixture
def delegates(mailable, make_user):
    return {
        "FRA": mailable("delegate-fra", "delegate", "FRA"),
        "USA": mailable("delegate-usa", "delegate", "USA"),
        "DEU": mailable("delegate-deu", "delegate", "DEU"),
        "AUT": mailable("delegate-aut", "delegate", "AUT"),  # not an ally
        "coordinator-2": mailable("coordinator-2", "coordinator"),
        "ITA-no-address": make_user("delegate-ita", "delegate", "ITA"),
    }


def test_the_allies_delegates_are_mailed_when_silence_starts(
    coordinator, delegates, measure, in_a_day, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "delegate-deu@example.org",
        "delegate-fra@example.org",
        "delegate-usa@example.org",
    ]
    message = mail.outbox[0]
    assert f"measure {measure.pk}" in message.subject
    assert measure.title in message.body
    assert "adopted on the alliance route" in message.body
    assert in_a_day.astimezone(UTC).strftime("%Y-%m-%d %H:%M") in message.body
    assert SilenceProcedure.objects.get(pk=procedure.pk).start_notice_sent_at is not None


def test_nothing_is_queued_when_the_start_rolls_back(
    coordinator, delegates, measure, in_a_day, eager_tasks, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        a_transaction_that_fails(),
    ):
        silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)

    assert callbacks == []
    assert mail.outbox == []
    assert not SilenceProcedure.objects.exists()


def test_a_restricted_measures_notice_goes_only_to_its_participants(
    coordinator,
    delegates,
    restricted_measure,
    in_a_day,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        silence.silence_start(actor=coordinator, measure=restricted_measure, deadline=in_a_day)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "delegate-deu@example.org",
        "delegate-usa@example.org",
    ]


def test_the_start_notice_goes_out_once(coordinator, delegates, measure, in_a_day):
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=in_a_day)

    assert silence.silence_notify_send(procedure_id=procedure.pk, kind="started") == 3
    assert silence.silence_notify_send(procedure_id=procedure.pk, kind="started") == 0
    assert len(mail.outbox) == 3


def test_the_reminder_goes_out_once_24_hours_before_the_deadline(
    coordinator, delegates, measure, eager_tasks
):
    deadline = timezone.now() + timedelta(days=3)
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=deadline)
    silence.silence_notify_send(procedure_id=procedure.pk, kind="started")
    mail.outbox.clear()
    silence_close_due.delay()
    assert mail.outbox == []  # more than a day ahead

    # Two days later, as the clock would have it.
    SilenceProcedure.objects.filter(pk=procedure.pk).update(
        started_at=timezone.now() - timedelta(days=2),
        deadline=timezone.now() + timedelta(hours=23),
    )
    silence_close_due.delay()
    silence_close_due.delay()

    assert len(mail.outbox) == 3
    assert all("24 hours" in m.subject for m in mail.outbox)
    assert SilenceProcedure.objects.get(pk=procedure.pk).reminder_sent_at is not None
    assert silence.silence_reminders_due() == []


def test_the_sweep_sends_a_start_notice_that_never_went_out(
    coordinator, delegates, measure, eager_tasks
):
    # The start notice is queued after commit; this test's transaction never commits,
    # as when the broker was down at the start: the sweep must send it, once.
    deadline = timezone.now() + timedelta(days=3)
    procedure = silence.silence_start(actor=coordinator, measure=measure, deadline=deadline)
    assert mail.outbox == []
    assert silence.silence_start_notices_due() == [procedure.pk]

    silence_close_due.delay()
    silence_close_due.delay()

    assert len(mail.outbox) == 3
    assert all("24 hours" not in m.subject for m in mail.outbox)
    assert silence.silence_start_notices_due() == []


def test_no_reminder_for_a_procedure_started_less_than_a_day_before_its_deadline(
    coordinator, delegates, measure
):
    deadline = timezone.now() + timedelta(hours=2)
    silence.silence_start(actor=coordinator, measure=measure, deadline=deadline)

    assert silence.silence_reminders_due() == []


def test_no_reminder_once_silence_is_broken(coordinator, delegates, measure):
    procedure = silence.silence_start(
        actor=coordinator, measure=measure, deadline=timezone.now() + timedelta(days=3)
    )
    silence.silence_break(actor=delegates["FRA"], measure=measure, reason="No.")

    assert silence.silence_reminders_due(now=timezone.now() + timedelta(days=2, hours=1)) == []
    assert silence.silence_notify_send(procedure_id=procedure.pk, kind="reminder") == 0
    assert mail.outbox == []


def test_the_sweep_runs_every_30_seconds(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["silence-close-due"]

    assert schedule == {"task": "consensus.tasks.silence_close_due", "schedule": 30.0}
