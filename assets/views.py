"""The asset pages (the registry, one asset) and the measure page's coverage section."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_stubs_ext import StrPromise

from accounts.models import request_user
from assets import selectors
from assets.geography import in_frame
from assets.map import Marker, europe_map_svg
from assets.models import Asset
from consensus import rules
from consensus.rules import Route
from positions.forms import ROUTE_NAMES


@login_required
@require_GET
def asset_list(request: HttpRequest) -> HttpResponse:
    """The asset registry: every asset, with the measures covering it that the user may see."""
    assets = list(selectors.assets_visible(user=request_user(request)))
    return render(request, "assets/list.html", {"assets": assets})


@login_required
@require_GET
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    """One asset, each fact with its source, and the measures covering it the user may see."""
    asset = selectors.asset_get(user=request_user(request), asset_id=asset_id)
    if asset is None:
        raise Http404
    return render(request, "assets/detail.html", {"asset": asset})


# The measure page's coverage section ---------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    route: Route
    name: StrPromise
    coverage: rules.Coverage
    uncovered: list[Asset]


@dataclass(frozen=True)
class AssetRow:
    asset: Asset
    covered: list[tuple[StrPromise, bool]]  # per route


@dataclass(frozen=True)
class MeasureCoverage:
    rows: list[CoverageRow]
    assets: list[AssetRow]
    map: SafeString
    unmapped: list[Asset]  # no location, or outside the map


def measure_coverage(
    *, coverage: dict[Route, rules.Coverage], assets: Sequence[Asset]
) -> MeasureCoverage:
    """What the measure page shows of the coverage: bars per route, a map, a table."""
    by_id = {asset.pk: asset for asset in assets}
    rows = [
        CoverageRow(
            route=route,
            name=ROUTE_NAMES[route],
            coverage=coverage[route],
            uncovered=[by_id[i] for i in coverage[route].uncovered if i in by_id],
        )
        for route in Route
    ]
    uncovered = {route: set(coverage[route].uncovered) for route in Route}
    table = [
        AssetRow(
            asset=asset,
            covered=[(ROUTE_NAMES[route], asset.pk not in uncovered[route]) for route in Route],
        )
        for asset in assets
    ]
    markers = []
    unmapped = []
    for row in table:
        asset = row.asset
        if (
            asset.latitude is None
            or asset.longitude is None
            or not in_frame(lat=float(asset.latitude), lon=float(asset.longitude))
        ):
            unmapped.append(asset)
            continue
        covers = [str(name) for name, covered in row.covered if covered]
        label = _("%(asset)s (%(host)s): covered on %(routes)s") % {
            "asset": asset.name,
            "host": asset.host_id,
            "routes": ", ".join(covers) if covers else _("no route"),
        }
        markers.append(
            Marker(
                key=str(asset.pk),
                label=label,
                href=reverse("asset-page", args=[asset.pk]),
                latitude=float(asset.latitude),
                longitude=float(asset.longitude),
                covered=[covered for _name, covered in row.covered],
            )
        )
    svg = europe_map_svg(
        element_id="asset-map",
        title=_("The measure's assets on a map of Europe"),
        description=_(
            "Each asset is marked by three squares: alliance, bilateral and EU, from left to "
            "right; a filled square means the route covers the asset, a hollow one that it does "
            "not. The table below gives the same facts."
        ),
        markers=markers,
    )
    return MeasureCoverage(rows=rows, assets=table, map=mark_safe(svg), unmapped=unmapped)
