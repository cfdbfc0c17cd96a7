"""Every change that leaves the process writes one event in its own transaction, or none."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from consensus import silence
from consensus.declarations.services import (
    amendment_decide,
    amendment_propose,
    declaration_create,
    version_create,
)
from consensus.errors import InvalidInput
from consensus.models import SilenceProcedure
from events.models import Event
from positions.models import PositionChange
from positions.services import StaleVersion, measure_status_set, position_record
from tests.events.conftest import kinds


def record(actor, measure, state, **stances):
    return position_record(actor=actor, measure=measure, state=state, stances=stances, source="api")


# Positions ----------------------------------------------------------------------------


def test_a_position_change_writes_one_event_with_the_change(delegate_fra, measure, state):
    recorded = record(delegate_fra, measure, state("FRA"), alliance="support", eu="oppose")

    event = Event.objects.get()
    assert (event.kind, event.measure_id, event.dispatched_at) == (
        "position.changed",
        measure.pk,
        None,
    )
    assert event.payload == {
        "change": recorded.change.pk,
        "measure": measure.pk,
        "state": "FRA",
        "at": recorded.change.at.isoformat(),
        "version": 1,
        "source": "api",
        "by": "delegate-fra",
        "changes": {"alliance": ["undecided", "support"], "eu": ["undecided", "oppose"]},
        "stances": {"alliance": "support", "bilateral": "undecided", "eu": "oppose"},
        "reservations": "",
        "note": "",
    }


def test_a_write_that_changes_nothing_writes_no_event(delegate_fra, measure, state):
    record(delegate_fra, measure, state("FRA"), alliance="support")
    record(delegate_fra, measure, state("FRA"), alliance="support")

    assert kinds() == ["position.changed"]


@pytest.mark.parametrize(
    ("who", "code", "stances", "refusal"),
    [
        ("delegate_fra", "DEU", {"alliance": "support"}, PermissionDenied),
        ("reader", "FRA", {"alliance": "support"}, PermissionDenied),
        ("delegate_fra", "FRA", {"alliance": "maybe"}, InvalidInput),
        ("delegate_usa", "USA", {"eu": "support"}, InvalidInput),
    ],
)
def test_a_refused_position_writes_no_event(
    request, make_user, measure, state, who, code, stances, refusal
):
    if code == "DEU":
        make_user("delegate-deu", "delegate", "DEU")
    actor = request.getfixturevalue(who)

    with pytest.raises(refusal):
        record(actor, measure, state(code), **stances)

    assert not Event.objects.exists()


def test_a_stale_version_writes_no_event(delegate_fra, measure, state):
    record(delegate_fra, measure, state("FRA"), alliance="support")

    with pytest.raises(StaleVersion):
        position_record(
            actor=delegate_fra,
            measure=measure,
            state=state("FRA"),
            stances={"alliance": "oppose"},
            expected_version=0,
            source="api",
        )

    assert kinds() == ["position.changed"]


def test_a_rolled_back_change_leaves_no_event(delegate_fra, measure, state):
    written = []

    def change_then_fail() -> None:
        with transaction.atomic():
            record(delegate_fra, measure, state("FRA"), alliance="support")
            written.append(Event.objects.count())  # written with the change...
            raise RuntimeError("the caller's transaction fails")

    with pytest.raises(RuntimeError):
        change_then_fail()

    assert written == [1]

    assert not Event.objects.exists()  # ...and gone with it
    assert not PositionChange.objects.exists()


# Measure status -------------------------------------------------------------------------


def test_a_status_change_writes_an_event_with_before_and_after(coordinator, measure):
    with transaction.atomic():
        measure_status_set(actor=coordinator, measure=measure, status="blocked", reason="Vetoed.")

    event = Event.objects.get()
    assert event.kind == "measure.status_changed"
    assert {k: event.payload[k] for k in ("measure", "before", "after", "reason", "by")} == {
        "measure": measure.pk,
        "before": "open",
        "after": "blocked",
        "reason": "Vetoed.",
        "by": "coordinator",
    }


def test_setting_the_same_status_writes_no_event(coordinator, measure):
    measure_status_set(actor=coordinator, measure=measure, status="open", reason="Again.")

    assert not Event.objects.exists()


# Silence ---------------------------------------------------------------------------------


def test_the_silence_procedure_writes_its_events(coordinator, delegate_fra, make_measure):
    broken, quiet = make_measure(title="Broken"), make_measure(title="Quiet")
    deadline = timezone.now() + timedelta(days=2)
    silence.silence_start(actor=coordinator, measure=broken, deadline=deadline)
    silence.silence_break(actor=delegate_fra, measure=broken, reason="Not yet.")
    procedure = silence.silence_start(actor=coordinator, measure=quiet, deadline=deadline)
    SilenceProcedure.objects.filter(pk=procedure.pk).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )
    assert silence.silence_close(procedure_id=procedure.pk)

    assert Counter(kinds()) == Counter(
        {"silence.started": 2, "measure.status_changed": 4, "silence.broken": 1}
        | {"silence.closed": 1}
    )
    broke = Event.objects.get(kind="silence.broken")
    assert (broke.measure_id, broke.payload["broken_by"], broke.payload["reason"]) == (
        broken.pk,
        "FRA",
        "Not yet.",
    )
    closed = Event.objects.get(kind="silence.closed")
    assert (closed.measure_id, closed.payload["state"], closed.payload["adopted"]) == (
        quiet.pk,
        "closed",
        True,
    )

    # Closing again, or breaking a closed procedure, writes nothing more.
    before = Event.objects.count()
    assert not silence.silence_close(procedure_id=procedure.pk)
    with pytest.raises(silence.SilenceConflict):
        silence.silence_break(actor=delegate_fra, measure=quiet, reason="Late.")
    assert Event.objects.count() == before


def test_a_refused_silence_start_writes_no_event(coordinator, reader, measure):
    deadline = timezone.now() + timedelta(days=2)
    silence.silence_start(actor=coordinator, measure=measure, deadline=deadline)
    before = Event.objects.count()

    with pytest.raises(silence.SilenceConflict):
        silence.silence_start(actor=coordinator, measure=measure, deadline=deadline)
    with pytest.raises(PermissionDenied):
        silence.silence_start(actor=reader, measure=measure, deadline=deadline)

    assert Event.objects.count() == before


# Amendments --------------------------------------------------------------------------------


@pytest.fixture
def amendment(coordinator, delegate_fra):
    declaration = declaration_create(
        actor=coordinator, title="Washington Summit Declaration", summit="Washington", year=2024
    )
    version_create(
        actor=coordinator,
        declaration=declaration,
        text="We have met in Washington.\n\nWe will screen investment.",
        note="",
    )
    return amendment_propose(
        actor=delegate_fra,
        declaration=declaration,
        version_number=1,
        paragraph=2,
        text="We will screen investment in ports.",
        rationale="Be precise.",
    )


@pytest.mark.parametrize(("decision", "version"), [("accept", 2), ("reject", None)])
def test_deciding_an_amendment_writes_an_event_about_no_measure(
    coordinator, amendment, decision, version
):
    amendment_decide(actor=coordinator, amendment=amendment, decision=decision)

    event = Event.objects.get()
    assert (event.kind, event.measure_id) == ("amendment.decided", None)
    assert {k: event.payload[k] for k in ("amendment", "paragraph", "sponsor", "version")} == {
        "amendment": amendment.pk,
        "paragraph": 2,
        "sponsor": "FRA",
        "version": version,
    }
    assert event.payload["decision"] == ("accepted" if decision == "accept" else "rejected")


def test_a_refused_decision_writes_no_event(coordinator, delegate_fra, amendment):
    with pytest.raises(PermissionDenied):
        amendment_decide(actor=delegate_fra, amendment=amendment, decision="accept")
    with pytest.raises(InvalidInput):
        amendment_decide(actor=coordinator, amendment=amendment, decision="maybe")
    assert not Event.objects.exists()

    amendment_decide(actor=coordinator, amendment=amendment, decision="reject")
    with pytest.raises(Exception, match="already"):
        amendment_decide(actor=coordinator, amendment=amendment, decision="accept")
    assert Event.objects.count() == 1
