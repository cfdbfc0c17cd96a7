"""Standing users and measures, made through the same services real users go through."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps as django_apps
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import account_create, token_issue
from consensus.celery import app as celery_app
from positions.models import Measure, PositionChange, State
from positions.services import measure_create

PASSWORD = "correct horse battery staple"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgresql`` (row locks, concurrency) need PostgreSQL."""
    from django.conf import settings

    on_postgresql = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(pytest.mark.skipif(not on_postgresql, reason="needs PostgreSQL"))


@pytest.fixture(autouse=True)
def _states_after_a_flush(request: pytest.FixtureRequest) -> None:
    """Transactional tests empty every table when they end, the states of the data
    migration included: put the 36 states back before each of them.

    (Django's ``serialized_rollback`` would do it, but once Playwright's event loop
    runs in the test thread, Django hands the tests a connection object without
    the serialized copy, so the browser tests cannot rely on it.)
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    if State.objects.count() != 36:
        load_states = importlib.import_module("positions.migrations.0002_load_states").load_states
        load_states(django_apps, None)


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    # Login throttling is tested on its own; elsewhere it would only add noise.
    settings.AXES_ENABLED = False
    # A deliberately slow password hash is the point in production, not in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(username: str, role: str, state: str | None = None) -> User:
        return account_create(username=username, password=PASSWORD, role=role, state_code=state)

    return make


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user("coordinator", "coordinator")


@pytest.fixture
def reader(make_user: Callable[..., User]) -> User:
    return make_user("reader", "reader")


@pytest.fixture
def delegate_fra(make_user: Callable[..., User]) -> User:
    return make_user("delegate-fra", "delegate", "FRA")


@pytest.fixture
def delegate_deu(make_user: Callable[..., User]) -> User:
    return make_user("delegate-deu", "delegate", "DEU")


@pytest.fixture
def delegate_usa(make_user: Callable[..., User]) -> User:
    return make_user("delegate-usa", "delegate", "USA")


@pytest.fixture
def state() -> Callable[[str], State]:
    def get(code: str) -> State:
        return State.objects.get(code=code)

    return get


@pytest.fixture
def make_measure(coordinator: User, state: Callable[[str], State]) -> Callable[..., Measure]:
    def make(**fields: Any) -> Measure:
        fields.setdefault("title", "Operating control of port terminals")
        fields.setdefault("category", "ports")
        fields.setdefault("status", "open")
        fields["sponsor"] = state(fields.get("sponsor", "USA"))
        if isinstance(fields.get("lead"), str):
            fields["lead"] = state(fields["lead"])
        fields["participants"] = [state(c) for c in fields.get("participants", [])]
        return measure_create(actor=coordinator, **fields)

    return make


@pytest.fixture
def measure(make_measure: Callable[..., Measure]) -> Measure:
    return make_measure()


@pytest.fixture
def restricted_measure(make_measure: Callable[..., Measure]) -> Measure:
    return make_measure(
        title="Screening quantum investments",
        category="quantum",
        restricted=True,
        participants=["USA", "DEU", "NLD"],
    )


@pytest.fixture
def api() -> Callable[..., APIClient]:
    """An API client authenticated with a fresh token of the user (or anonymous)."""

    def client(user: User | None = None, *, read_only: bool = False) -> APIClient:
        c = APIClient()
        if user is not None:
            _, raw = token_issue(user=user, read_only=read_only)
            c.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return c

    return client


@pytest.fixture
def history_count() -> Callable[[], int]:
    return lambda: PositionChange.objects.count()


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Run tasks in the caller, as the embedded default does (unit tests of services only;
    the behaviour that depends on Celery is tested with a real worker: tests/celery_worker.py)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before
