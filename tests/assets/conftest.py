"""Assets made through the same service coordinators use."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import User
from assets.models import Asset
from assets.services import asset_create, measure_assets_set
from positions.models import Measure, State

CSV_HEADER = (
    "name,kind,host,host_source,latitude,longitude,location_source,owner,owner_country,"
    "owner_source,share,share_source,criticality,criticality_source"
)


def facts(**overrides: Any) -> dict[str, Any]:
    """A complete, sourced set of facts for one asset."""
    values: dict[str, Any] = {
        "name": "Euromax Terminal Rotterdam",
        "kind": "port_terminal",
        "host_source": "Port authority",
        "latitude": Decimal("51.96"),
        "longitude": Decimal("4.03"),
        "location_source": "Port map",
        "owner": "COSCO Shipping Ports",
        "owner_country": "CHN",
        "owner_source": "Annual report",
        "share": Decimal("35"),
        "share_source": "Annual report (illustrative)",
        "criticality": 5,
        "criticality_source": "Coordinators' assessment",
    }
    values.update(overrides)
    return values


@pytest.fixture
def make_asset(coordinator: User) -> Callable[..., Asset]:
    def make(host: str = "NLD", **overrides: Any) -> Asset:
        overrides.setdefault("name", f"Terminal {Asset.objects.count() + 1} in {host}")
        return asset_create(
            actor=coordinator, host=State.objects.get(code=host), **facts(**overrides)
        )

    return make


@pytest.fixture
def cover_with(coordinator: User) -> Callable[..., list[Asset]]:
    def cover(measure: Measure, *assets: Asset) -> list[Asset]:
        return measure_assets_set(actor=coordinator, measure=measure, assets=assets)

    return cover
