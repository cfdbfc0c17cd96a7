"""API views for states, measures, positions and history: parse, call one function, render."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404
from django_filters import rest_framework as filters
from django_filters.widgets import BooleanWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.models import request_user
from positions import selectors, services
from positions.models import Measure, PositionChange, State
from positions.serializers import (
    ChangeOutput,
    MeasureCreateInput,
    MeasureOutput,
    MeasureUpdateInput,
    PositionInput,
    PositionOutput,
    StateOutput,
)

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The version the change is based on, as the ETag `"<version>"`. Stale: 412.',
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 412],
    description='The position\'s version, as `"<version>"`: send it back as If-Match.',
)
BAD_INPUT = OpenApiResponse(description="Bad input: field errors, naming each bad field.")
FORBIDDEN = OpenApiResponse(description="You may not change this; nothing was written.")
NOT_FOUND = OpenApiResponse(description="Unknown, or a restricted measure you may not see.")
_ETAG = re.compile(r'^"(\d{1,9})"$', re.ASCII)


def _expected_version(request: Request) -> int | None:
    """The version named by ``If-Match``: ``None`` if absent or ``*``; 400 if malformed."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    tags = [tag.strip() for tag in header.split(",")]
    matches = [_ETAG.match(tag) for tag in tags]
    if not all(matches):
        raise ValidationError({"If-Match": ['Expected a version as an ETag, such as "3".']})
    versions = {int(m.group(1)) for m in matches if m}
    if len(versions) != 1:
        raise ValidationError({"If-Match": ["Name exactly one version."]})
    return versions.pop()


def _etag(version: int) -> str:
    return f'"{version}"'


class _StrictBooleanWidget(BooleanWidget):  # type: ignore[misc]  # django-filter is untyped
    """Passes an unrecognised value on, so the field refuses it instead of ignoring the filter."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        return data.get(name) if value is None else value


class _StrictBooleanField(forms.NullBooleanField):
    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]  # null: no filter
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        raise forms.ValidationError("Use true or false.")


class StrictBooleanFilter(filters.BooleanFilter):  # type: ignore[misc]  # django-filter is untyped
    """``true``/``false`` (or ``1``/``0``); anything else is a 400, not a dropped filter."""

    field_class = _StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _StrictBooleanWidget)
        super().__init__(*args, **kwargs)


class StateFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    nato_member = StrictBooleanFilter()
    eu_member = StrictBooleanFilter()

    class Meta:
        model = State
        fields = ["nato_member", "eu_member"]


class StateList(generics.ListAPIView[State]):
    """The 32 allies and the four EU states outside NATO."""

    queryset = State.objects.order_by("code")
    serializer_class = StateOutput
    filterset_class = StateFilter


class MeasureFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    class Meta:
        model = Measure
        fields = ["status", "category", "kind"]


def measure_or_404(request: Request, measure_id: int) -> Measure:
    measure = selectors.measure_visible_get(user=request_user(request), measure_id=measure_id)
    if measure is None:
        raise Http404
    return measure


def _measure_changes(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """Resolve the parent measure among those the caller may see."""
    if data.get("parent") is not None:
        parent = selectors.measure_visible_get(
            user=request_user(request), measure_id=data["parent"]
        )
        if parent is None:
            raise ValidationError({"parent": ["Unknown measure."]})
        data["parent"] = parent
    return data


class MeasureListCreate(generics.ListAPIView[Measure]):
    """Measures the caller may see; coordinators table new ones."""

    queryset = Measure.objects.none()  # for the schema; get_queryset filters by visibility
    serializer_class = MeasureOutput
    filterset_class = MeasureFilter

    def get_queryset(self) -> QuerySet[Measure]:
        return selectors.measures_visible(user=request_user(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from consensus.silence import silence_close_due  # it imports positions

        # What is due closes first (one query when nothing is): the status filter
        # and every row see the statuses as they are, with no query per measure.
        silence_close_due()
        return super().list(request, *args, **kwargs)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "silence_caught_up": True}

    @extend_schema(
        request=MeasureCreateInput,
        responses={201: MeasureOutput, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        if not permissions.can_manage_measures(request_user(request)):
            raise PermissionDenied("Only coordinators table measures.")
        form = MeasureCreateInput(data=request.data)
        form.is_valid(raise_exception=True)
        measure = services.measure_create(
            actor=request_user(request), **_measure_changes(request, dict(form.validated_data))
        )
        return Response(MeasureOutput(measure).data, status=status.HTTP_201_CREATED)


class MeasureDetail(APIView):
    """One measure; coordinators edit it with PATCH (only the fields sent change)."""

    @extend_schema(responses={200: MeasureOutput, 404: NOT_FOUND})
    def get(self, request: Request, measure_id: int) -> Response:
        return Response(MeasureOutput(measure_or_404(request, measure_id)).data)

    @extend_schema(
        request=MeasureUpdateInput,
        responses={200: MeasureOutput, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, measure_id: int) -> Response:
        measure = measure_or_404(request, measure_id)
        if not permissions.can_manage_measures(request_user(request)):
            raise PermissionDenied("Only coordinators edit measures.")
        form = MeasureUpdateInput(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        measure = services.measure_update(
            actor=request_user(request),
            measure=measure,
            **_measure_changes(request, dict(form.validated_data)),
        )
        return Response(MeasureOutput(measure).data)


class PositionList(APIView):
    """One position per state that can take a stance on the measure."""

    @extend_schema(responses={200: PositionOutput(many=True), 404: NOT_FOUND})
    def get(self, request: Request, measure_id: int) -> Response:
        measure = measure_or_404(request, measure_id)
        positions = selectors.positions_for_measure(measure=measure)
        return Response(PositionOutput(positions, many=True).data)


class PositionDetail(APIView):
    """A state's position on a measure; PUT changes it (routes not sent keep their stance)."""

    def _state_or_404(self, measure: Measure, code: str) -> State:
        if not (code.isascii() and code.isalpha()):
            raise Http404  # a code is three letters; PostgreSQL refuses a NUL in a query
        state = selectors.states_for_measure(measure=measure).filter(code=code.upper()).first()
        if state is None:
            raise Http404
        return state

    def _answer(self, position: Any, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            PositionOutput(position).data, status=code, headers={"ETag": _etag(position.version)}
        )

    @extend_schema(responses={200: PositionOutput, 404: NOT_FOUND}, parameters=[ETAG])
    def get(self, request: Request, measure_id: int, code: str) -> Response:
        measure = measure_or_404(request, measure_id)
        state = self._state_or_404(measure, code)
        return self._answer(selectors.position_get(measure=measure, state=state))

    @extend_schema(
        request=PositionInput,
        parameters=[IF_MATCH, ETAG],
        responses={
            200: PositionOutput,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
            412: OpenApiResponse(
                PositionOutput,
                description="Stale If-Match: nothing was written; the current position.",
            ),
        },
    )
    def put(self, request: Request, measure_id: int, code: str) -> Response:
        measure = measure_or_404(request, measure_id)
        state = self._state_or_404(measure, code)
        if not permissions.can_record_position(request_user(request), state):
            raise PermissionDenied(f"You may not change the positions of {state.code}.")
        expected = _expected_version(request)
        form = PositionInput(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            recorded = services.position_record(
                actor=request_user(request),
                measure=measure,
                state=state,
                expected_version=expected,
                source=PositionChange.Source.API,
                **form.validated_data,
            )
        except services.StaleVersion as stale:
            return self._answer(stale.current, status.HTTP_412_PRECONDITION_FAILED)
        return self._answer(recorded.position)


class MeasureHistory(generics.ListAPIView[PositionChange]):
    """The measure's position changes, newest first."""

    queryset = PositionChange.objects.none()  # for the schema; get_queryset picks the measure
    serializer_class = ChangeOutput

    @extend_schema(responses={200: ChangeOutput(many=True), 404: NOT_FOUND})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[PositionChange]:
        measure = measure_or_404(self.request, self.kwargs["measure_id"])
        return selectors.measure_history(measure=measure)
