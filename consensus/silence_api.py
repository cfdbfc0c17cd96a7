"""The silence procedure's API: start and show it, break it. Thin: parse, call, render."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.models import request_user
from consensus import silence
from consensus.instants import InstantError, instant_parse
from consensus.models import SilenceProcedure
from positions.api import BAD_INPUT, FORBIDDEN, NOT_FOUND, measure_or_404
from positions.serializers import TEXT_LIMIT, StrictInputSerializer

CONFLICT = OpenApiResponse(description="The procedure's state forbids it; nothing was written.")

# The procedure's status as the API names it: "silence" while it runs.
STATUS_NAMES = {
    SilenceProcedure.State.RUNNING: "silence",
    SilenceProcedure.State.BROKEN: "broken",
    SilenceProcedure.State.CLOSED: "closed",
}


@extend_schema_field(OpenApiTypes.DATETIME)
class AwareDateTimeField(serializers.Field[datetime, str, str, Any]):
    """An ISO 8601 instant that must carry a time zone."""

    def to_internal_value(self, data: Any) -> datetime:
        if isinstance(data, str):
            try:
                return instant_parse(data)
            except InstantError as error:
                if error.missing_zone:
                    raise serializers.ValidationError(
                        "Give a time zone, e.g. 2024-07-10T12:00:00Z or +02:00."
                    ) from None
        raise serializers.ValidationError(
            "Use an ISO 8601 instant with a time zone, e.g. 2024-07-10T12:00:00Z."
        )

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


class SilenceStartInput(StrictInputSerializer):
    deadline = AwareDateTimeField()


class SilenceBreakInput(StrictInputSerializer):
    reason = serializers.CharField(max_length=TEXT_LIMIT)


class SilenceOutput(serializers.ModelSerializer[SilenceProcedure]):
    status = serializers.SerializerMethodField()
    started_by = serializers.CharField(source="started_by.username")
    broken_by = serializers.CharField(source="broken_by_state_id", allow_null=True)
    broken_by_user = serializers.CharField(source="broken_by.username", allow_null=True)
    measure_status = serializers.SerializerMethodField()

    class Meta:
        model = SilenceProcedure
        fields = [
            "id",
            "measure",
            "status",
            "state",
            "deadline",
            "started_at",
            "started_by",
            "broken_at",
            "broken_by",
            "broken_by_user",
            "reason",
            "closed_at",
            "adopted",
            "measure_status",
        ]

    def get_status(self, procedure: SilenceProcedure) -> str:
        return STATUS_NAMES[SilenceProcedure.State(procedure.state)]

    def get_measure_status(self, procedure: SilenceProcedure) -> str:
        return silence.measure_status_effective(measure=procedure.measure)


class Silence(APIView):
    """A measure's silence procedure: show the latest one, or start one (coordinators)."""

    @extend_schema(responses={200: SilenceOutput, 404: NOT_FOUND})
    def get(self, request: Request, measure_id: int) -> Response:
        measure = measure_or_404(request, measure_id)
        procedure = silence.silence_current(measure=measure)
        if procedure is None:
            return Response(
                {"detail": "No silence procedure on this measure."},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(SilenceOutput(procedure).data)

    @extend_schema(
        request=SilenceStartInput,
        responses={
            201: SilenceOutput,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, measure_id: int) -> Response:
        measure = measure_or_404(request, measure_id)
        user = request_user(request)
        if not permissions.can_start_silence(user):
            raise PermissionDenied("Only coordinators start a silence procedure.")
        form = SilenceStartInput(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            procedure = silence.silence_start(
                actor=user, measure=measure, deadline=form.validated_data["deadline"]
            )
        except silence.SilenceConflict as conflict:
            return Response({"detail": str(conflict)}, status=status.HTTP_409_CONFLICT)
        return Response(SilenceOutput(procedure).data, status=status.HTTP_201_CREATED)


class SilenceBreak(APIView):
    """An ally's delegate breaks the running silence, with a reason."""

    @extend_schema(
        request=SilenceBreakInput,
        responses={
            200: SilenceOutput,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, measure_id: int) -> Response:
        measure = measure_or_404(request, measure_id)
        user = request_user(request)
        if not permissions.can_break_silence(user, measure):
            raise PermissionDenied("Only a delegate of an ally breaks silence.")
        form = SilenceBreakInput(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            procedure = silence.silence_break(
                actor=user, measure=measure, reason=form.validated_data["reason"]
            )
        except silence.SilenceConflict as conflict:
            return Response({"detail": str(conflict)}, status=status.HTTP_409_CONFLICT)
        return Response(SilenceOutput(procedure).data)
