"""Reads of assets, each in a fixed number of queries.

Every account may read the registry; the measures covering an asset are
listed only where the reader may see them, so a restricted measure's
coverage never leaks.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts import permissions
from accounts.models import User
from assets.models import Asset
from positions.models import Measure


def assets_visible(*, user: User) -> QuerySet[Asset]:
    """Every asset, by name, each with ``visible_measures``: the measures covering it that
    the user may see. Two queries."""
    return (
        Asset.objects.select_related("host")
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=permissions.measures_visible_to(user).order_by("id"),
                to_attr="visible_measures",
            )
        )
        .order_by("name")
    )


def asset_get(*, user: User, asset_id: int) -> Asset | None:
    """One asset with its visible measures, or None. Two queries."""
    return assets_visible(user=user).filter(pk=asset_id).first()


def measure_assets(*, measure: Measure) -> list[Asset]:
    """The assets a measure covers, by name. One query.

    The caller has checked that the user may see the measure.
    """
    return list(measure.assets.select_related("host").order_by("name"))
