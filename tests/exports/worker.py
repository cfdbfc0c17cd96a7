"""What the export worker tests share: a large history, written straight into the table."""

from __future__ import annotations

import exports.tasks  # noqa: F401  # the worker must know the export task
from accounts.models import User
from positions.models import Measure, PositionChange


def changes_bulk(size: int, *, by: User, measures: list[Measure]) -> None:
    """Enough changes for many chunks: written straight into the history (the write path
    is tested elsewhere; here only their number matters)."""
    PositionChange.objects.bulk_create(
        PositionChange(
            measure=measures[i % len(measures)],
            state_id="FRA",
            by=by,
            source="api",
            version=i // len(measures) + 1,
            alliance_before="undecided",
            alliance_after=["support", "oppose"][i % 2],
            bilateral_before="undecided",
            bilateral_after="undecided",
            eu_before="undecided",
            eu_after="undecided",
        )
        for i in range(size)
    )
