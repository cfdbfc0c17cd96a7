"""The silence clock with the real Redis and a real Celery worker (not eager mode)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from consensus import silence
from consensus.models import SilenceProcedure
from consensus.tasks import silence_close_due
from positions.models import Measure, MeasureStatusChange
from tests.celery_worker import worker_running

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the worker")


@pytest.fixture
def worker(settings: Any) -> Iterator[list[str]]:
    """A worker thread on the test Redis; yields the ids of the tasks it has finished."""
    with worker_running(settings) as finished:
        yield finished


def sweep(finished: list[str]) -> None:
    """Send the periodic sweep to the worker, as beat would, and wait until it has run."""
    sent = silence_close_due.delay()
    wait_for(lambda: sent.id in finished)


def snapshot() -> list[Any]:
    return [
        list(SilenceProcedure.objects.order_by("id").values()),
        list(Measure.objects.order_by("id").values_list("id", "status", "updated_at")),
        list(MeasureStatusChange.objects.order_by("id").values_list("id", "after")),
    ]


def test_the_worker_closes_an_unbroken_procedure_at_its_deadline_and_not_a_broken_one(
    worker, coordinator, delegate_fra, mailable, make_measure
):
    mailable("delegate-usa", "delegate", "USA")
    quiet, broken = make_measure(title="Quiet"), make_measure(title="Broken")
    deadline = timezone.now() + timedelta(seconds=2)
    kept = silence.silence_start(actor=coordinator, measure=quiet, deadline=deadline)
    lost = silence.silence_start(actor=coordinator, measure=broken, deadline=deadline)
    silence.silence_break(actor=delegate_fra, measure=broken, reason="Not yet.")

    sweep(worker)  # before the deadline: nothing is due
    assert SilenceProcedure.objects.get(pk=kept.pk).state == "running"
    wait_for(lambda: timezone.now() > deadline)
    sweep(worker)

    assert SilenceProcedure.objects.get(pk=kept.pk).state == "closed"
    assert Measure.objects.get(pk=quiet.pk).status == "adopted"
    assert SilenceProcedure.objects.get(pk=lost.pk).state == "broken"
    assert Measure.objects.get(pk=broken.pk).status == "open"

    # A second sweep (a restart, a duplicate tick) changes nothing more.
    before = snapshot()
    sweep(worker)
    assert snapshot() == before
    assert quiet.status_changes.filter(after="adopted").count() == 1

    # The worker also sent the start notices, once per procedure, after commit.
    wait_for(lambda: len(mail.outbox) == 2)
    assert sorted(m.subject.split(":")[1].strip() for m in mail.outbox) == ["Broken", "Quiet"]
    assert {m.to[0] for m in mail.outbox} == {"delegate-usa@example.org"}
