"""The demo scenario's assets: sourced, marked illustrative where unsure, loaded once."""

from __future__ import annotations

from assets.demo import ASSETS
from assets.models import Asset
from assets.services import measure_assets_set
from consensus.selectors import support_coverage_for
from positions.demo import demo_load
from positions.models import Measure

PORTS_TITLE = "Assume operating control of Chinese-owned port terminals in an emergency"


def test_the_demo_records_its_assets_each_fact_with_a_source(db):
    loaded = demo_load(password="a demo password of our own")

    assert len(loaded.assets.created) == len(ASSETS) >= 12
    for asset in Asset.objects.all():
        for note in ("host_source", "owner_source", "criticality_source", "location_source"):
            assert getattr(asset, note).strip(), (asset.name, note)
        if asset.share is not None:
            assert asset.share_source.strip()
        assert "illustrative" in asset.criticality_source.lower()
    assert Asset.objects.filter(share_source__icontains="illustrative").count() >= 6

    ports = Measure.objects.get(title=PORTS_TITLE)
    assert ports.assets.count() == 10
    coverage = support_coverage_for(measure=ports).coverage
    assert coverage["alliance"].assets == 10
    assert coverage["alliance"].covered == 0  # Hungary opposes: nothing agreed


def test_a_second_load_writes_nothing_and_keeps_a_coordinators_choice(db):
    first = demo_load(password="a demo password of our own")
    ports = Measure.objects.get(title=PORTS_TITLE)
    coordinator = ports.created_by
    kept = list(ports.assets.order_by("name")[:2])
    measure_assets_set(actor=coordinator, measure=ports, assets=kept)

    second = demo_load(password="a demo password of our own")

    assert second.assets.created == []
    assert len(second.assets.found) == len(first.assets.created)
    assert second.assets.measures_linked == []
    assert list(ports.assets.order_by("name")) == kept
