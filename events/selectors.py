"""Reads of webhooks and their delivery log, with a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from events.models import Delivery, DeliveryAttempt, Webhook


def webhooks_of(*, user: User) -> QuerySet[Webhook]:
    """The user's own subscriptions, oldest first."""
    return Webhook.objects.filter(owner=user).order_by("id")


def webhook_deliveries(*, webhook: Webhook) -> QuerySet[Delivery]:
    """A webhook's deliveries, newest first, each with its event and its attempts
    (one query for the page and one for the attempts, whatever the page size)."""
    return (
        Delivery.objects.filter(webhook=webhook)
        .select_related("event")
        .prefetch_related(
            Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number"))
        )
        .order_by("-created_at", "-id")
    )
