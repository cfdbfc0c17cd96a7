"""Helpers for the page tests: URLs, and positions recorded through the one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from positions.models import Measure, Position, PositionChange, State
from positions.services import PositionRecorded, position_record


@pytest.fixture
def edit_url() -> Callable[[Measure, str], str]:
    def url(measure: Measure, code: str) -> str:
        return reverse("position-edit", args=[measure.pk, code])

    return url


@pytest.fixture
def record(state: Callable[[str], State]) -> Callable[..., PositionRecorded]:
    """Record a position as the given user, as another interface (the API) would."""

    def rec(actor: User, measure: Measure, code: str, **fields: Any) -> PositionRecorded:
        fields.setdefault("source", PositionChange.Source.API)
        return position_record(actor=actor, measure=measure, state=state(code), **fields)

    return rec


@pytest.fixture
def written() -> Callable[[], tuple[list[tuple[Any, ...]], int]]:
    """What is in the position tables: every position's values, and the number of changes."""

    def snapshot() -> tuple[list[tuple[Any, ...]], int]:
        positions = list(
            Position.objects.order_by("pk").values_list(
                "measure_id",
                "state_id",
                "alliance",
                "bilateral",
                "eu",
                "reservations",
                "note",
                "version",
            )
        )
        return positions, PositionChange.objects.count()

    return snapshot
