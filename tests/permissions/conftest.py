"""The permission tests' world, built once per test through the services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.permissions.world import World, measure_sequence_restart, world_build


@pytest.fixture
def world(db: None, settings: Any, tmp_path: Path) -> Iterator[World]:
    settings.MEDIA_ROOT = tmp_path / "media"  # the exports' files
    yield world_build()
    # PostgreSQL keeps a sequence's position through the rollback: leave it as found.
    measure_sequence_restart(1)
