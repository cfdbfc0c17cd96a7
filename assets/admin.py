"""The admin: coordinators keep the asset registry; every save goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest

from accounts.models import User
from assets import services
from assets.models import Asset
from consensus.errors import InvalidInput


class AssetForm(ModelForm[Asset]):
    class Meta:
        model = Asset
        fields = [*services.ASSET_FIELDS, "measures"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The services' checks (each fact with its source), shown on the form's fields.
        probe = Asset(**{k: cleaned[k] for k in services.ASSET_FIELDS if k in cleaned})
        errors = services.sources_missing(probe)
        if errors:
            raise ValidationError(errors)
        return cleaned


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin[Asset]):
    form = AssetForm
    list_display = ["name", "kind", "host", "owner", "owner_country", "share", "criticality"]
    list_filter = ["kind", "host", "owner_country"]
    search_fields = ["name", "owner"]
    filter_horizontal = ["measures"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Asset, form: Any, change: bool) -> None:
        actor = request.user
        assert isinstance(actor, User)
        facts = {name: form.cleaned_data.get(name) for name in services.ASSET_FIELDS}
        facts = {k: ("" if v is None and k.endswith("source") else v) for k, v in facts.items()}
        try:
            if change:
                saved = services.asset_update(actor=actor, asset=obj, **facts)
            else:
                saved = services.asset_create(actor=actor, **facts)
        except InvalidInput as refusal:
            raise ValidationError(refusal.errors) from None
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        actor = request.user
        assert isinstance(actor, User)
        for measure in form.cleaned_data.get("measures", []):
            measures_before = set(measure.assets.values_list("pk", flat=True))
            if form.instance.pk not in measures_before:
                services.measure_assets_set(
                    actor=actor,
                    measure=measure,
                    assets=[*measure.assets.all(), form.instance],
                )
        for measure in form.instance.measures.exclude(
            pk__in=[m.pk for m in form.cleaned_data.get("measures", [])]
        ):
            services.measure_assets_set(
                actor=actor,
                measure=measure,
                assets=measure.assets.exclude(pk=form.instance.pk),
            )
