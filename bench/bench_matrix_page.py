"""How long the support matrix page takes to render for 500 measures, against a trivial page.

Run with the database to measure (PostgreSQL as in production, or the
embedded SQLite):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/consensus SECRET_KEY=x \\
        .venv/bin/python bench/bench_matrix_page.py [--measures 500] [--changes 50000]

It makes a throwaway test database (Django's test database for that URL), fills
it with measures and a history of position changes (bulk inserts, seeded), then
times in the same process, through Django's test client with a logged-in
coordinator: the matrix page now, the matrix page as of a past instant, the
matrix CSV, and a baseline (the login page, which renders a template and runs
no query of ours). It prints the medians and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consensus.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.services import account_create  # noqa: E402
from consensus.rules import Route, Stance  # noqa: E402
from positions.models import Measure, Position, PositionChange, State  # noqa: E402

STANCES = [s.value for s in Stance]


def fill(*, measures: int, changes: int, seed: int) -> None:
    """Measures, then a history of changes and the positions they end in (bulk inserts)."""
    rng = random.Random(seed)
    usa = State.objects.get(code="USA")
    made = Measure.objects.bulk_create(
        Measure(title=f"Measure {i}", category="ports", sponsor=usa, lead=usa, status="open")
        for i in range(measures)
    )
    states = list(State.objects.all())
    now = timezone.now()
    current: dict[tuple[int, str], dict[str, str | int | None]] = {}
    rows = []
    for i in range(changes):
        measure = rng.choice(made)
        state = rng.choice(states)
        before = current.get((measure.pk, state.code)) or {
            r.value: ("undecided" if r in state.routes else None) for r in Route
        } | {"version": 0}
        after = {r.value: (rng.choice(STANCES) if r in state.routes else None) for r in Route}
        version = int(before["version"] or 0) + 1
        rows.append(
            PositionChange(
                measure_id=measure.pk,
                state_id=state.code,
                at=now - timedelta(seconds=changes - i),
                source="import",
                version=version,
                **{f"{r}_before": before[r] for r in ("alliance", "bilateral", "eu")},
                **{f"{r}_after": after[r] for r in ("alliance", "bilateral", "eu")},
            )
        )
        current[(measure.pk, state.code)] = after | {"version": version}
    PositionChange.objects.bulk_create(rows, batch_size=5000)
    Position.objects.bulk_create(
        (
            Position(
                measure_id=m,
                state_id=s,
                version=int(v["version"] or 0),
                alliance=v["alliance"],
                bilateral=v["bilateral"],
                eu=v["eu"],
            )
            for (m, s), v in current.items()
        ),
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE positions_positionchange")


def median_ms(client: Client, url: str, repeat: int) -> float:
    assert client.get(url).status_code == 200, url  # warm up, and check
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=500)
    parser.add_argument("--changes", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        fill(measures=args.measures, changes=args.changes, seed=args.seed)
        user = account_create(username="bench", password="bench-password-2024", role="coordinator")
        client = Client()
        client.force_login(user)
        past = (timezone.now() - timedelta(seconds=args.changes // 2)).strftime("%Y-%m-%dT%H:%M:%S")
        figures = {
            "baseline: login page": median_ms(Client(), "/accounts/login/", args.repeat),
            "matrix page, eu, now": median_ms(client, "/matrix/?route=eu", args.repeat),
            "matrix page, eu, as of": median_ms(
                client, f"/matrix/?route=eu&as_of={past}", args.repeat
            ),
            "matrix CSV, eu, now": median_ms(client, "/matrix/csv/?route=eu", args.repeat),
        }
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
        teardown_test_environment()

    baseline = figures["baseline: login page"]
    print(
        f"{connection.vendor}: {args.measures} measures, {args.changes} changes, "
        f"median of {args.repeat}"
    )
    for label, ms in figures.items():
        print(f"  {label:<26} {ms:8.1f} ms   x{ms / baseline:6.1f}")


if __name__ == "__main__":
    main()
