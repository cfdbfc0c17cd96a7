"""``/health/``: whether the database, the cache and the broker answer."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from consensus.celery import app as celery_app

logger = logging.getLogger(__name__)

# A broker that does not answer within this many seconds counts as down.
BROKER_TIMEOUT = 2


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache() -> str:
    cache = caches["default"]
    key = "health:probe"
    value = secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    return type(cache).__name__


def _broker() -> str:
    if celery_app.conf.task_always_eager:
        return "eager (no broker: tasks run in the caller)"
    with celery_app.connection_for_write() as conn:
        # One attempt, no retry loop: a health check must answer quickly.
        conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)
        return str(conn.transport_cls)


def _probe(name: str, check: Callable[[], str]) -> dict[str, str]:
    try:
        return {"status": "ok", "detail": check()}
    except Exception as error:  # a health check reports every failure, whatever its kind
        # The full error goes to the log; the public answer only names its kind.
        logger.warning("health: the %s is down", name, exc_info=True)
        return {"status": "down", "detail": type(error).__name__}


@never_cache
@require_safe  # GET and HEAD: a probe reads, and any other method is a mistake (405)
def health(_request: HttpRequest) -> JsonResponse:
    """200 when every part answers; 503 (naming the part that failed) otherwise."""
    checks = {
        "database": _probe("database", _database),
        "cache": _probe("cache", _cache),
        "broker": _probe("broker", _broker),
    }
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503
    )
