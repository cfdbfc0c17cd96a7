"""The benchmark harness (bench/run.py) still runs end to end, at tiny sizes.

Nothing here is timed or judged: the figures of a tiny run mean nothing. The
test only keeps the harness from rotting: data generation, gunicorn, the load
generator, every figure, the table and bench/results.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from bench import run as bench_run

ROOT = Path(__file__).resolve().parents[2]

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:18731/bench/trivial/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    79.41ms  226.71ms   1.21s    90.78%
    Req/Sec   500.15    287.91     0.93k    60.00%
  Latency Distribution
     50%    6.00ms
     75%   11.23ms
     90%  232.90ms
     99%    1.08s
  3000 requests in 3.01s, 1.57MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 27
Requests/sec:    1000.00
Transfer/sec:    534.52KB
"""


def test_wrk_output_is_read_with_its_errors_taken_out() -> None:
    load = bench_run._wrk_parse(WRK_OUTPUT)
    assert load.requests == 3000
    assert load.errors == 30
    assert load.p50_ms == pytest.approx(6.0)
    assert load.rps == pytest.approx(1000.0 * 2970 / 3000)


def test_growth_databases_are_named_after_their_size() -> None:
    url = "postgres://u@h:5432/consensus_bench"
    assert bench_run.growth_url(url, 100_000).endswith("/consensus_bench_100k")
    assert bench_run.growth_url(url, 3_000_000).endswith("/consensus_bench_3m")
    assert bench_run.growth_url(url, 400).endswith("/consensus_bench_400")


@pytest.mark.postgresql
def test_the_harness_runs_end_to_end_at_tiny_sizes(tmp_path: Path) -> None:
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/consensus_bench_smoke_{os.getpid()}"
    )
    redis_url = os.environ.get("REDIS_URL") or bench_run.DEFAULT_REDIS_URL
    output = tmp_path / "results.json"
    names = [url] + [bench_run.growth_url(url, n) for n in bench_run.TINY.growth[:-1]]
    try:
        done = subprocess.run(
            [
                *(sys.executable, str(ROOT / "bench" / "run.py"), "--tiny", "--workers", "2"),
                *("--database-url", url, "--redis-url", redis_url, "--output", str(output)),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        for name in names:
            bench_run.database_drop(name)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(output.read_text())
    figures = {f["name"].split(",")[0]: f for f in results["figures"]}
    assert set(figures) == {
        "diff",
        "status polling",
        "as-of matrix API",
        "matrix page",
        "position writes through the API",
        "growth of the as-of matrix",
    }
    assert all(f["value"] > 0 for f in results["figures"]), results["figures"]
    assert [p["changes"] for p in figures["growth of the as-of matrix"]["extra"]["points"]] == [
        100,
        200,
        400,
    ]
    assert "status polling, 304 (If-None-Match)" in done.stdout  # the table
