"""The consensus API (support, matrix, change feed, transfer motions) and its error answers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.models import request_user
from assets.serializers import CoverageByRouteOutput, CoverageOutput
from consensus import selectors
from consensus.errors import InvalidInput
from consensus.instants import InstantError, instant_parse
from consensus.rules import Route
from positions import services
from positions.api import measure_or_404
from positions.models import ROUTE_CHOICES, Measure
from positions.serializers import TEXT_LIMIT, ChangeOutput, MeasureOutput, StrictInputSerializer


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: bad input from a service is a 400 with field errors."""
    if isinstance(exc, DjangoValidationError):
        exc = InvalidInput.from_validation_error(exc)
    if isinstance(exc, InvalidInput):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


# Support, the matrix, the change feed and transfer motions -------------------


def _as_of(request: Request) -> datetime | None:
    """``?as_of=``: an ISO 8601 instant with a time zone, or none for now; 400 otherwise."""
    raw = request.query_params.get("as_of")
    if raw is None or raw == "":
        return None
    try:
        return instant_parse(raw)
    except InstantError as error:
        if error.missing_zone:
            raise ValidationError(
                {"as_of": ["Give a time zone, e.g. 2024-07-10T12:00:00Z or +02:00."]}
            ) from None
        raise ValidationError(
            {"as_of": ["Use an ISO 8601 instant with a time zone, e.g. 2024-07-10T12:00:00Z."]}
        ) from None


def _choice(request: Request, name: str, choices: Sequence[str], default: str | None) -> str | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise ValidationError({name: [f"Unknown {name} {raw!r}: use one of {list(choices)}."]})
    return raw


def _number(request: Request, name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    # ASCII digits only, and few of them (int() refuses more than 4300 digits).
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 20) or not (
        minimum <= int(raw) <= maximum
    ):
        raise ValidationError({name: [f"Use a whole number from {minimum} to {maximum}."]})
    return int(raw)


AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATETIME,
    description="An ISO 8601 instant with a time zone; the answer is as the stances stood then.",
)


class RouteSupportOutput(serializers.Serializer[Any]):
    """One route's result; the fields each route adds are listed in docs/api.md."""

    status = serializers.CharField()
    support_level = serializers.FloatField()
    counts = serializers.DictField(child=serializers.IntegerField())
    needed = serializers.ListField(child=serializers.CharField())
    could_block = serializers.ListField(child=serializers.CharField())
    coverage = CoverageOutput()


class SupportRoutesOutput(serializers.Serializer[Any]):
    alliance = RouteSupportOutput()
    bilateral = RouteSupportOutput()
    eu = RouteSupportOutput()


class SupportOutput(serializers.Serializer[Any]):
    measure = serializers.IntegerField()
    as_of = serializers.DateTimeField(allow_null=True)
    routes = SupportRoutesOutput()
    recommended_route = serializers.CharField(allow_null=True)


class MeasureSupport(APIView):
    """Each route's status, support and asset coverage for a measure, now or at ``as_of``."""

    @extend_schema(
        parameters=[
            AS_OF,
            OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER),
        ],
        responses={200: SupportOutput, 304: None},
    )
    def get(self, request: Request, measure_id: int) -> Response:
        measure = measure_or_404(request, measure_id)
        as_of = _as_of(request)
        etag = selectors.support_etag(measure=measure, as_of=as_of)
        # A matching tag answers before any rule runs.
        if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        found = selectors.support_coverage_for(measure=measure, as_of=as_of)
        body = {"measure": measure.pk, "as_of": as_of, **found.as_dict()}
        return Response(body, headers={"ETag": etag})


def matrix_csv_write(
    out: TextIO, *, measure_ids: Sequence[int | str], rows: Iterable[tuple[str, Sequence[str]]]
) -> None:
    """Write a matrix as CSV: a header row (``state`` and the measure ids), then one row per
    state, its code first and its stance on each measure in the header's order.

    The API's CSV and the matrix page's download both write through this.
    """
    writer = csv.writer(out)
    writer.writerow(["state", *(str(i) for i in measure_ids)])
    for code, stances in rows:
        writer.writerow([code, *stances])


class MatrixCSVRenderer(BaseRenderer):
    """The matrix as CSV: a header row, then one row per state (its code first)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        if not isinstance(data, dict) or "cells" not in data:
            # An error answer: one column, one message per row.
            writer.writerow(["error"])
            for key, value in (data or {}).items():
                writer.writerow([f"{key}: {value}"])
            return out.getvalue().encode()
        ids = [str(column["id"]) for column in data["measures"]]
        matrix_csv_write(
            out,
            measure_ids=ids,
            rows=((code, [data["cells"][code][i] for i in ids]) for code in data["states"]),
        )
        return out.getvalue().encode()


class MatrixMeasureOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    route_status = serializers.CharField()
    support_level = serializers.FloatField()
    coverage = CoverageByRouteOutput(help_text="The measure's asset coverage on every route.")


class MatrixOutput(serializers.Serializer[Any]):
    route = serializers.CharField()
    as_of = serializers.DateTimeField(allow_null=True)
    states = serializers.ListField(child=serializers.CharField())
    measures = MatrixMeasureOutput(many=True)
    cells = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))


class SupportMatrix(APIView):
    """Where every state on a route stands on every measure the caller may see."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, MatrixCSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("route", OpenApiTypes.STR, enum=[r.value for r in Route]),
            AS_OF,
            OpenApiParameter("status", OpenApiTypes.STR, enum=Measure.Status.values),
            OpenApiParameter("category", OpenApiTypes.STR, enum=Measure.Category.values),
        ],
        responses={
            (200, "application/json"): MatrixOutput,
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    def get(self, request: Request) -> Response:
        route = _choice(request, "route", [r.value for r in Route], None) or Route.ALLIANCE
        found = selectors.matrix(
            user=request_user(request),
            route=Route(route),
            as_of=_as_of(request),
            status=_choice(request, "status", Measure.Status.values, None),
            category=_choice(request, "category", Measure.Category.values, None),
            with_coverage=True,
        )
        body = {
            "route": found.route.value,
            "as_of": found.as_of,
            "states": found.states,
            "measures": [
                {
                    "id": c.measure.pk,
                    "title": c.measure.title,
                    "status": c.measure.status,
                    "route_status": c.route_status,
                    "support_level": c.support_level,
                    "coverage": {
                        route.value: coverage.as_dict()
                        for route, coverage in (c.coverage or {}).items()
                    },
                }
                for c in found.columns
            ],
            "cells": {
                code: {str(mid): stance.value for mid, stance in row.items()}
                for code, row in found.cells.items()
            },
        }
        return Response(body)


class FeedChangeOutput(ChangeOutput):
    measure = serializers.IntegerField(source="measure_id")

    class Meta(ChangeOutput.Meta):
        fields = [
            "id",
            "at",
            "measure",
            "state",
            "version",
            "changes",
            "reservations",
            "note",
            "by",
            "source",
        ]


FEED_LIMIT = 1000


class ChangeFeed(APIView):
    """Every position change the caller may see, oldest first, after a change id."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                OpenApiTypes.INT,
                description="The last change id seen (0: from the start).",
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"At most this many (1 to {FEED_LIMIT}; 100).",
            ),
        ],
        responses=inline_serializer(
            "ChangeFeedOutput",
            {
                "results": FeedChangeOutput(many=True),
                "next": serializers.URLField(allow_null=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        after = _number(request, "after", 0, minimum=0, maximum=2**63 - 1)
        limit = _number(request, "limit", 100, minimum=1, maximum=FEED_LIMIT)
        changes = selectors.changes_after(user=request_user(request), after=after, limit=limit)
        next_url = None
        if len(changes) == limit:
            next_url = request.build_absolute_uri(
                f"{request.path}?{urlencode({'after': changes[-1].pk, 'limit': limit})}"
            )
        return Response({"results": FeedChangeOutput(changes, many=True).data, "next": next_url})


class TransferInput(StrictInputSerializer):
    target_route = serializers.ChoiceField(choices=ROUTE_CHOICES)
    rationale = serializers.CharField(max_length=TEXT_LIMIT)


class TransferMotionCreate(APIView):
    """A delegate tables a motion, sponsored by their state, to move the measure elsewhere."""

    @extend_schema(request=TransferInput, responses={201: MeasureOutput})
    def post(self, request: Request, measure_id: int) -> Response:
        parent = measure_or_404(request, measure_id)
        user = request_user(request)
        if not user.is_delegate:
            raise PermissionDenied("Only a state's delegate tables a transfer motion.")
        form = TransferInput(data=request.data)
        form.is_valid(raise_exception=True)
        motion = services.transfer_motion_table(actor=user, parent=parent, **form.validated_data)
        return Response(MeasureOutput(motion).data, status=status.HTTP_201_CREATED)
