"""``/health/``: whether the database, the cache and the broker answer."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from consensus.celery import app as celery_app


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache() -> str:
    key = "health:probe"
    value = str(time.monotonic())
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager (no broker: tasks run in the caller)"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return conn.transport_cls if isinstance(conn.transport_cls, str) else "redis"


def _probe(check: Callable[[], str]) -> dict[str, str]:
    try:
        return {"status": "ok", "detail": check()}
    except Exception as error:  # a health check reports every failure, whatever its kind
        return {"status": "down", "detail": f"{type(error).__name__}: {error}"}


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 when every part answers; 503 (with which part failed) otherwise."""
    checks = {"database": _probe(_database), "cache": _probe(_cache), "broker": _probe(_broker)}
    healthy = all(c["status"] == "ok" for c in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)
