"""API views for assets: parse, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.models import request_user
from assets import selectors, services
from assets.models import Asset
from assets.serializers import (
    AssetCreateInput,
    AssetImportInput,
    AssetOutput,
    AssetUpdateInput,
    ImportReportOutput,
    MeasureAssetsInput,
)
from positions.api import BAD_INPUT, FORBIDDEN, NOT_FOUND, measure_or_404


class AssetFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    host = filters.CharFilter(method="filter_code", help_text="The host state's alpha-3 code.")
    owner_country = filters.CharFilter(
        method="filter_code", help_text="The owner's country, alpha-3."
    )
    kind = filters.ChoiceFilter(choices=Asset.Kind.choices)

    class Meta:
        model = Asset
        fields = ["host", "kind", "owner_country"]

    def filter_code(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        code = value.strip().upper()
        if not (code.isascii() and code.isalpha() and len(code) == 3):
            raise ValidationError({name: ["Use an alpha-3 code, e.g. DEU."]})
        lookup = "host_id" if name == "host" else name
        return queryset.filter(**{lookup: code})


def asset_or_404(request: Request, asset_id: int) -> Asset:
    asset = selectors.asset_get(user=request_user(request), asset_id=asset_id)
    if asset is None:
        raise Http404
    return asset


def _refuse_unless_coordinator(request: Request, message: str) -> None:
    if not permissions.can_manage_assets(request_user(request)):
        raise PermissionDenied(message)


class AssetListCreate(generics.ListAPIView[Asset]):
    """The asset registry, by name; coordinators record new assets."""

    queryset = Asset.objects.none()  # for the schema; get_queryset adds the visible measures
    serializer_class = AssetOutput
    filterset_class = AssetFilter

    def get_queryset(self) -> QuerySet[Asset]:
        return selectors.assets_visible(user=request_user(self.request))

    @extend_schema(
        request=AssetCreateInput,
        responses={201: AssetOutput, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        _refuse_unless_coordinator(request, "Only coordinators keep the asset registry.")
        form = AssetCreateInput(data=request.data)
        form.is_valid(raise_exception=True)
        asset = services.asset_create(actor=request_user(request), **form.validated_data)
        return Response(
            AssetOutput(asset_or_404(request, asset.pk)).data, status=status.HTTP_201_CREATED
        )


class AssetDetail(APIView):
    """One asset; coordinators edit it with PATCH (only the fields sent change)."""

    @extend_schema(responses={200: AssetOutput, 404: NOT_FOUND})
    def get(self, request: Request, asset_id: int) -> Response:
        return Response(AssetOutput(asset_or_404(request, asset_id)).data)

    @extend_schema(
        request=AssetUpdateInput,
        responses={200: AssetOutput, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, asset_id: int) -> Response:
        asset = asset_or_404(request, asset_id)
        _refuse_unless_coordinator(request, "Only coordinators keep the asset registry.")
        form = AssetUpdateInput(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        services.asset_update(actor=request_user(request), asset=asset, **form.validated_data)
        return Response(AssetOutput(asset_or_404(request, asset_id)).data)


class MeasureAssets(APIView):
    """The assets a measure covers; coordinators replace the list with PUT."""

    @extend_schema(responses={200: AssetOutput(many=True), 404: NOT_FOUND})
    def get(self, request: Request, measure_id: int) -> Response:
        measure = measure_or_404(request, measure_id)
        found = selectors.assets_visible(user=request_user(request)).filter(measures=measure)
        return Response(AssetOutput(found, many=True).data)

    @extend_schema(
        request=MeasureAssetsInput,
        responses={
            200: AssetOutput(many=True),
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def put(self, request: Request, measure_id: int) -> Response:
        measure = measure_or_404(request, measure_id)
        _refuse_unless_coordinator(request, "Only coordinators say which assets a measure covers.")
        form = MeasureAssetsInput(data=request.data)
        form.is_valid(raise_exception=True)
        ids: list[int] = form.validated_data["assets"]
        found = {asset.pk: asset for asset in Asset.objects.filter(pk__in=ids)}
        unknown = sorted(set(ids) - set(found))
        if unknown:
            raise ValidationError({"assets": [f"Unknown assets: {unknown}."]})
        services.measure_assets_set(
            actor=request_user(request), measure=measure, assets=found.values()
        )
        assets = selectors.assets_visible(user=request_user(request)).filter(measures=measure)
        return Response(AssetOutput(assets, many=True).data)


class AssetImport(APIView):
    """Coordinators import assets from a CSV file: every row, or none and a report of why."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AssetImportInput},
        responses={
            201: ImportReportOutput,
            400: OpenApiResponse(
                ImportReportOutput,
                description="Nothing was imported: each refused row, with its reasons.",
            ),
            403: FORBIDDEN,
        },
    )
    def post(self, request: Request) -> Response:
        _refuse_unless_coordinator(request, "Only coordinators import assets.")
        form = AssetImportInput(data=request.data)
        if not form.is_valid():
            # Every refusal has the report's shape: the upload itself is row 1.
            return _refused_upload({k: [str(m) for m in v] for k, v in form.errors.items()})
        raw: Any = form.validated_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _refused_upload({"file": ["not UTF-8 text"]})
        report = services.assets_import(actor=request_user(request), text=text)
        code = status.HTTP_201_CREATED if report.ok else status.HTTP_400_BAD_REQUEST
        return Response(report.as_dict(), status=code)


def _refused_upload(errors: dict[str, list[str]]) -> Response:
    report = services.ImportReport(refused=[(1, errors)])
    return Response(report.as_dict(), status=status.HTTP_400_BAD_REQUEST)
