"""The asset write paths: create, update, a measure's assets; each refusal writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from assets.models import Asset
from assets.services import asset_create, asset_update, measure_assets_set
from consensus.errors import InvalidInput
from positions.models import Measure, State
from tests.assets.conftest import facts


def nld() -> State:
    return State.objects.get(code="NLD")


def test_a_coordinator_records_an_asset_with_each_fact_and_its_source(coordinator):
    asset = asset_create(actor=coordinator, host=nld(), **facts())
    asset.refresh_from_db()
    assert asset.host_id == "NLD"
    assert asset.share == Decimal("35.00")
    assert asset.owner_source == "Annual report"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"share": Decimal("100.01")}, "share"),
        ({"share": Decimal("-1")}, "share"),
        ({"criticality": 0}, "criticality"),
        ({"criticality": 6}, "criticality"),
        ({"latitude": Decimal("90.5")}, "latitude"),
        ({"longitude": Decimal("-180.5")}, "longitude"),
        ({"latitude": None}, "latitude"),  # a longitude without a latitude
        ({"owner_country": "china"}, "owner_country"),
        ({"kind": "airport"}, "kind"),
        ({"host_source": " "}, "host_source"),
        ({"owner_source": ""}, "owner_source"),
        ({"criticality_source": ""}, "criticality_source"),
        ({"share_source": ""}, "share_source"),  # a share without its source
        ({"location_source": ""}, "location_source"),  # a location without its source
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_or_unsourced_fact_is_refused_and_nothing_written(coordinator, overrides, field):
    with pytest.raises(InvalidInput) as refusal:
        asset_create(actor=coordinator, host=nld(), **facts(**overrides))
    assert field in refusal.value.errors
    assert Asset.objects.count() == 0


def test_optional_facts_may_be_left_out_with_their_sources(coordinator):
    asset = asset_create(
        actor=coordinator,
        host=nld(),
        **facts(latitude=None, longitude=None, location_source="", share=None, share_source=""),
    )
    assert asset.latitude is None
    assert asset.share is None


def test_a_repeated_name_is_refused(coordinator, make_asset):
    make_asset(name="Tollerort")
    with pytest.raises(InvalidInput) as refusal:
        asset_create(actor=coordinator, host=nld(), **facts(name="Tollerort"))
    assert "name" in refusal.value.errors
    assert Asset.objects.count() == 1


def test_an_unknown_field_is_refused(coordinator):
    with pytest.raises(InvalidInput):
        asset_create(actor=coordinator, host=nld(), **facts(), colour="red")
    assert Asset.objects.count() == 0


def test_only_coordinators_write(reader, delegate_fra, make_asset, measure):
    asset = make_asset()
    for actor in (reader, delegate_fra):
        with pytest.raises(PermissionDenied):
            asset_create(actor=actor, host=nld(), **facts(name="Other"))
        with pytest.raises(PermissionDenied):
            asset_update(actor=actor, asset=asset, criticality=1)
        with pytest.raises(PermissionDenied):
            measure_assets_set(actor=actor, measure=measure, assets=[asset])
    asset.refresh_from_db()
    assert asset.criticality == 5
    assert Asset.objects.count() == 1
    assert not measure.assets.exists()


def test_an_update_changes_only_what_is_given_and_is_validated(coordinator, make_asset):
    asset = make_asset()
    asset_update(actor=coordinator, asset=asset, criticality=2)
    asset.refresh_from_db()
    assert (asset.criticality, asset.owner) == (2, "COSCO Shipping Ports")
    with pytest.raises(InvalidInput):
        asset_update(actor=coordinator, asset=asset, share=Decimal("120"))
    with pytest.raises(InvalidInput):
        asset_update(actor=coordinator, asset=asset, owner_source="")
    asset.refresh_from_db()
    assert asset.share == Decimal("35.00")
    assert asset.owner_source == "Annual report"


def test_setting_a_measures_assets_replaces_them_and_marks_the_measure_changed(
    coordinator, make_asset, measure
):
    a, b = make_asset(), make_asset()
    before = measure.updated_at
    measure_assets_set(actor=coordinator, measure=measure, assets=[a, b, a])
    assert set(measure.assets.all()) == {a, b}
    touched = Measure.objects.get(pk=measure.pk).updated_at
    assert touched > before

    measure_assets_set(actor=coordinator, measure=measure, assets=[b])
    assert list(measure.assets.all()) == [b]

    # The same list again changes nothing, so the measure is not touched.
    again = Measure.objects.get(pk=measure.pk).updated_at
    measure_assets_set(actor=coordinator, measure=measure, assets=[b])
    assert Measure.objects.get(pk=measure.pk).updated_at == again


def test_a_new_host_or_criticality_marks_the_covering_measures_changed(
    coordinator, make_asset, measure, cover_with
):
    asset = make_asset()
    cover_with(measure, asset)
    stamp = Measure.objects.get(pk=measure.pk).updated_at
    asset_update(actor=coordinator, asset=asset, owner="Someone else")
    assert Measure.objects.get(pk=measure.pk).updated_at == stamp
    asset_update(actor=coordinator, asset=asset, host=State.objects.get(code="DEU"))
    assert Measure.objects.get(pk=measure.pk).updated_at > stamp
