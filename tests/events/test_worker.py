"""The outbox and webhooks with a real Redis and real Celery workers (not eager mode).

Each test starts its own redis-server on a free port (so it may kill it) and
runs workers as separate processes (so it may SIGKILL them), on the test
database. A ThreadingHTTPServer on loopback is the webhook receiver.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from consensus import silence
from consensus.celery import app
from events import services, tasks
from events.models import Delivery, DeliveryAttempt, Event
from positions.models import PositionChange
from positions.services import position_record
from tests.events.conftest import SECRET, broker_use

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

ROOT = Path(django_settings.BASE_DIR)
# The worker's own broker settings: a message whose worker died comes back after
# VISIBILITY seconds (above the webhook lease: a 1 s timeout + 5 s), and the
# worker looks for such messages every second.
VISIBILITY = 8
WORKER = f"""
from consensus.celery import app
app.conf.broker_transport_options = {{
    "visibility_timeout": {VISIBILITY},
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}}
app.worker_main(["worker", "--pool=solo", "--without-mingle", "--without-gossip",
                 "--without-heartbeat", "--loglevel=INFO", "--hostname", "events-%(n)s@%%h"])
"""


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """A redis-server of our own, which the test may kill and start again on the same port."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, 10, "redis-server to start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class Worker:
    """A Celery worker in its own process, on the test database and our Redis."""

    def __init__(self, redis: RedisServer, logs: Path) -> None:
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
                f":{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "REDIS_URL": redis.url,
            "SECRET_KEY": "insecure-test-only-key",
            "WEBHOOK_TIMEOUT_SECONDS": "1",
            "WEBHOOK_RETRY_BASE_SECONDS": "1",
            "WEBHOOK_MAX_ATTEMPTS": "4",
            "LOG_LEVEL": "INFO",
        }
        self.logs = logs
        self.count = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.count += 1
        log = self.logs / f"worker-{self.count}.log"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", WORKER % {"n": self.count}],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for(lambda: b"ready." in log.read_bytes(), 60, f"the worker to start ({log})")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no acknowledgement, no goodbye."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.logs.glob("worker-*.log")))


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def worker(redis_server: RedisServer, tmp_path: Path) -> Iterator[Worker]:
    """A worker process; this process sends its tasks to the same Redis."""
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    broker_use(redis_server.url)
    tasks._broker_down_until = 0.0
    process = Worker(redis_server, tmp_path)
    process.start()
    try:
        yield process
    finally:
        process.stop()
        app.conf.task_always_eager = saved[0]
        broker_use(saved[1])
        tasks._broker_down_until = 0.0


def move(actor: Any, measure: Any, code: str, stance: str) -> None:
    from positions.models import State

    position_record(
        actor=actor,
        measure=measure,
        state=State.objects.get(code=code),
        stances={"alliance": stance},
        source="api",
    )


def event_ids() -> list[str]:
    return sorted(str(pk) for pk in Event.objects.values_list("pk", flat=True))


def test_the_receiver_gets_every_event_once_correctly_signed(
    worker, receiver, subscribe, coordinator, delegate_fra, delegate_deu, measure
):
    subscribe(coordinator, receiver.url)

    move(delegate_fra, measure, "FRA", "support")
    move(delegate_deu, measure, "DEU", "oppose")
    move(delegate_fra, measure, "FRA", "conditional")
    silence.silence_start(
        actor=coordinator, measure=measure, deadline=timezone.now() + timedelta(days=2)
    )
    silence.silence_break(actor=delegate_fra, measure=measure, reason="Not yet.")

    expected = event_ids()
    assert len(expected) == 7
    receiver.wait_for(7)
    time.sleep(2)  # a duplicate would arrive now; a sweep finds nothing left to do
    tasks.events_sweep.delay()
    time.sleep(1)

    assert sorted(receiver.ids()) == expected
    assert all(got.signed_with(SECRET) for got in receiver.received)
    assert all(got.document["id"] == got.headers["X-Consensus-Event"] for got in receiver.received)
    assert Counter(got.document["kind"] for got in receiver.received) == Counter(
        {"position.changed": 3, "measure.status_changed": 2}
        | {"silence.started": 1, "silence.broken": 1}
    )
    assert set(Delivery.objects.values_list("state", "attempts")) == {("delivered", 1)}
    assert DeliveryAttempt.objects.count() == 7
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()


def test_a_failing_receiver_gets_retries_with_backoff_each_logged(
    worker, receiver, subscribe, coordinator, delegate_fra, measure
):
    receiver.statuses = [500, 503]  # then 200
    subscribe(coordinator, receiver.url)

    move(delegate_fra, measure, "FRA", "support")

    receiver.wait_for(3)
    delivery = Delivery.objects.get()
    wait_for(lambda: Delivery.objects.get().state == "delivered", 10, "the delivery")
    log = list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 503), (3, 200)]
    # Exponential backoff with a 1 s base: at least 1 s, then at least 2 s between
    # attempts (a constant backoff would give 1 s twice); the upper bounds only
    # allow for a busy machine.
    gaps = [(b.at - a.at).total_seconds() for a, b in itertools.pairwise(log)]
    assert 1 <= gaps[0] < 4, gaps
    assert 2 <= gaps[1] < 6, gaps
    assert set(receiver.ids()) == {str(Event.objects.get().pk)}


def test_stopping_redis_during_writes_loses_no_write_and_no_event(
    worker, redis_server, receiver, subscribe, coordinator, delegate_fra, delegate_deu, measure
):
    subscribe(coordinator, receiver.url)
    move(delegate_fra, measure, "FRA", "support")
    receiver.wait_for(1)

    redis_server.kill()
    started = time.monotonic()
    move(delegate_fra, measure, "FRA", "oppose")
    move(delegate_deu, measure, "DEU", "support")
    move(delegate_deu, measure, "DEU", "abstain")
    writing = time.monotonic() - started

    assert writing < 5, f"three writes took {writing:.1f} s with Redis down"
    assert PositionChange.objects.count() == 4
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 3
    assert len(receiver.received) == 1

    redis_server.start()
    broker_use(redis_server.url)  # drop this process's dead connections
    tasks._broker_down_until = 0.0
    time.sleep(3)  # let the worker reconnect
    tasks.events_sweep.delay()  # as beat would, every 30 seconds

    receiver.wait_for(4)
    time.sleep(2)
    assert sorted(receiver.ids()) == event_ids()
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert set(Delivery.objects.values_list("state", "attempts")) == {("delivered", 1)}


def test_killing_the_worker_mid_task_reruns_it_with_no_double_effect(
    worker, receiver, subscribe, coordinator, delegate_fra, measure
):
    receiver.hold = threading.Event()
    subscribe(coordinator, receiver.url)
    move(delegate_fra, measure, "FRA", "support")
    assert receiver.arrived.wait(20), "the worker never sent the delivery"

    worker.kill()  # SIGKILL while it waits for the receiver's answer
    receiver.hold.set()  # the receiver answers a dead socket
    receiver.hold = None
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("sending", 1)

    # A new worker gets the unacknowledged task back from Redis once its
    # visibility timeout passes (after the lease): no sweep, no help.
    worker.start()
    wait_for(lambda: Delivery.objects.get().state == "delivered", 40, "the re-run")

    assert Delivery.objects.count() == 1
    assert list(
        DeliveryAttempt.objects.order_by("number").values_list("number", "status_code", "error")
    ) == [(1, None, services.LOST_ATTEMPT), (2, 200, "")]
    # The receiver saw the event twice (the first answer was lost with the
    # worker), under one event id: it keeps it once.
    assert receiver.ids() == [str(Event.objects.get().pk)] * 2
    time.sleep(VISIBILITY + 2)  # nothing else comes back
    assert len(receiver.received) == 2
    assert Delivery.objects.get().attempts == 2
