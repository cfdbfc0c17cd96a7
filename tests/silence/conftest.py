"""What the silence tests share: mailable delegates, the deadline passing, what was written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from consensus.models import SilenceProcedure
from positions.models import Measure, MeasureStatusChange, PositionChange


@pytest.fixture
def mailable(make_user: Callable[..., User]) -> Callable[..., User]:
    """A user with an email address."""

    def make(username: str, role: str, state: str | None = None) -> User:
        user = make_user(username, role, state)
        User.objects.filter(pk=user.pk).update(email=f"{username}@example.org")
        user.email = f"{username}@example.org"
        return user

    return make


@pytest.fixture
def in_a_day() -> datetime:
    return timezone.now() + timedelta(days=2)


def deadline_passes(procedure: SilenceProcedure) -> None:
    """Move a running procedure's deadline into the past, as the clock would."""
    SilenceProcedure.objects.filter(pk=procedure.pk).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def silence_written() -> Callable[[], dict[str, Any]]:
    """Everything the silence procedure could write: compare before and after a refusal."""

    def snapshot() -> dict[str, Any]:
        return {
            "procedures": list(SilenceProcedure.objects.order_by("id").values()),
            "statuses": list(Measure.objects.order_by("id").values_list("id", "status")),
            "status_changes": MeasureStatusChange.objects.count(),
            "position_changes": PositionChange.objects.count(),
        }

    return snapshot
