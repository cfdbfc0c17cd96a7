"""Fan-out, visibility, signing, retries and the sweep, against a real receiver on loopback.

Tasks run eagerly here (the embedded default); tests/events/test_worker.py runs
the same paths through a real worker on Redis.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from consensus.celery import app
from events import services, tasks
from events.models import Delivery, DeliveryAttempt, Event
from positions.services import position_record
from tests.events.conftest import SECRET, broker_use


def change(actor, measure, state, stance="support"):
    return position_record(
        actor=actor, measure=measure, state=state, stances={"alliance": stance}, source="api"
    )


def attempt(delivery):
    return services.delivery_attempt(delivery_id=delivery.pk)


# Fan-out and visibility -----------------------------------------------------------------


def test_after_commit_the_event_is_fanned_out_without_any_http_call_in_the_request(
    eager_tasks,
    django_capture_on_commit_callbacks,
    coordinator,
    delegate_fra,
    measure,
    state,
    receiver,
    subscribe,
):
    webhook = subscribe(coordinator, receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        change(delegate_fra, measure, state("FRA"))

    event = Event.objects.get()
    assert event.dispatched_at is not None
    delivery = Delivery.objects.get()
    assert (delivery.webhook, delivery.event, delivery.state) == (webhook, event, "pending")
    assert receiver.received == []  # the embedded default sends from the sweep only

    call_command("events_sweep")

    receiver.wait_for(1)
    assert Delivery.objects.get().state == "delivered"


def test_a_subscriber_gets_only_the_kinds_asked_for(
    coordinator, delegate_fra, measure, state, receiver, subscribe
):
    positions = subscribe(coordinator, receiver.url, ["position.changed"])
    statuses = subscribe(coordinator, receiver.url, ["measure.status_changed"])
    change(delegate_fra, measure, state("FRA"))

    services.event_fan_out(event_id=Event.objects.get().pk)

    assert list(Delivery.objects.values_list("webhook", flat=True)) == [positions.pk]
    assert statuses.deliveries.count() == 0


def test_only_subscribers_who_may_see_a_restricted_measure_get_its_events(
    coordinator, reader, delegate_usa, restricted_measure, measure, state, receiver, subscribe
):
    coordinators = subscribe(coordinator, receiver.url)
    readers = subscribe(reader, receiver.url)
    change(delegate_usa, restricted_measure, state("USA"))
    change(delegate_usa, measure, state("USA"))

    for event in Event.objects.all():
        services.event_fan_out(event_id=event.pk)

    secret = Delivery.objects.filter(event__measure=restricted_measure)
    public = Delivery.objects.filter(event__measure=measure)
    assert [d.webhook for d in secret] == [coordinators]
    assert sorted(d.webhook.pk for d in public) == [coordinators.pk, readers.pk]


def test_fanning_out_twice_makes_one_delivery_per_webhook(
    coordinator, delegate_fra, measure, state, receiver, subscribe
):
    subscribe(coordinator, receiver.url)
    change(delegate_fra, measure, state("FRA"))
    event = Event.objects.get()

    first = services.event_fan_out(event_id=event.pk)
    Event.objects.filter(pk=event.pk).update(dispatched_at=None)  # as if the mark were lost
    second = services.event_fan_out(event_id=event.pk)

    assert first == second
    assert Delivery.objects.count() == 1


def test_a_webhook_made_after_an_event_does_not_get_it(
    coordinator, delegate_fra, measure, state, receiver, subscribe
):
    change(delegate_fra, measure, state("FRA"))
    subscribe(coordinator, receiver.url)

    services.event_fan_out(event_id=Event.objects.get().pk)

    assert not Delivery.objects.exists()


def test_a_subscriber_who_lost_sight_of_the_measure_is_not_sent_it(
    coordinator, delegate_fra, measure, state, receiver, subscribe
):
    subscribe(coordinator, receiver.url)
    change(delegate_fra, measure, state("FRA"))
    services.event_fan_out(event_id=Event.objects.get().pk)
    coordinator.is_active = False
    coordinator.save()

    outcome = attempt(Delivery.objects.get())

    assert outcome is not None
    assert outcome.state == "failed"
    assert receiver.received == []
    assert DeliveryAttempt.objects.get().error == services.NOT_VISIBLE


# Signing and sending --------------------------------------------------------------------


def test_a_delivery_is_json_signed_with_the_secret(
    coordinator, delegate_fra, measure, state, receiver, subscribe
):
    subscribe(coordinator, receiver.url)
    change(delegate_fra, measure, state("FRA"))
    event = Event.objects.get()
    services.event_fan_out(event_id=event.pk)

    outcome = attempt(Delivery.objects.get())

    assert outcome is not None
    assert outcome.state == "delivered"
    (got,) = receiver.received
    digest = hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Consensus-Signature"] == f"sha256={digest}"
    assert got.signed_with(SECRET)
    assert not got.signed_with(SECRET + "x")
    assert got.headers["X-Consensus-Event"] == str(event.pk)
    assert got.headers["Content-Type"] == "application/json"
    assert json.loads(got.body) == {
        "id": str(event.pk),
        "kind": "position.changed",
        "created_at": event.created_at.isoformat(),
        "payload": event.payload,
    }
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.delivered_at is not None) == (
        "delivered",
        1,
        True,
    )
    log = DeliveryAttempt.objects.get()
    assert (log.number, log.status_code, log.error) == (1, 200, "")
    assert log.duration_ms is not None

    # Delivered once: running it again sends nothing.
    assert attempt(delivery) is None
    assert len(receiver.received) == 1


def test_a_failing_receiver_is_retried_with_exponential_backoff_then_given_up(
    settings, coordinator, delegate_fra, measure, state, receiver, subscribe
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    receiver.statuses = [500, 503, 502]
    subscribe(coordinator, receiver.url)
    change(delegate_fra, measure, state("FRA"))
    services.event_fan_out(event_id=Event.objects.get().pk)
    delivery = Delivery.objects.get()

    first = attempt(delivery)
    assert first is not None
    assert (first.state, first.retry_in) == ("pending", timedelta(seconds=10))
    assert attempt(delivery) is None  # not due yet: nothing sent
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    second = attempt(delivery)
    assert second is not None
    assert second.retry_in == timedelta(seconds=20)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    third = attempt(delivery)
    assert third is not None
    assert (third.state, third.retry_in) == ("failed", None)

    assert len(receiver.received) == 3
    assert list(DeliveryAttempt.objects.values_list("number", "status_code", "error")) == [
        (1, 500, "HTTP 500"),
        (2, 503, "HTTP 503"),
        (3, 502, "HTTP 502"),
    ]
    assert attempt(delivery) is None  # given up for good


def test_the_backoff_is_capped(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_RETRY_MAX_SECONDS = 60

    assert [services.retry_delay(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_a_receiver_that_does_not_answer_in_time_is_logged_as_such(
    settings, coordinator, delegate_fra, measure, state, receiver, subscribe
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.delay = 2.5
    subscribe(coordinator, receiver.url)
    change(delegate_fra, measure, state("FRA"))
    services.event_fan_out(event_id=Event.objects.get().pk)

    outcome = attempt(Delivery.objects.get())

    assert outcome is not None
    assert outcome.state == "pending"
    log = DeliveryAttempt.objects.get()
    assert log.status_code is None
    assert "timed out" in log.error.lower()
    assert 900 <= log.duration_ms < 2500


def test_an_unreachable_receiver_is_logged(coordinator, delegate_fra, measure, state, subscribe):
    subscribe(coordinator, "http://127.0.0.1:9/nobody-listens")
    change(delegate_fra, measure, state("FRA"))
    services.event_fan_out(event_id=Event.objects.get().pk)

    attempt(Delivery.objects.get())

    log = DeliveryAttempt.objects.get()
    assert log.status_code is None
    assert "refused" in log.error.lower()


def test_a_redirect_is_not_followed(coordinator, delegate_fra, measure, state, receiver, subscribe):
    receiver.statuses = [302]
    subscribe(coordinator, receiver.url)
    change(delegate_fra, measure, state("FRA"))
    services.event_fan_out(event_id=Event.objects.get().pk)

    outcome = attempt(Delivery.objects.get())

    assert outcome is not None
    assert outcome.state == "pending"
    assert DeliveryAttempt.objects.get().status_code == 302
    assert len(receiver.received) == 1


def test_a_delivery_held_by_a_dead_worker_is_taken_over_once_its_lease_ends(
    coordinator, delegate_fra, measure, state, receiver, subscribe
):
    subscribe(coordinator, receiver.url)
    change(delegate_fra, measure, state("FRA"))
    services.event_fan_out(event_id=Event.objects.get().pk)
    delivery = Delivery.objects.get()
    # A worker claimed it (attempt 1) and died before recording anything.
    Delivery.objects.filter(pk=delivery.pk).update(
        state="sending", attempts=1, lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert attempt(delivery) is None  # still held
    assert services.deliveries_due() == []

    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now())
    assert services.deliveries_due() == [delivery.pk]
    outcome = attempt(delivery)

    assert outcome is not None
    assert outcome.state == "delivered"
    assert list(DeliveryAttempt.objects.values_list("number", "status_code", "error")) == [
        (1, None, services.LOST_ATTEMPT),
        (2, 200, ""),
    ]
    assert len(receiver.received) == 1


# The broker down, and the sweep -------------------------------------------------------------


@pytest.fixture
def dead_broker(monkeypatch):
    """Tasks go to a broker that refuses connections (nothing listens on the port)."""
    before = app.conf.broker_url, app.conf.task_always_eager
    monkeypatch.setattr(tasks, "_broker_down_until", 0.0)
    app.conf.task_always_eager = False
    broker_use("redis://127.0.0.1:9/0")
    yield
    broker_use(before[0])
    app.conf.task_always_eager = before[1]


def test_with_the_broker_down_the_write_succeeds_and_the_sweep_dispatches_later(
    dead_broker,
    django_capture_on_commit_callbacks,
    coordinator,
    delegate_fra,
    measure,
    state,
    receiver,
    subscribe,
    caplog,
):
    subscribe(coordinator, receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        recorded = change(delegate_fra, measure, state("FRA"))
    with django_capture_on_commit_callbacks(execute=True):
        change(delegate_fra, measure, state("FRA"), "oppose")  # skipped: the broker is down

    assert recorded.change is not None
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 2
    assert "could not enqueue events.tasks.event_dispatch" in caplog.text
    assert "broker recently down" in caplog.text
    assert not Delivery.objects.exists()

    app.conf.task_always_eager = True  # the broker is back (here: the embedded default)
    assert call_command("events_sweep") is None

    receiver.wait_for(2)
    assert sorted(receiver.ids()) == sorted(
        str(pk) for pk in Event.objects.values_list("pk", flat=True)
    )
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
