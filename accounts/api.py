"""API views for tokens: obtain one with a password, revoke the one in use."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, BaseThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.authentication import BearerTokenAuthentication
from accounts.models import ApiToken, User
from positions.serializers import StrictInputSerializer


class TokenInput(StrictInputSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    # Declared fields leave the class (the serializer's metaclass takes them), so this
    # does not shadow Field.read_only at run time; the stubs cannot know.
    read_only = serializers.BooleanField(required=False, default=False)  # type: ignore[assignment]


TokenOutput = inline_serializer(
    "TokenOutput",
    {"token": serializers.CharField(), "read_only": serializers.BooleanField()},
)


class TokenThrottle(AnonRateThrottle):
    scope = "token"
    rate = "30/min"


class TokenView(APIView):
    """POST: a new token for a username and password. DELETE: revoke the token in use."""

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Obtaining a token takes a password only; a stale session or token must not interfere.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self) -> Sequence[BasePermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        # Revoking the token in use only takes rights away, so a read-only token may do it.
        return [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        return [TokenThrottle()] if self.request.method == "POST" else []

    def get_authenticate_header(self, request: Request) -> str:
        # A wrong password is a 401 that names the scheme to use, even though
        # POST itself reads no credentials.
        return BearerTokenAuthentication.keyword

    @extend_schema(
        request=TokenInput,
        responses={
            201: TokenOutput,
            400: OpenApiResponse(description="Missing or unknown fields."),
            401: OpenApiResponse(description="Unknown username or wrong password."),
            429: OpenApiResponse(description="Too many attempts: try again later."),
        },
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
        return Response(
            {"token": raw, "read_only": form.validated_data["read_only"]},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise NotAuthenticated("Send the token to revoke as 'Authorization: Bearer <token>'.")
        services.token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
