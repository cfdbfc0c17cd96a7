"""The webhook API's input and output: the secret goes in, never out."""

from __future__ import annotations

from rest_framework import serializers

from events.models import Delivery, DeliveryAttempt, EventKind, Webhook
from events.services import SECRET_MAX_LENGTH, URL_MAX_LENGTH
from positions.serializers import StrictInputSerializer


class WebhookInput(StrictInputSerializer):
    # Checked by the service (scheme, kinds, secret length), which names each bad field.
    url = serializers.CharField(max_length=URL_MAX_LENGTH)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventKind.choices), allow_empty=False, max_length=20
    )
    secret = serializers.CharField(max_length=SECRET_MAX_LENGTH, trim_whitespace=False)


class WebhookOutput(serializers.ModelSerializer[Webhook]):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventKind.choices))

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "created_at"]


class AttemptOutput(serializers.ModelSerializer[DeliveryAttempt]):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "at", "status_code", "error", "duration_ms"]


class DeliveryOutput(serializers.ModelSerializer[Delivery]):
    event = serializers.UUIDField(source="event_id")
    kind = serializers.CharField(source="event.kind")
    event_created_at = serializers.DateTimeField(source="event.created_at")
    attempt_log = AttemptOutput(many=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "kind",
            "event_created_at",
            "state",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "attempt_log",
        ]
