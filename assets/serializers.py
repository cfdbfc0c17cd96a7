"""API input and output shapes for assets and their coverage."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from assets.models import Asset
from assets.services import ASSET_FIELDS
from positions.serializers import TEXT_LIMIT, StateCodeField, StrictInputSerializer


class AssetOutput(serializers.ModelSerializer[Asset]):
    host = serializers.CharField(source="host_id")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    share = serializers.FloatField(allow_null=True)
    measures = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = ["id", *ASSET_FIELDS, "measures", "created_at", "updated_at"]

    def get_measures(self, asset: Asset) -> list[int]:
        """The measures covering the asset that the caller may see (prefetched by the view)."""
        return sorted(measure.pk for measure in getattr(asset, "visible_measures", []))


class AssetCreateInput(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Asset.Kind.choices)
    host = StateCodeField()
    host_source = serializers.CharField(max_length=TEXT_LIMIT)
    latitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=8,
        decimal_places=5,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
    )
    location_source = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    owner = serializers.CharField(max_length=200)
    owner_country = serializers.RegexField(
        r"^[A-Z]{3}\Z", help_text="ISO 3166-1 alpha-3, e.g. CHN.", max_length=3
    )
    owner_source = serializers.CharField(max_length=TEXT_LIMIT)
    share = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )
    share_source = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    criticality = serializers.IntegerField(min_value=1, max_value=5)
    criticality_source = serializers.CharField(max_length=TEXT_LIMIT)


class AssetUpdateInput(AssetCreateInput):
    """Only the fields sent change."""


class MeasureAssetsInput(StrictInputSerializer):
    assets = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=1000,
        allow_empty=True,
    )


class AssetImportInput(StrictInputSerializer):
    file = serializers.FileField(help_text="CSV, UTF-8, the first row naming the columns.")


class RefusedRowOutput(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text="The row's number, the header being row 1.")
    # Declared fields leave the class at run time, so this does not shadow Serializer.errors.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


class ImportReportOutput(serializers.Serializer[Any]):
    rows = serializers.IntegerField()
    imported = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())
    refused = RefusedRowOutput(many=True)


# Coverage, in the support and matrix answers ---------------------------------------


class WouldCoverOutput(serializers.Serializer[Any]):
    states = serializers.ListField(child=serializers.CharField())
    criticality = serializers.IntegerField()


class CoverageOutput(serializers.Serializer[Any]):
    assets = serializers.IntegerField()
    covered = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="covered / assets; null: no assets")
    weighted_share = serializers.FloatField(
        allow_null=True, help_text="covered criticality / all criticality; null: no assets"
    )
    uncovered = serializers.ListField(child=serializers.IntegerField())
    would_cover = WouldCoverOutput()


class CoverageByRouteOutput(serializers.Serializer[Any]):
    alliance = CoverageOutput()
    bilateral = CoverageOutput()
    eu = CoverageOutput()
