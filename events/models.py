"""The outbox of events that leave the process, webhook subscriptions and their deliveries."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EventKind(models.TextChoices):
    POSITION_CHANGED = "position.changed", "Position changed"
    MEASURE_STATUS_CHANGED = "measure.status_changed", "Measure status changed"
    SILENCE_STARTED = "silence.started", "Silence started"
    SILENCE_BROKEN = "silence.broken", "Silence broken"
    SILENCE_CLOSED = "silence.closed", "Silence closed"
    AMENDMENT_DECIDED = "amendment.decided", "Amendment decided"


class Event(models.Model):
    """One change that leaves the process, written in the transaction that made it.

    ``dispatched_at`` is set once the event has been fanned out into one
    delivery per matching webhook; until then the periodic sweep picks it up.
    """

    # Consumers drop a duplicate by this id: it travels in the body and a header.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    # None for events about no measure (an amendment to a declaration).
    measure = models.ForeignKey(
        "positions.Measure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(dispatched_at__isnull=True),
                name="event_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class Webhook(models.Model):
    """A subscription: POST the events of these kinds, signed with the secret, to the URL."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    events = models.JSONField()  # a list of EventKind values
    # Kept as given: signing needs it. Never shown again after the subscription.
    secret = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"webhook {self.pk} to {self.url}"


class Delivery(models.Model):
    """One event to one webhook: at most one row per pair, whatever runs twice."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # While ``sending``: a worker holds the delivery until then; past it, the
    # worker is presumed dead and another may take the delivery over.
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="delivery_once_per_webhook")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.state})"


class DeliveryAttempt(models.Model):
    """One try at a delivery: what the receiver answered, or the error, and how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_once")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"
