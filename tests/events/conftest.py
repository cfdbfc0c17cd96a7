"""What the outbox tests share: a real HTTP receiver on loopback, subscriptions, snapshots."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from accounts.models import User
from consensus.celery import app
from events import services
from events.models import Delivery, DeliveryAttempt, Event, EventKind, Webhook

SECRET = "a-long-enough-shared-secret"
ALL_KINDS = list(EventKind.values)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def document(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.body)
        return result

    def signed_with(self, secret: str) -> bool:
        """The receiver's check, as docs/events.md shows it."""
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("X-Consensus-Signature", ""))


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records every request and answers ``statuses``
    in turn (then 200); ``hold`` makes it wait before answering until released."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    hold: threading.Event | None = None
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[str]:
        with self.lock:
            return [r.headers["X-Consensus-Event"] for r in self.received]

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(self.received) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"the receiver got {len(self.received)} requests, not {count}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.received.append(Received(dict(self.headers.items()), body))
                status = state.statuses.pop(0) if state.statuses else 200
            state.arrived.set()
            if state.hold is not None:
                state.hold.wait(30)
            if state.delay:
                time.sleep(state.delay)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the sender is gone (a killed worker, a timeout)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def subscribe() -> Callable[..., Webhook]:
    def make(owner: User, url: str, kinds: list[str] | None = None) -> Webhook:
        return services.webhook_create(
            actor=owner, url=url, events=kinds or ALL_KINDS, secret=SECRET
        )

    return make


def broker_use(url: str) -> None:
    """Send tasks to this broker from now on (the app caches its connection pools)."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def outbox() -> Callable[[], dict[str, Any]]:
    """Everything the outbox could have written: compare before and after."""

    def snapshot() -> dict[str, Any]:
        return {
            "events": list(Event.objects.order_by("created_at").values_list("kind", "payload")),
            "webhooks": list(Webhook.objects.order_by("id").values()),
            "deliveries": list(Delivery.objects.order_by("id").values()),
            "attempts": DeliveryAttempt.objects.count(),
        }

    return snapshot


def kinds() -> list[str]:
    """The kinds of the events written so far, oldest first."""
    return list(Event.objects.order_by("created_at").values_list("kind", flat=True))
