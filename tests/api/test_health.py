"""GET /health/ reports the database, the cache and the broker: 200 if all answer, else 503."""

from __future__ import annotations

import time

from django.conf import settings as django_settings
from django.db import connection

from consensus.celery import app as celery_app

URL = "/health/"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_health_is_ok_when_every_part_answers(client, db):
    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"status": "ok", "detail": connection.vendor}
    assert body["cache"]["status"] == "ok"
    assert body["broker"]["status"] == "ok"


def test_health_names_the_parts_in_use(client, db):
    body = client.get(URL).json()

    if django_settings.REDIS_URL:
        assert body["cache"]["detail"] == "RedisCache"
        assert body["broker"]["detail"] == "redis"
    else:
        assert body["cache"]["detail"] == "LocMemCache"
        assert body["broker"]["detail"].startswith("eager")


def test_health_needs_no_credentials_and_is_never_cached(client, db):
    response = client.get(URL)

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_an_unreachable_cache_answers_503_quickly(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }
    started = time.monotonic()

    response = client.get(URL)

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["cache"] == {"status": "down", "detail": "ConnectionError"}
    assert body["database"]["status"] == "ok"


def test_an_unreachable_broker_answers_503_quickly(client, db, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", UNREACHABLE_REDIS)
    started = time.monotonic()

    response = client.get(URL)

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["status"] == "down"
    assert body["cache"]["status"] == "ok"


def test_a_failure_does_not_leak_addresses(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }

    page = client.get(URL).content.decode()

    assert "127.0.0.1" not in page
