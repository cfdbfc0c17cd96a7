"""Concurrent writers against a live server on PostgreSQL, over real HTTP with API tokens.

32 delegates (one per ally, each in its own thread) write their state's positions
on two measures at once, some writes with a stale ``If-Match``; two coordinators
accept the same amendments of one declaration at once. Afterwards the database
must account for every answer exactly: see docs/reliability.md.
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from accounts.services import account_create, token_issue
from consensus.declarations import services as declarations
from consensus.models import Amendment, DeclarationVersion
from positions.models import Position, PositionChange, State
from positions.services import measure_create
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

WRITES_PER_DELEGATE = 50
STALE_EVERY = 6  # every 6th write sends the version before the one it knows
REPEAT_EVERY = 10  # every 10th write sends the last accepted one again: a 200 that changes nothing
STANCES = ["support", "conditional", "abstain", "undecided", "oppose"]


class _Server(ThreadedWSGIServer):
    # Django's test server queues 10 connections; 32 clients connecting at once
    # would see resets before any request is read.
    request_queue_size = 128


class _ServerThread(LiveServerThread):
    server_class = _Server


@dataclass
class Server:
    url: str


@pytest.fixture
def server(transactional_db: None, settings: Any) -> Any:
    """A real HTTP server in a thread of this process: one thread per connection, each with
    its own database connection, like the development server."""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    thread = _ServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield Server(f"http://127.0.0.1:{thread.port}")
    thread.terminate()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def http_call(
    base: str,
    method: str,
    path: str,
    token: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request on its own connection, as an outside client would send it."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "localhost", parts.port, timeout=60)
    try:
        sent = {"Authorization": f"Bearer {token}", "Connection": "close", **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        raw = response.read()
        parsed = (
            json.loads(raw) if raw and "json" in response.getheader("Content-Type", "") else raw
        )
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, parsed)
    finally:
        connection.close()


def run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def body(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


@dataclass
class Accepted:
    measure: int
    state: str
    version: int
    note: str
    stances: dict[str, str]


@dataclass
class Ledger:
    """What the clients saw, per answer kind."""

    accepted: list[Accepted] = field(default_factory=list)  # 200 with a new version
    unchanged: int = 0  # 200 with the same version (the write changed nothing)
    stale_sent: int = 0
    stale_refused: int = 0  # 412
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _version(answer: Answer) -> int:
    return int(answer.headers["etag"].strip('"'))


def test_32_delegates_write_at_once(server: Server, coordinator: Any, reader: Any) -> None:
    states = list(State.objects.filter(nato_member=True).order_by("code"))
    assert len(states) == 32
    tokens: dict[str, str] = {}
    for s in states:
        user = account_create(
            username=f"w-{s.code}", password=PASSWORD, role="delegate", state_code=s.code
        )
        tokens[s.code] = token_issue(user=user)[1]
    reader_token = token_issue(user=reader)[1]
    measures = [
        measure_create(
            actor=coordinator, title=title, category="ports", sponsor=states[0], status="open"
        )
        for title in ("Port terminals", "Telecom vendors")
    ]
    ledger = Ledger()

    def delegate(index: int) -> None:
        state = states[index]
        rng = random.Random(index)
        known = {m.pk: 0 for m in measures}
        last: dict[int, tuple[dict[str, str], str]] = {}
        for write in range(WRITES_PER_DELEGATE):
            measure = measures[write % 2].pk
            stale = write % STALE_EVERY == STALE_EVERY - 1 and known[measure] > 0
            if_match = known[measure] - 1 if stale else known[measure]
            stances = {route.value: rng.choice(STANCES) for route in state.routes}
            note = f"{state.code} write {write}"
            if write % REPEAT_EVERY == REPEAT_EVERY - 1 and not stale and measure in last:
                stances, note = last[measure]
            answer = http_call(
                server.url,
                "PUT",
                f"/api/v1/measures/{measure}/positions/{state.code}/",
                tokens[state.code],
                {"stances": stances, "note": note},
                {"If-Match": f'"{if_match}"'},
            )
            with ledger.lock:
                if stale:
                    ledger.stale_sent += 1
                if stale and answer.status == 412 and _version(answer) == known[measure]:
                    ledger.stale_refused += 1
                elif not stale and answer.status == 200:
                    version = _version(answer)
                    if version == known[measure] + 1:
                        ledger.accepted.append(
                            Accepted(measure, state.code, version, note, stances)
                        )
                        last[measure] = (stances, note)
                    elif version == known[measure]:
                        ledger.unchanged += 1
                    else:
                        ledger.unexpected.append(f"{note}: version {version} after {known}")
                    known[measure] = version
                else:
                    ledger.unexpected.append(f"{note} (stale={stale}): {answer.status}")

    # A feed consumer follows the change feed while the writes go on, keeping only the
    # last id it saw: a change committed late with a smaller id would be skipped.
    followed: list[int] = []
    writing = threading.Event()
    writing.set()

    def follow(after: int) -> int:
        page = http_call(
            server.url, "GET", f"/api/v1/changes/?after={after}&limit=1000", reader_token
        )
        assert page.status == 200
        followed.extend(c["id"] for c in page.body["results"])
        return followed[-1] if followed else after

    def consumer() -> None:
        after = 0
        while writing.is_set():
            after = follow(after)
            time.sleep(0.05)

    watcher = threading.Thread(target=consumer)
    watcher.start()
    started = time.monotonic()
    errors = run_threads(32, delegate)
    elapsed = time.monotonic() - started
    writing.clear()
    watcher.join(timeout=60)
    read_during = len(followed)
    sent = 32 * WRITES_PER_DELEGATE
    print(
        f"\n{sent} position writes by 32 delegates in {elapsed:.1f} s ({sent / elapsed:.0f}/s): "
        f"{len(ledger.accepted)} accepted, {ledger.unchanged} unchanged, "
        f"{ledger.stale_refused} stale refused with 412"
    )
    print(f"the feed consumer read {read_during} changes while the writes went on")

    assert errors == []
    assert ledger.unexpected == []
    assert ledger.stale_sent > 200
    assert ledger.unchanged > 100
    # Every stale write got 412 ...
    assert ledger.stale_refused == ledger.stale_sent
    assert len(ledger.accepted) + ledger.unchanged + ledger.stale_sent == sent
    # ... and changed nothing: the accepted writes alone account for every change row,
    # each with exactly one row, whose version is the one the client was told.
    rows = list(
        PositionChange.objects.filter(measure__in=measures).values_list(
            "id", "measure_id", "state_id", "version", "note"
        )
    )
    assert len(rows) == len(ledger.accepted)
    recorded = Counter((m, s, v, n) for _id, m, s, v, n in rows)
    told = Counter((a.measure, a.state, a.version, a.note) for a in ledger.accepted)
    assert recorded == told
    assert max(recorded.values()) == 1
    # Versions per (measure, state): 1..n, no gap, no repeat.
    versions: dict[tuple[int, str], list[int]] = defaultdict(list)
    for _id, m, code, v, _n in rows:
        versions[(m, code)].append(v)
    assert len(versions) == 64
    for key, found in versions.items():
        assert sorted(found) == list(range(1, len(found) + 1)), key
    # The final state is the last accepted write per state.
    last: dict[tuple[int, str], Accepted] = {}
    for a in sorted(ledger.accepted, key=lambda a: a.version):
        last[(a.measure, a.state)] = a
    for position in Position.objects.filter(measure__in=measures):
        expected = last[(position.measure_id, position.state_id)]
        assert position.version == expected.version
        assert position.note == expected.note
        assert {r: getattr(position, r) for r in expected.stances} == expected.stances
    # The change feed: ids strictly increasing, every change once.
    feed: list[int] = []
    after = 0
    while True:
        page = http_call(
            server.url, "GET", f"/api/v1/changes/?after={after}&limit=1000", reader_token
        )
        assert page.status == 200
        feed += [c["id"] for c in page.body["results"]]
        if page.body["next"] is None:
            break
        after = feed[-1]
    assert all(a < b for a, b in itertools.pairwise(feed))
    assert feed == sorted(i for i, *_ in rows)
    # The consumer that followed the feed during the writes missed nothing either.
    after = followed[-1] if followed else 0
    while follow(after) != after:
        after = followed[-1]
    assert read_during > len(rows) // 2  # most of it read while the writes went on
    assert followed == feed


def test_two_coordinators_accept_the_same_amendments_at_once(
    server: Server, coordinator: Any, make_user: Any
) -> None:
    second = make_user("coordinator-2", "coordinator")
    tokens = [token_issue(user=coordinator)[1], token_issue(user=second)[1]]
    paragraph_count = 24
    declaration = declarations.declaration_create(
        actor=coordinator, title="Washington Summit Declaration", summit="Washington", year=2024
    )
    declarations.version_create(
        actor=coordinator,
        declaration=declaration,
        text="\n\n".join(f"Paragraph {i} as drafted." for i in range(1, paragraph_count + 1)),
    )
    proposers = [
        make_user(f"delegate-{code.lower()}", "delegate", code)
        for code in ("FRA", "DEU", "POL", "ITA")
    ]
    amendments = [
        declarations.amendment_propose(
            actor=proposers[i % 4],
            declaration=declaration,
            version_number=1,
            paragraph=i,
            text=f"Paragraph {i} as amended.",
            rationale="Clearer.",
        ).pk
        for i in range(1, paragraph_count + 1)
    ]
    # Two more on paragraph 1: once one amendment to it is accepted, the others no
    # longer apply to the latest text.
    rivals = [
        declarations.amendment_propose(
            actor=proposers[k],
            declaration=declaration,
            version_number=1,
            paragraph=1,
            text=f"Paragraph 1, rival text {k}.",
            rationale="Ours.",
        ).pk
        for k in (1, 2)
    ]
    everything = amendments + rivals
    outcomes: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    lock = threading.Lock()

    def coordinator_accepts(index: int) -> None:
        order = everything if index == 0 else list(reversed(everything))
        for amendment in order:
            answer = http_call(
                server.url,
                "POST",
                f"/api/v1/declarations/{declaration.pk}/amendments/{amendment}/decide/",
                tokens[index],
                {"decision": "accept"},
            )
            with lock:
                outcomes[amendment].append((answer.status, answer.body))

    started = time.monotonic()
    errors = run_threads(2, coordinator_accepts)
    elapsed = time.monotonic() - started
    print(f"\n{2 * len(everything)} acceptances by 2 coordinators in {elapsed:.1f} s")

    assert errors == []
    accepted_ids = []
    for amendment, answers in outcomes.items():
        statuses = sorted(status for status, _ in answers)
        if amendment in rivals or amendment == amendments[0]:
            assert statuses in ([200, 409], [409, 409]), (amendment, answers)
        else:
            # One wins; the other hears clearly that it was already accepted.
            assert statuses == [200, 409], (amendment, answers)
        for status, body in answers:
            if status == 409:
                assert body["detail"].startswith(("The amendment was already", "Paragraph 1"))
        if 200 in statuses:
            accepted_ids.append(amendment)
    # Paragraph 1 has three candidates: exactly one of them was accepted.
    assert len({amendments[0], *rivals} & set(accepted_ids)) == 1
    assert len(accepted_ids) == paragraph_count
    # Versions 1..n without gaps; each accepted amendment made exactly one of them.
    numbers = list(
        DeclarationVersion.objects.filter(declaration=declaration)
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert numbers == list(range(1, paragraph_count + 2))
    accepted = Amendment.objects.filter(declaration=declaration, status="accepted")
    assert sorted(a.pk for a in accepted) == sorted(accepted_ids)
    made = sorted(accepted.values_list("accepted_version__number", flat=True))
    assert made == list(range(2, paragraph_count + 2))
    assert Amendment.objects.filter(declaration=declaration, status="open").count() == 2
