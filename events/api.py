"""The webhook API: subscribe, list, show, remove, and read the delivery log. Thin."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.models import User, request_user
from events import selectors, services
from events.models import Delivery, Webhook
from events.serializers import DeliveryOutput, WebhookInput, WebhookOutput
from positions.api import BAD_INPUT, FORBIDDEN

NOT_FOUND = OpenApiResponse(description="Unknown, or another user's webhook.")
DELEGATES_REFUSED = "Only coordinators and readers subscribe webhooks."


def _subscriber(request: Request) -> User:
    user = request_user(request)
    if not permissions.can_manage_webhooks(user):
        raise PermissionDenied(DELEGATES_REFUSED)
    return user


def _webhook_or_404(request: Request, webhook_id: int) -> Webhook:
    webhook = selectors.webhooks_of(user=_subscriber(request)).filter(pk=webhook_id).first()
    if webhook is None:
        raise Http404
    return webhook


class WebhookListCreate(generics.ListAPIView[Webhook]):
    """The caller's webhooks; POST subscribes a new one (the secret is never shown again)."""

    queryset = Webhook.objects.none()  # for the schema; get_queryset keeps the caller's own
    serializer_class = WebhookOutput

    def get_queryset(self) -> QuerySet[Webhook]:
        return selectors.webhooks_of(user=_subscriber(self.request))

    @extend_schema(
        request=WebhookInput,
        responses={201: WebhookOutput, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        user = _subscriber(request)
        form = WebhookInput(data=request.data)
        form.is_valid(raise_exception=True)
        webhook = services.webhook_create(actor=user, **form.validated_data)
        return Response(WebhookOutput(webhook).data, status=status.HTTP_201_CREATED)


class WebhookDetail(APIView):
    """One of the caller's webhooks; DELETE unsubscribes it."""

    @extend_schema(responses={200: WebhookOutput, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, webhook_id: int) -> Response:
        return Response(WebhookOutput(_webhook_or_404(request, webhook_id)).data)

    @extend_schema(responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND})
    def delete(self, request: Request, webhook_id: int) -> Response:
        webhook = _webhook_or_404(request, webhook_id)
        services.webhook_delete(actor=request_user(request), webhook=webhook)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveries(generics.ListAPIView[Delivery]):
    """A webhook's delivery log, newest first: each event's state and every attempt."""

    queryset = Delivery.objects.none()  # for the schema
    serializer_class = DeliveryOutput

    def get_queryset(self) -> QuerySet[Delivery]:
        webhook = _webhook_or_404(self.request, self.kwargs["webhook_id"])
        return selectors.webhook_deliveries(webhook=webhook)
