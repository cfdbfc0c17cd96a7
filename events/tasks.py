"""Celery tasks for the outbox and webhooks: load by id, call a service, stay idempotent.

In the embedded default (no ``REDIS_URL``, tasks eager) a request fans its
events out in-process after commit but never makes an HTTP call: deliveries
wait in the database until ``manage.py events_sweep`` sends them. With Redis,
the worker sends them at once and retries with backoff.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import shared_task
from kombu.exceptions import OperationalError

from consensus.celery import app
from events import services

logger = logging.getLogger(__name__)

# After the broker refused a message, skip enqueueing for this long (seconds):
# the sweep catches up, and a request does not wait on a dead broker again.
BROKER_PAUSE = 5.0
_broker_down_until = 0.0


def enqueue(task: Any, *args: Any, countdown: float | None = None) -> bool:
    """Send a task, or log why not; never raises. Whatever is not sent, the sweep sends."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        logger.warning("broker recently down: %s%s left to the sweep", task.name, args)
        return False
    try:
        task.apply_async(args, countdown=countdown, retry=False)
    except (OperationalError, ConnectionError, OSError) as error:
        _broker_down_until = time.monotonic() + BROKER_PAUSE
        logger.warning("could not enqueue %s%s (left to the sweep): %s", task.name, args, error)
        return False
    except Exception:
        logger.exception("could not run %s%s (left to the sweep)", task.name, args)
        return False
    return True


def _sends_in_worker() -> bool:
    """Whether HTTP deliveries run in a worker (not in the caller, as eager tasks would)."""
    return not app.conf.task_always_eager


@shared_task(name="events.tasks.event_dispatch")  # type: ignore[untyped-decorator]  # celery is untyped
def event_dispatch(event_id: str) -> list[int]:
    """Fan an event out into deliveries, then queue each one's sending."""
    delivery_ids = services.event_fan_out(event_id=event_id)
    if _sends_in_worker():
        for delivery_id in delivery_ids:
            enqueue(delivery_send, delivery_id)
    return delivery_ids


@shared_task(name="events.tasks.delivery_send")  # type: ignore[untyped-decorator]  # celery is untyped
def delivery_send(delivery_id: int) -> str | None:
    """One attempt at a delivery, if it is due; on failure, queue the next after the backoff."""
    outcome = services.delivery_attempt(delivery_id=delivery_id)
    if outcome is None:
        return None
    if outcome.retry_in is not None and _sends_in_worker():
        enqueue(delivery_send, delivery_id, countdown=outcome.retry_in.total_seconds())
    return outcome.state


@shared_task(name="events.tasks.events_sweep")  # type: ignore[untyped-decorator]  # celery is untyped
def events_sweep() -> dict[str, int]:
    """The periodic sweep (celery beat): dispatch the pending events and send the due
    deliveries, whatever a dead broker or worker left behind. Safe to run twice."""
    events = services.events_pending()
    for event_id in events:
        services.event_fan_out(event_id=event_id)
    due = services.deliveries_due()
    for delivery_id in due:
        if _sends_in_worker():
            enqueue(delivery_send, delivery_id)
        else:
            services.delivery_attempt(delivery_id=delivery_id)
    return {"events": len(events), "deliveries": len(due)}
