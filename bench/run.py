"""``make bench``: the service measured against the stack's own limits, every figure a ratio.

Against PostgreSQL and Redis, served by gunicorn on a free loopback port with
bench/settings.py (the project plus two trivial endpoints), loaded by wrk on
loopback (a small Python load generator stands in where wrk is missing, e.g.
in the smoke test). It prepares the databases (``generate_bench_data``: made
once, reused while their size matches), then measures, in one run:

1. status polling: support requests per second, with and without a matching
   If-None-Match, over the trivial JSON endpoint's;
2. the as-of matrix of 500 measures over the API: median time over the raw
   SQL the matrix needs (its three queries), timed alone in the same run;
3. position writes per second through the API, by concurrent delegates;
4. the diff of two 60-paragraph declaration versions, against difflib;
5. the matrix page for 500 measures rendered server-side;
6. growth: the as-of matrix (selector and raw SQL) on histories of 100k, 1M
   and 3M rows (one database each).

It prints one table and writes bench/results.json (git-ignored: a run's
figures belong to its machine; docs/performance.md keeps a reference run).

    .venv/bin/python bench/run.py            # full: 2,000 measures, 1M changes; growth to 3M
    .venv/bin/python bench/run.py --quick    # smaller sizes, shorter loads: a smoke run
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/consensus_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
MATRIX_CATEGORY = "ports"  # a quarter of the generated measures: 500 of 2,000
WRITERS = ["FRA", "DEU", "USA", "POL", "ITA", "NLD", "ESP", "NOR"]


@dataclass(frozen=True)
class Sizes:
    measures: int
    changes: int
    growth: tuple[int, ...]
    versions: int  # per declaration
    duration: float  # seconds of each load
    repeat: int  # timed repetitions of each in-process or sequential figure
    connections: int
    rounds: int  # of the polling loads


FULL = Sizes(2000, 1_000_000, (100_000, 1_000_000, 3_000_000), 200, 6, 15, 8, 3)
QUICK = Sizes(2000, 100_000, (20_000, 100_000, 300_000), 200, 3, 7, 8, 2)
TINY = Sizes(8, 400, (100, 200, 400), 3, 1, 2, 2, 1)  # the smoke test's: nothing is judged


# Databases ------------------------------------------------------------------


def _database_named(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def growth_url(url: str, changes: int) -> str:
    """The database holding a growth point's history (named after its size)."""
    label = f"{changes // 1_000_000}m" if changes % 1_000_000 == 0 else f"{changes // 1000}k"
    if changes < 1000:
        label = str(changes)
    return _database_named(url, f"{_database_name(url)}_{label}")


def bench_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The environment of the served site and of every Django process the bench starts."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX="bench",
        SECRET_KEY=env.get("BENCH_SECRET_KEY", "bench-" + secrets.token_hex(32)),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Production keeps its connections (docs/operations.md); so does the bench.
        DATABASE_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        # WhiteNoise's note that collectstatic has not run: the bench serves no static file.
        PYTHONWARNINGS="ignore:No directory at",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _admin_execute(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_database_named(url, "postgres"), autocommit=True) as admin:
        admin.execute(statement)


def _database_exists(url: str) -> bool:
    import psycopg

    with psycopg.connect(_database_named(url, "postgres"), autocommit=True) as admin:
        found = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [_database_name(url)]
        ).fetchone()
    return found is not None


def database_drop(url: str) -> None:
    name = _database_name(url).replace('"', '""')
    _admin_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _generated_size(url: str) -> tuple[int, int]:
    """(measures, generated changes) in the database; (0, 0) when empty."""
    import psycopg

    with psycopg.connect(url) as conn:
        measures = conn.execute("SELECT count(*) FROM positions_measure").fetchone()
        changes = conn.execute(
            "SELECT count(*) FROM positions_positionchange WHERE source = 'import'"
        ).fetchone()
    return (measures[0] if measures else 0, changes[0] if changes else 0)


def database_prepare(url: str, env: dict[str, str]) -> None:
    """Create the database if it is missing, and migrate it."""
    if not _database_exists(url):
        name = _database_name(url).replace('"', '""')
        _admin_execute(url, f'CREATE DATABASE "{name}"')
    subprocess.run(
        [PYTHON, MANAGE, "migrate", "--no-input", "--skip-checks", "-v0"], env=env, check=True
    )


def data_ensure(
    url: str,
    *,
    measures: int,
    changes: int,
    versions: int,
    redis_url: str,
    say: Callable[[str], None],
) -> None:
    """Create, migrate and fill the database unless it already holds that size of data."""
    env = bench_env(url, redis_url)
    database_prepare(url, env)
    if _generated_size(url) == (measures, changes):
        say(f"{_database_name(url)}: {measures} measures, {changes} changes already there")
        return
    say(f"{_database_name(url)}: generating {measures} measures and {changes} changes ...")
    done = subprocess.run(
        [
            *(PYTHON, MANAGE, "generate_bench_data", "--skip-checks", "--flush", "--seed", "1"),
            *("--measures", str(measures), "--changes", str(changes), "--versions", str(versions)),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    for line in done.stdout.splitlines():
        say("    " + line)


# The served site ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(env: dict[str, str], workers: int) -> Iterator[int]:
    """gunicorn serving the bench settings on a free loopback port; yields the port."""
    port = _free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    process = subprocess.Popen(
        [
            *(gunicorn, "consensus.wsgi:application", "--bind", f"127.0.0.1:{port}"),
            *("--workers", str(workers), "--log-level", "warning", "--chdir", str(ROOT)),
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = http_get(port, "/bench/trivial/")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def sequential_ms(port: int, path: str, headers: dict[str, str], repeat: int) -> tuple[float, int]:
    """Median milliseconds of ``repeat`` GETs on one kept-alive connection (after a warm-up)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    times = []
    size = 0
    try:
        for attempt in range(repeat + 1):
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
            size = len(body)
            if attempt:
                times.append(elapsed)
    finally:
        conn.close()
    return statistics.median(times), size


# Load -----------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    rps: float  # answers per second that were 2xx or 3xx
    p50_ms: float
    requests: int
    errors: int  # other statuses and socket errors
    tool: str


# A request for the load: method, path, headers, body. Made per request so that
# writes can each carry a new note (a write that changes nothing records nothing).
RequestMaker = Callable[[int, int], tuple[str, str, dict[str, str], str | None]]


def _wrk_units(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _wrk_parse(output: str) -> Load:
    import re

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]  # wrk always prints it
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]  # idem
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s|m)\b", output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(bad.group(1)) if bad else 0) + (
        sum(int(sock.group(i)) for i in range(1, 5)) if sock else 0
    )
    good = rps * (total - errors) / total if total else 0.0
    return Load(
        rps=good,
        p50_ms=_wrk_units(p50.group(1), p50.group(2)) if p50 else math.nan,
        requests=total,
        errors=errors,
        tool="wrk",
    )


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load_wrk(
    port: int,
    *,
    path: str,
    headers: dict[str, str],
    duration: float,
    connections: int,
    lua: str | None = None,
) -> Load:
    command = [
        "wrk",
        "--latency",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(duration))}s",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua or "")
    try:
        if lua:
            command += ["-s", script.name]
        command.append(f"http://127.0.0.1:{port}{path}")
        done = subprocess.run(command, check=True, capture_output=True, text=True)
    finally:
        os.unlink(script.name)
    return _wrk_parse(done.stdout)


def load_python(port: int, *, make: RequestMaker, duration: float, connections: int) -> Load:
    """The fallback generator: one thread and one kept-alive connection per connection."""
    deadline = time.monotonic() + duration
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections

    def worker(thread: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        counter = 0
        while time.monotonic() < deadline:
            counter += 1
            method, path, headers, body = make(thread, counter)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = 200 <= response.status < 400
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            latencies[thread].append((time.perf_counter() - started) * 1000)
            if not ok:
                errors[thread] += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    every = [ms for per in latencies for ms in per]
    total = len(every)
    return Load(
        rps=(total - sum(errors)) / elapsed,
        p50_ms=statistics.median(every) if every else math.nan,
        requests=total,
        errors=sum(errors),
        tool="python",
    )


def load_get(port: int, path: str, headers: dict[str, str], sizes: Sizes, use_wrk: bool) -> Load:
    if use_wrk:
        return load_wrk(
            port, path=path, headers=headers, duration=sizes.duration, connections=sizes.connections
        )
    return load_python(
        port,
        make=lambda _t, _n: ("GET", path, headers, None),
        duration=sizes.duration,
        connections=sizes.connections,
    )


def _write_body(thread: int, counter: int) -> str:
    stance = ["support", "conditional", "abstain", "oppose"][counter % 4]
    return json.dumps({"stances": {"alliance": stance}, "note": f"bench {thread}.{counter}"})


def load_writes(port: int, targets: Sequence[tuple[str, str]], sizes: Sizes, use_wrk: bool) -> Load:
    """PUTs of positions, each by the state's own delegate token; every one records a change."""
    if use_wrk:
        entries = ",\n".join(f"  {{{_lua_string(p)}, {_lua_string(t)}}}" for p, t in targets)
        lua = f"""
local targets = {{
{entries}
}}
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local counter = 0
local stances = {{"support", "conditional", "abstain", "oppose"}}
function request()
  counter = counter + 1
  local target = targets[((counter * 7 + tid * 13) % #targets) + 1]
  local body = '{{"stances": {{"alliance": "' .. stances[(counter % 4) + 1] ..
    '"}}, "note": "bench ' .. tid .. '.' .. counter .. '"}}'
  return wrk.format("PUT", target[1], {{
    ["Authorization"] = "Bearer " .. target[2],
    ["Content-Type"] = "application/json",
  }}, body)
end
"""
        return load_wrk(
            port,
            path=targets[0][0],
            headers={},
            duration=sizes.duration,
            connections=sizes.connections,
            lua=lua,
        )

    def make(thread: int, counter: int) -> tuple[str, str, dict[str, str], str | None]:
        path, token = targets[(counter * 7 + thread * 13) % len(targets)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        return "PUT", path, headers, _write_body(thread, counter)

    return load_python(port, make=make, duration=sizes.duration, connections=sizes.connections)


def _queue_purge(redis_url: str) -> None:
    """Drop the tasks the writes queued (no worker runs during the bench: production runs
    its workers on other machines), so the bench's Redis database does not grow."""
    import redis

    redis.Redis.from_url(redis_url).delete("celery")


# In-process figures -----------------------------------------------------------


def median_ms(work: Callable[[], object], repeat: int) -> float:
    work()  # warm up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def raw_matrix_sql(measure_ids: list[int], as_of: datetime) -> Callable[[], object]:
    """The three statements the matrix needs (measures, state facts, as-of stances), by hand."""
    from django.db import connection

    from consensus.selectors import _AS_OF_POSTGRESQL

    def work() -> object:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, title, status, lead_id, eu_rule FROM positions_measure "
                "WHERE category = %s ORDER BY id",
                [MATRIX_CATEGORY],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT code, nato_member, eu_member, eu_population FROM positions_state "
                "ORDER BY code"
            )
            cursor.fetchall()
            cursor.execute(_AS_OF_POSTGRESQL, [measure_ids, as_of])
            return cursor.fetchall()

    return work


def cpu_per_request(
    support_path: str, reader_token: str, writer_token: str, ids: list[int], repeat: int
) -> dict[str, float]:
    """The processor time this process spends per request, through Django's test client
    (the WSGI handler and every middleware, no HTTP): a cost that other programs on the
    machine slow down far less than a rate, so its ratios are steadier."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    auth = {"Authorization": f"Bearer {reader_token}"}
    etag = client.get(support_path, headers=auth)["ETag"]
    count = max(20, repeat * 10)

    def write(i: int) -> object:
        body = _write_body(99, i)
        path = f"/api/v1/measures/{ids[i % min(50, len(ids))]}/positions/FRA/"
        return client.put(
            path,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {writer_token}"},
        )

    work: dict[str, Callable[[int], object]] = {
        "trivial": lambda _i: client.get("/bench/trivial/"),
        "trivial_api": lambda _i: client.get("/bench/trivial-api/", headers=auth),
        "support": lambda _i: client.get(support_path, headers=auth),
        "support_304": lambda _i: client.get(support_path, headers=auth | {"If-None-Match": etag}),
        "write": write,
    }
    result = {}
    for name, call in work.items():
        call(0)
        started = time.process_time()
        for i in range(1, count + 1):
            call(i)
        result[name] = (time.process_time() - started) / count * 1000
    return result


def growth_point(repeat: int, changes: int) -> dict[str, float]:
    """In a process set up on one growth database: the as-of matrix, selector and raw SQL."""
    import django

    django.setup()
    from accounts.models import User
    from bench import data
    from consensus import selectors
    from consensus.rules import Route
    from positions.models import Measure

    ids = list(
        Measure.objects.filter(category=MATRIX_CATEGORY).order_by("id").values_list("id", flat=True)
    )
    as_of = data.history_end(changes)
    # An unsaved coordinator sees every measure without a query of its own.
    viewer = User(username="bench-growth", role=User.Role.COORDINATOR, is_active=True)
    raw = raw_matrix_sql(ids, as_of)
    cells = raw()
    assert isinstance(cells, list)
    return {
        "changes": changes,
        "measures": len(ids),
        "cells": len(cells),
        "raw_sql_ms": median_ms(raw, repeat),
        "matrix_selector_ms": median_ms(
            lambda: selectors.matrix(
                user=viewer, route=Route.ALLIANCE, as_of=as_of, category=MATRIX_CATEGORY
            ),
            repeat,
        ),
    }


# The run ----------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None
    baseline_name: str
    ratio: float | None
    goal: str
    met: bool | None
    extra: dict[str, Any] = field(default_factory=dict)


def _accounts() -> tuple[str, str, dict[str, str]]:
    """A reader's token, a coordinator's session key and each writer state's delegate token."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User
    from accounts.services import account_create, token_issue

    def account(username: str, role: str, state: str | None = None) -> User:
        found = User.objects.filter(username=username).first()
        if found is not None:
            return found
        return account_create(
            username=username, password=secrets.token_urlsafe(24), role=role, state_code=state
        )

    reader = account("bench-reader", "reader")
    coordinator = account("bench-coordinator", "coordinator")
    delegates = {
        code: account(f"bench-delegate-{code.lower()}", "delegate", code) for code in WRITERS
    }
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(coordinator.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = coordinator.get_session_auth_hash()
    store.create()
    return (
        token_issue(user=reader, read_only=True)[1],
        str(store.session_key),
        {code: token_issue(user=user)[1] for code, user in delegates.items()},
    )


def _machine() -> dict[str, Any]:
    def output(*command: str) -> str:
        try:
            return subprocess.run(
                command, capture_output=True, text=True, check=False
            ).stdout.strip()
        except OSError:
            return ""

    return {
        "cpus": os.cpu_count(),
        "memory": output("free", "-g").splitlines()[1:2],
        "python": platform.python_version(),
        "postgresql": output("psql", "--version"),
        "redis": output("redis-server", "--version"),
        "wrk": output("wrk", "--version").splitlines()[:1],
        "platform": platform.platform(),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    url = args.database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    if args.quick and not args.database_url and "BENCH_DATABASE_URL" not in os.environ:
        url = _database_named(url, "consensus_bench_quick")
    redis_url = args.redis_url or os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    use_wrk = shutil.which("wrk") is not None and not args.python_load
    say: Callable[[str], None] = (
        (lambda line: print(line, flush=True)) if not args.silent else (lambda _line: None)
    )

    started = time.perf_counter()
    data_ensure(
        url,
        measures=sizes.measures,
        changes=sizes.changes,
        versions=sizes.versions,
        redis_url=redis_url,
        say=say,
    )
    env = bench_env(url, redis_url)
    os.environ.update(env)
    warnings.filterwarnings("ignore", "No directory at")  # as PYTHONWARNINGS does for gunicorn
    import django

    django.setup()
    import difflib

    from bench import data
    from consensus.declarations.text import text_diff
    from consensus.models import DeclarationVersion
    from positions.models import Measure

    figures: list[Figure] = []
    ids = list(
        Measure.objects.filter(category=MATRIX_CATEGORY).order_by("id").values_list("id", flat=True)
    )
    as_of = data.history_instant(sizes.changes, 0.5)
    reader_token, session_key, delegate_tokens = _accounts()
    auth = {"Authorization": f"Bearer {reader_token}"}

    # 4. The diff, in-process (no server needed): the last two versions and the first and last.
    texts = list(
        DeclarationVersion.objects.filter(declaration__title="Bench declaration 1")
        .order_by("number")
        .values_list("text", flat=True)
    )
    old, new = texts[-2], texts[-1]
    diff_ms = median_ms(lambda: text_diff(old, new), sizes.repeat * 3)
    diff_far_ms = median_ms(lambda: text_diff(texts[0], texts[-1]), sizes.repeat * 3)
    difflib_ms = median_ms(
        lambda: difflib.SequenceMatcher(None, old.split(), new.split()).get_opcodes(),
        sizes.repeat * 3,
    )
    figures.append(
        Figure(
            "diff, two 60-paragraph versions (last two)",
            diff_ms,
            "ms",
            difflib_ms,
            "difflib over the words",
            diff_ms / difflib_ms,
            "< 50 ms",
            diff_ms < 50,
            {"first_to_last_ms": diff_far_ms, "versions": len(texts)},
        )
    )
    say(f"diff: {diff_ms:.1f} ms (first to last {diff_far_ms:.1f} ms), difflib {difflib_ms:.1f} ms")

    # 2. The raw SQL the as-of matrix needs, alone.
    raw_alone_ms = median_ms(raw_matrix_sql(ids, as_of), sizes.repeat)
    say(f"raw as-of SQL for {len(ids)} measures: {raw_alone_ms:.1f} ms")

    support_path = f"/api/v1/measures/{ids[0]}/support/"
    cpu = cpu_per_request(support_path, reader_token, delegate_tokens["FRA"], ids, sizes.repeat)
    say("CPU per request in-process: " + ", ".join(f"{k} {v:.2f} ms" for k, v in cpu.items()))
    _queue_purge(redis_url)
    matrix_path = (
        f"/api/v1/matrix/?route=alliance&category={MATRIX_CATEGORY}"
        f"&as_of={as_of.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    )
    page_path = f"/matrix/?route=alliance&category={MATRIX_CATEGORY}"
    with served(env, args.workers) as port:
        say(
            f"gunicorn on 127.0.0.1:{port}, {args.workers} workers; "
            f"load by {'wrk' if use_wrk else 'python'}"
        )
        # 1. Status polling against the trivial endpoints.
        status, _ = http_get(port, support_path, auth)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", support_path, headers=auth)
        answer = conn.getresponse()
        answer.read()
        etag = answer.getheader("ETag") or ""
        conn.close()
        if status != 200 or not etag:
            raise RuntimeError(f"support answered {status} without an ETag")
        # Every worker loads its URLs and middleware on its first requests: not timed.
        for path, headers, times in (
            ("/bench/trivial/", {}, 8),
            ("/bench/trivial-api/", auth, 8),
            (support_path, auth, 8),
            (matrix_path, auth, 2),
        ):
            for _ in range(times * args.workers):
                http_get(port, path, headers)
        for i in range(4 * args.workers):  # and the write path (its first task publication)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request(
                "PUT",
                f"/api/v1/measures/{ids[-1]}/positions/DEU/",
                body=_write_body(98, i),
                headers={
                    "Authorization": f"Bearer {delegate_tokens['DEU']}",
                    "Content-Type": "application/json",
                },
            )
            conn.getresponse().read()
            conn.close()
        # The machine is shared: the loads run in rounds, each kind once per round, and
        # each ratio is the median of the rounds' ratios, so a burst of other work
        # weighs on both sides of a ratio rather than on one figure.
        kinds = {
            "trivial": ("/bench/trivial/", {}),
            "trivial_api": ("/bench/trivial-api/", auth),
            "support": (support_path, auth),
            "support_304": (support_path, auth | {"If-None-Match": etag}),
        }
        rounds: list[dict[str, Load]] = []
        for _ in range(sizes.rounds):
            rounds.append(
                {kind: load_get(port, path, h, sizes, use_wrk) for kind, (path, h) in kinds.items()}
            )
            say("rps: " + ", ".join(f"{k} {v.rps:.0f}" for k, v in rounds[-1].items()))

        def rps(kind: str) -> float:
            return statistics.median(r[kind].rps for r in rounds)

        def ratio_of(kind: str, base: str) -> float:
            return statistics.median(r[kind].rps / r[base].rps for r in rounds)

        trivial_rps, trivial_api_rps = rps("trivial"), rps("trivial_api")
        trivial_p50 = statistics.median(r["trivial"].p50_ms for r in rounds)
        for name, kind, goal in (
            ("status polling, 200", "support", 0.6),
            ("status polling, 304 (If-None-Match)", "support_304", 0.8),
        ):
            ratio = ratio_of(kind, "trivial")
            errors = sum(r[kind].errors for r in rounds)
            figures.append(
                Figure(
                    name,
                    rps(kind),
                    "req/s",
                    trivial_rps,
                    "trivial JSON endpoint",
                    ratio,
                    f">= {goal} x trivial",
                    ratio >= goal and errors == 0,
                    {
                        "p50_ms": statistics.median(r[kind].p50_ms for r in rounds),
                        "errors": errors,
                        "ratio_to_trivial_authenticated": ratio_of(kind, "trivial_api"),
                        "cpu_ms": cpu[kind],
                        "cpu_ratio_trivial_over_this": cpu["trivial"] / cpu[kind],
                        "trivial_authenticated_rps": trivial_api_rps,
                        "rounds": [{k: asdict(v) for k, v in r.items()} for r in rounds],
                    },
                )
            )

        # 2. The as-of matrix over the API.
        # Paired with the raw SQL: one of each in turn, the ratio the median of the pairs'.
        raw_work = raw_matrix_sql(ids, as_of)
        pairs = []
        for _ in range(sizes.repeat):
            raw_once = median_ms(raw_work, 1)
            matrix_once, matrix_bytes = sequential_ms(port, matrix_path, auth, 1)
            pairs.append((matrix_once, raw_once))
        matrix_ms = statistics.median(m for m, _ in pairs)
        raw_ms = statistics.median(r for _, r in pairs)
        ratio = statistics.median(m / r for m, r in pairs)
        figures.append(
            Figure(
                f"as-of matrix API, {len(ids)} measures",
                matrix_ms,
                "ms",
                raw_ms,
                "its raw SQL alone",
                ratio,
                "<= 2 x raw and < 300 ms",
                ratio <= 2 and matrix_ms < 300,
                {"bytes": matrix_bytes, "raw_alone_before_serving_ms": raw_alone_ms},
            )
        )
        say(
            f"matrix API: {matrix_ms:.1f} ms ({matrix_bytes} bytes), raw {raw_ms:.1f} ms, "
            f"x{ratio:.2f}"
        )

        # 5. The matrix page.
        page_ms, page_bytes = sequential_ms(
            port, page_path, {"Cookie": f"sessionid={session_key}"}, sizes.repeat
        )
        figures.append(
            Figure(
                f"matrix page, {len(ids)} measures",
                page_ms,
                "ms",
                trivial_p50,
                "trivial endpoint p50 under load",
                page_ms / trivial_p50,
                "< 1000 ms",
                page_ms < 1000,
                {"bytes": page_bytes},
            )
        )
        say(f"matrix page: {page_ms:.1f} ms ({page_bytes} bytes)")

        # 3. Writes by concurrent delegates.
        targets = [
            (f"/api/v1/measures/{measure_id}/positions/{code}/", token)
            for code, token in delegate_tokens.items()
            for measure_id in ids[:50]
        ]
        writes = load_writes(port, targets, sizes, use_wrk)
        figures.append(
            Figure(
                f"position writes through the API, {sizes.connections} concurrent delegates",
                writes.rps,
                "writes/s",
                trivial_api_rps,
                "trivial endpoint with auth",
                writes.rps / trivial_api_rps,
                ">= 300 /s",
                writes.rps >= 300 and writes.errors == 0,
                {
                    "p50_ms": writes.p50_ms,
                    "errors": writes.errors,
                    "requests": writes.requests,
                    "cpu_ms": cpu["write"],
                },
            )
        )
        say(f"writes: {writes.rps:.0f}/s, {writes.errors} errors")
        _queue_purge(redis_url)

    # 6. Growth: one database per history size, measured in its own process.
    points: list[dict[str, float]] = []
    if not args.skip_growth:
        urls = {n: url if n == sizes.changes else growth_url(url, n) for n in sizes.growth}
        for changes, point_url in urls.items():
            data_ensure(
                point_url,
                measures=sizes.measures,
                changes=changes,
                versions=0,
                redis_url=redis_url,
                say=say,
            )
        # In rounds, each size once per round, as for the polling loads.
        measured: dict[int, list[dict[str, float]]] = {n: [] for n in urls}
        for _ in range(sizes.rounds):
            for changes, point_url in urls.items():
                done = subprocess.run(
                    [PYTHON, __file__, "--growth-point", str(changes), "--repeat", "5"],
                    env=bench_env(point_url, redis_url),
                    check=True,
                    capture_output=True,
                    text=True,
                )
                measured[changes].append(json.loads(done.stdout.strip().splitlines()[-1]))
        for changes, found in measured.items():
            point = {
                key: statistics.median(f[key] for f in found)
                for key in ("raw_sql_ms", "matrix_selector_ms")
            }
            point |= {"changes": changes, "cells": found[0]["cells"]}
            points.append(point)
            say(
                f"growth {changes}: selector {point['matrix_selector_ms']:.1f} ms, "
                f"raw {point['raw_sql_ms']:.1f} ms, {point['cells']} cells with a change"
            )
        first, last = points[0], points[-1]
        grown = last["matrix_selector_ms"] / first["matrix_selector_ms"]
        logarithmic = math.log(last["changes"]) / math.log(first["changes"])
        linear = last["changes"] / first["changes"]
        figures.append(
            Figure(
                f"growth of the as-of matrix, {first['changes']} -> {last['changes']} rows",
                grown,
                "x",
                logarithmic,
                "log(N1)/log(N0)",
                grown / logarithmic,
                f"<= log ratio (a scan: x{linear:.0f})",
                # Noise on a shared machine: a quarter above the log ratio is still far from a scan.
                grown <= logarithmic * 1.25,
                {"points": points, "raw_sql_growth": last["raw_sql_ms"] / first["raw_sql_ms"]},
            )
        )

    return {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "sizes": asdict(sizes),
        "database": _database_name(url),
        "workers": args.workers,
        "load_generator": "wrk" if use_wrk else "python",
        "machine": _machine(),
        "seconds": time.perf_counter() - started,
        "figures": [asdict(f) for f in figures],
    }


def table(results: dict[str, Any]) -> str:
    lines = [
        f"{'figure':<52} {'value':>12} {'baseline':>22} {'ratio':>7}  {'goal':<28} met",
        "-" * 130,
    ]
    for f in results["figures"]:
        value = f"{f['value']:.1f} {f['unit']}"
        base = f"{f['baseline']:.1f}" if f["baseline"] is not None else ""
        ratio = f"{f['ratio']:.2f}" if f["ratio"] is not None else ""
        met = {True: "yes", False: "NO", None: "-"}[f["met"]]
        lines.append(f"{f['name']:<52} {value:>12} {base:>22} {ratio:>7}  {f['goal']:<28} {met}")
        lines.append(f"{'':<52} {'':>12} {f['baseline_name'][:22]:>22}")
    return "\n".join(lines)


def markdown(results: dict[str, Any]) -> str:
    """The table as Markdown, for docs/performance.md."""
    lines = [
        "| figure | value | baseline (same run) | ratio | goal | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in results["figures"]:
        base = f"{f['baseline']:.1f} ({f['baseline_name']})" if f["baseline"] is not None else ""
        ratio = f"{f['ratio']:.2f}" if f["ratio"] is not None else ""
        met = {True: "yes", False: "**no**", None: "-"}[f["met"]]
        value = f"{f['value']:.1f} {f['unit']}"
        lines.append(f"| {f['name']} | {value} | {base} | {ratio} | {f['goal']} | {met} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter loads")
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--database-url", help=f"default: BENCH_DATABASE_URL or {DEFAULT_DATABASE_URL}"
    )
    parser.add_argument("--redis-url", help=f"default: BENCH_REDIS_URL or {DEFAULT_REDIS_URL}")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--skip-growth", action="store_true")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--silent", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--markdown", action="store_true", help="print the table of --output as Markdown"
    )
    parser.add_argument(
        "--prepare", action="store_true", help="only create (if missing) and migrate the database"
    )
    parser.add_argument("--growth-point", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=10, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(Path(args.output).read_text())))
        return 0
    if args.prepare:
        url = args.database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
        database_prepare(url, bench_env(url, DEFAULT_REDIS_URL))
        print(f"{_database_name(url)}: created if missing, migrated")
        return 0
    if args.growth_point is not None:
        print(json.dumps(growth_point(args.repeat, args.growth_point)))
        return 0
    results = run(args)
    Path(args.output).write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(table(results))
    print(f"\n{results['seconds']:.0f} s; written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
