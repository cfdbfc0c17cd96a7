"""What the API tests share: a record of what the database holds, and a clean cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import ApiToken
from positions.models import Measure, Position, PositionChange

Written = dict[str, Any]


@pytest.fixture(autouse=True)
def _clean_cache(db: None) -> None:
    # The token endpoint's throttle counts requests in the cache; start each test afresh.
    cache.clear()


@pytest.fixture
def written() -> Callable[[], Written]:
    """What the API could have written: compare before and after a refused request."""

    def snapshot() -> Written:
        return {
            "measures": list(Measure.objects.order_by("id").values()),
            "participants": list(
                Measure.participants.through.objects.order_by("id").values_list(
                    "measure_id", "state_id"
                )
            ),
            "positions": list(Position.objects.order_by("id").values()),
            "changes": PositionChange.objects.count(),
            "tokens": list(ApiToken.objects.order_by("id").values("id", "revoked_at")),
        }

    return snapshot


@pytest.fixture
def count_queries() -> Callable[[APIClient, str], int]:
    """How many queries one GET costs (after a first call, so token bookkeeping is done)."""

    def count(client: APIClient, url: str) -> int:
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    return count
