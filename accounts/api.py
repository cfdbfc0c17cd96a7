"""API views for tokens: obtain one with a password, revoke the one in use."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.models import ApiToken, User
from positions.serializers import StrictInputSerializer


class TokenInput(StrictInputSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    read_only = serializers.BooleanField(required=False, default=False)


class TokenThrottle(AnonRateThrottle):
    scope = "token"
    rate = "30/min"


class TokenView(APIView):
    """POST: a new token for a username and password. DELETE: revoke the token in use."""

    def get_permissions(self) -> list:  # type: ignore[type-arg]  # DRF's own annotation
        if self.request.method == "POST":
            return [AllowAny()]
        return super().get_permissions()

    def get_throttles(self) -> list:  # type: ignore[type-arg]  # DRF's own annotation
        return [TokenThrottle()] if self.request.method == "POST" else []

    def get_authenticators(self) -> list:  # type: ignore[type-arg]  # DRF's own annotation
        # Obtaining a token takes a password only; a stale session or token must not interfere.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(
        request=TokenInput,
        responses={201: inline_serializer("TokenOutput", {"token": serializers.CharField(), "read_only": serializers.BooleanField()})},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        form = TokenInput(data=request.data)
        form.is_valid(raise_exception=True)
        # django-axes counts failures per username and address; it needs the request.
        user = authenticate(
            request._request,
            username=form.validated_data["username"],
            password=form.validated_data["password"],
        )
        if not isinstance(user, User):
            raise AuthenticationFailed("Unknown username or wrong password.")
        _, raw = services.token_issue(user=user, read_only=form.validated_data["read_only"])
        return Response({"token": raw, "read_only": form.validated_data["read_only"]}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise NotAuthenticated("Send the token to revoke as 'Authorization: Bearer <token>'.")
        services.token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
