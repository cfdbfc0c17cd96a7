"""The outbox and the webhooks: record an event, subscribe, fan out, deliver.

``event_record`` is the one function that writes an event. It runs inside the
transaction of the change that caused it (a position, a status, a silence
procedure, an amendment), so the event commits with the change or not at all,
and it asks for the event to be dispatched after commit. If the broker is down
then, nothing is lost: the event stays pending and the periodic sweep
(``events.tasks.events_sweep``) dispatches it later.

A delivery is one event to one webhook; the database holds at most one per
pair. Sending it is claimed with a lease on the row, so two tasks for the same
delivery (a retry and the sweep, a redelivered message) send it once; a worker
that dies mid-attempt leaves a lease that expires, and the next run takes over.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from consensus.errors import InvalidInput
from events.models import Delivery, DeliveryAttempt, Event, EventKind, Webhook
from positions.models import Measure

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Consensus-Signature"
EVENT_ID_HEADER = "X-Consensus-Event"
EVENT_KIND_HEADER = "X-Consensus-Event-Kind"
ATTEMPT_HEADER = "X-Consensus-Delivery-Attempt"
SECRET_MIN_LENGTH = 16
SECRET_MAX_LENGTH = 256
URL_MAX_LENGTH = 500
# How long past the request timeout a worker keeps a delivery it is sending.
LEASE_MARGIN = timedelta(seconds=5)
LOST_ATTEMPT = "no answer recorded: the worker stopped during the attempt"
NOT_VISIBLE = "not sent: the subscriber may no longer see this event"
# A sweep handles at most this many events and deliveries; the next takes the rest.
SWEEP_BATCH = 500


# The outbox ------------------------------------------------------------------------


def event_record(*, kind: EventKind, measure: Measure | None, payload: dict[str, Any]) -> Event:
    """Write an event in the caller's transaction; it is dispatched after commit.

    Call it from the service that makes the change, inside its transaction:
    if the change rolls back, so does the event. The dispatch never raises
    into the caller (see ``events.tasks.enqueue``).
    """
    event = Event.objects.create(kind=kind, measure=measure, payload=payload)
    # robust: whatever goes wrong after commit is logged, never raised into the caller.
    transaction.on_commit(lambda: _dispatch_later(event.pk), robust=True)
    return event


def _dispatch_later(event_id: uuid.UUID) -> None:
    from events import tasks  # the tasks import this module

    tasks.enqueue(tasks.event_dispatch, str(event_id))


def event_fan_out(*, event_id: uuid.UUID | str) -> list[int]:
    """Make one delivery per webhook that wants the event and whose owner may see it.

    Idempotent: an event is fanned out once (``dispatched_at``), and the
    database refuses a second delivery for the same webhook and event.
    Returns the ids of the event's deliveries still to send.
    """
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .select_related("measure")
            .filter(pk=event_id)
            .first()
        )
        if event is None:
            return []
        if event.dispatched_at is None:
            # A handful of subscriptions: filtered here, as SQLite cannot look
            # inside a JSON list.
            webhooks = Webhook.objects.filter(created_at__lte=event.created_at).select_related(
                "owner"
            )
            wanted = [
                Delivery(webhook=webhook, event=event, next_attempt_at=timezone.now())
                for webhook in webhooks
                if event.kind in webhook.events
                and permissions.can_receive_event(webhook.owner, event.measure)
            ]
            Delivery.objects.bulk_create(wanted, ignore_conflicts=True)
            Event.objects.filter(pk=event.pk, dispatched_at__isnull=True).update(
                dispatched_at=timezone.now()
            )
        return list(
            Delivery.objects.filter(event=event, state=Delivery.State.PENDING).values_list(
                "pk", flat=True
            )
        )


def events_pending(*, limit: int = SWEEP_BATCH) -> list[uuid.UUID]:
    """Events not yet fanned out, oldest first: what the sweep dispatches."""
    return list(
        Event.objects.filter(dispatched_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def deliveries_due(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Deliveries to send now: pending and due, or held by a worker whose lease ran out."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(
            Q(state=Delivery.State.PENDING, next_attempt_at__lte=now)
            | Q(state=Delivery.State.SENDING, lease_until__lt=now)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# Webhooks --------------------------------------------------------------------------


def webhook_create(*, actor: User, url: str, events: Sequence[str], secret: str) -> Webhook:
    """Subscribe a webhook (coordinators and readers) to some kinds of event.

    Refuses, writing nothing: ``PermissionDenied`` for a delegate or an
    inactive account; ``InvalidInput`` for a URL that is not http(s), an
    unknown or missing event kind, or a secret too short or too long.
    """
    if not permissions.can_manage_webhooks(actor):
        raise PermissionDenied("only coordinators and readers subscribe webhooks")
    errors: dict[str, str] = {}
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors["url"] = "use an http:// or https:// URL"
    elif len(url) > URL_MAX_LENGTH:
        errors["url"] = f"use at most {URL_MAX_LENGTH} characters"
    unknown = sorted(set(events) - set(EventKind.values))
    if unknown:
        errors["events"] = f"unknown event kinds {unknown}: use some of {list(EventKind.values)}"
    elif not events:
        errors["events"] = "name at least one event kind"
    if not SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH:
        errors["secret"] = f"use from {SECRET_MIN_LENGTH} to {SECRET_MAX_LENGTH} characters"
    if errors:
        raise InvalidInput(errors)
    kinds = [kind for kind in EventKind.values if kind in set(events)]
    return Webhook.objects.create(owner=actor, url=url, events=kinds, secret=secret)


def webhook_delete(*, actor: User, webhook: Webhook) -> None:
    """Unsubscribe (the owner only); its deliveries and their log go with it."""
    if webhook.owner_id != actor.pk or not permissions.can_manage_webhooks(actor):
        raise PermissionDenied("only the owner removes a webhook")
    webhook.delete()


# Delivering ------------------------------------------------------------------------


def delivery_body(event: Event) -> bytes:
    """The exact bytes sent (and signed) for an event, the same on every attempt."""
    document = {
        "id": str(event.pk),
        "kind": event.kind,
        "created_at": event.created_at.isoformat(),
        "payload": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def delivery_signature(secret: str, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 of the body with the webhook's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff after the given failed attempt (1, 2, ...), capped."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


@dataclass(frozen=True)
class AttemptOutcome:
    state: str  # the delivery's state after the attempt
    retry_in: timedelta | None  # when to try again, if it will be


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's answer, not an invitation to post elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, int]:
    """POST the body; (status code or None, error, duration in ms). Never raises."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = time.monotonic()
    status: int | None = None
    error = ""
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
            response.read(4096)  # a little, so the receiver is not cut off mid-answer
    except urllib.error.HTTPError as answer:
        status, error = answer.code, f"HTTP {answer.code}"
    except (TimeoutError, urllib.error.URLError, OSError) as failure:
        reason = getattr(failure, "reason", failure)
        error = f"{type(reason).__name__}: {reason}"[:500]
    except Exception as failure:  # a malformed answer must not kill the worker
        error = f"{type(failure).__name__}: {failure}"[:500]
    return status, error, round((time.monotonic() - started) * 1000)


def delivery_attempt(*, delivery_id: int) -> AttemptOutcome | None:
    """Try to send one delivery once, if it is due; log the attempt; plan the next.

    Returns ``None`` when there was nothing to do: unknown, not due, already
    delivered or failed, or held by another worker. The HTTP request runs
    outside any transaction, under a lease on the row.
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS) + LEASE_MARGIN
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("webhook__owner", "event__measure")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        due = delivery.state == Delivery.State.PENDING and delivery.next_attempt_at <= now
        abandoned = (
            delivery.state == Delivery.State.SENDING
            and delivery.lease_until is not None
            and delivery.lease_until < now
        )
        if not (due or abandoned):
            return None
        if abandoned:
            # The last holder died mid-attempt: log that attempt as lost.
            DeliveryAttempt.objects.create(
                delivery=delivery, number=delivery.attempts, at=now, error=LOST_ATTEMPT
            )
            if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                _finish(delivery, Delivery.State.FAILED, now)
                return AttemptOutcome(Delivery.State.FAILED, None)
        webhook, event = delivery.webhook, delivery.event
        if not permissions.can_receive_event(webhook.owner, event.measure):
            DeliveryAttempt.objects.create(
                delivery=delivery, number=delivery.attempts + 1, at=now, error=NOT_VISIBLE
            )
            Delivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
            _finish(delivery, Delivery.State.FAILED, now)
            return AttemptOutcome(Delivery.State.FAILED, None)
        # The guard on state and count also covers SQLite, where FOR UPDATE is a no-op.
        if not Delivery.objects.filter(
            pk=delivery.pk, state=delivery.state, attempts=delivery.attempts
        ).update(state=Delivery.State.SENDING, attempts=F("attempts") + 1, lease_until=now + lease):
            return None
    number = delivery.attempts + 1
    body = delivery_body(event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "consensus-webhooks/1",
        SIGNATURE_HEADER: delivery_signature(webhook.secret, body),
        EVENT_ID_HEADER: str(event.pk),
        EVENT_KIND_HEADER: event.kind,
        ATTEMPT_HEADER: str(number),
    }
    sent_at = timezone.now()
    status, error, duration = _post(webhook.url, body, headers)
    delivered = status is not None and 200 <= status < 300
    logger.info(
        "webhook %s delivery %s attempt %s: %s %s in %d ms",
        webhook.pk,
        delivery.pk,
        number,
        status,
        error,
        duration,
    )
    with transaction.atomic():
        current = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if current is None or current.state != Delivery.State.SENDING or current.attempts != number:
            return None  # taken over after our lease ran out: the new holder logged ours
        DeliveryAttempt.objects.create(
            delivery=current,
            number=number,
            at=sent_at,
            status_code=status,
            error=error,
            duration_ms=duration,
        )
        if delivered:
            _finish(current, Delivery.State.DELIVERED, timezone.now())
            return AttemptOutcome(Delivery.State.DELIVERED, None)
        if number >= settings.WEBHOOK_MAX_ATTEMPTS:
            _finish(current, Delivery.State.FAILED, timezone.now())
            return AttemptOutcome(Delivery.State.FAILED, None)
        delay = retry_delay(number)
        Delivery.objects.filter(pk=current.pk).update(
            state=Delivery.State.PENDING, next_attempt_at=timezone.now() + delay, lease_until=None
        )
        return AttemptOutcome(Delivery.State.PENDING, delay)


def _finish(delivery: Delivery, state: str, now: datetime) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        state=state,
        lease_until=None,
        delivered_at=now if state == Delivery.State.DELIVERED else None,
    )
