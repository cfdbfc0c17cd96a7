"""What the export tests share: a private media folder, a history, what was written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from exports.models import ExportJob
from positions.models import Measure, PositionChange, State
from positions.services import position_record


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Each test's files in its own folder (the workers and the web share it)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


@pytest.fixture
def say(state: Callable[[str], State]) -> Callable[..., PositionChange | None]:
    """Record stances through the one write path, as the API would."""

    def record(actor: User, measure: Measure, code: str, **stances: str) -> PositionChange | None:
        return position_record(
            actor=actor, measure=measure, state=state(code), stances=stances, source="api"
        ).change

    return record


@pytest.fixture
def exports_written(media: Path) -> Callable[[], dict[str, Any]]:
    """Everything an export request could write: compare before and after a refusal."""

    def snapshot() -> dict[str, Any]:
        return {
            "jobs": list(ExportJob.objects.order_by("requested_at").values()),
            "files": sorted(str(p) for p in media.rglob("*")) if media.exists() else [],
        }

    return snapshot


@pytest.fixture
def history(
    say: Callable[..., PositionChange | None],
    make_measure: Callable[..., Measure],
    delegate_fra: User,
    delegate_deu: User,
    delegate_usa: User,
    coordinator: User,
) -> dict[str, Measure]:
    """Three measures (one restricted to USA, DEU and NLD) and changes by three delegates
    and, for Austria (in the EU, outside NATO), the coordinator."""
    ports = make_measure(title="Port terminals")
    screening = make_measure(title="Investment screening", category="telecom", eu_rule="unanimity")
    quantum = make_measure(
        title="Quantum screening",
        category="quantum",
        restricted=True,
        participants=["USA", "DEU", "NLD"],
    )
    say(delegate_fra, ports, "FRA", alliance="support", eu="conditional")
    say(delegate_deu, ports, "DEU", alliance="oppose", bilateral="support")
    say(delegate_usa, ports, "USA", alliance="support", bilateral="support")
    say(coordinator, ports, "AUT", eu="support")
    say(delegate_fra, screening, "FRA", eu="oppose")
    say(delegate_deu, quantum, "DEU", alliance="support")
    say(delegate_usa, quantum, "USA", alliance="conditional")
    say(delegate_fra, ports, "FRA", alliance="abstain")
    return {"ports": ports, "screening": screening, "quantum": quantum}
