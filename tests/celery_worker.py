"""A real Celery worker on the test Redis, in a thread, for the tests that need one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connection

import consensus.tasks  # noqa: F401  # the worker must know every task
import events.tasks  # noqa: F401
import exports.tasks  # noqa: F401
from consensus.celery import app


@contextmanager
def worker_running(settings: Any) -> Iterator[list[str]]:
    """Start a worker on ``settings.REDIS_URL``; yields the ids of the tasks it has finished."""
    # A real worker needs the real broker: `make test-postgresql` sets REDIS_URL.
    assert settings.REDIS_URL, "a real worker needs REDIS_URL (the test Redis)"
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    app.control.purge()  # nothing left over from an earlier run
    finished: list[str] = []

    def done(task_id: str, **kwargs: Any) -> None:
        finished.append(task_id)
        connection.close()  # the worker thread's own connection: leave no session behind

    task_postrun.connect(done, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield finished
    finally:
        task_postrun.disconnect(done)
        app.conf.task_always_eager, app.conf.broker_url = saved
