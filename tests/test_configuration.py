"""Production configuration: the deployment checklist, security headers, the
Content-Security-Policy, static files, the body size limit and the faults the
service must survive (Redis down, the database lost mid-request)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client

from positions.models import Position, PositionChange

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "test-configuration-7d3f0b9a2c5e8f1a4b6d9c0e3f7a2b5c8d1e4f6a9b0c3d5e7f8a1",
    "ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/consensus",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_PROXY_SSL_HEADER": "true",
}


def _clean_env() -> dict[str, str]:
    """This process's environment without what the tests set or the settings read
    (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy refuses)."""
    dropped = {"REDIS_URL", "DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("SECURE_")}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = _clean_env()
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _settings_in(env: dict[str, str], *names: str) -> dict[str, object]:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    base = _clean_env()
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "consensus.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# The deployment checklist ---------------------------------------------------------


def test_check_deploy_reports_nothing_with_production_settings():
    done = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_fails_when_https_is_not_enforced():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECURE_SSL_REDIRECT"}

    done = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert done.returncode != 0
    assert "security.W008" in done.stdout + done.stderr


def test_production_settings_use_https_only_cookies_and_hsts():
    values = _settings_in(
        PRODUCTION_ENV,
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
    )

    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_embedded_default_still_serves_plain_http():
    values = _settings_in(
        {"DEBUG": "true"},
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
    )

    assert values == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_SSL_REDIRECT": False,
    }


def test_json_logs_are_one_object_per_line():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('consensus.check').warning('hello %s', 'world')"
    )
    env = _clean_env()
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "consensus.settings",
            "SECRET_KEY": "x",
            "LOG_FORMAT": "json",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    entry = json.loads(done.stderr.strip().splitlines()[-1])
    assert entry["message"] == "hello world"
    assert (entry["level"], entry["logger"]) == ("WARNING", "consensus.check")


# Headers and the Content-Security-Policy -------------------------------------------


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def test_pages_carry_the_security_headers_and_a_strict_csp(client, db):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = _directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, and no nonce was needed
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]


def test_the_pages_have_no_inline_script_or_style(client, reader):
    client.force_login(reader)

    for url in ["/dashboard/", "/matrix/", "/changes/", "/declarations/"]:
        page = client.get(url).content.decode()
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None, url
        assert "<style" not in page, url
        assert " style=" not in page, url


def test_the_api_docs_page_works_under_the_csp(client, reader):
    client.force_login(reader)

    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in csp["script-src"]
    nonces = [s for s in csp["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) == 1
    page = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline, "Swagger UI's init script is inline"
    nonce = nonces[0][len("'nonce-") : -1]
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline)
    # Swagger UI styles its widgets inline; only this page allows it.
    assert "'unsafe-inline'" in csp["style-src"]
    for src in re.findall(r"""src=["']([^"']+)""", page):
        assert src.startswith("/static/"), src


def test_hsts_is_sent_on_https_only(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 3600

    plain = client.get("/accounts/login/")
    secure = client.get("/accounts/login/", secure=True)

    assert "Strict-Transport-Security" not in plain
    assert secure["Strict-Transport-Security"].startswith("max-age=3600")


def test_whitenoise_serves_the_collected_static_files(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", "--no-input", verbosity=0)

    response = Client().get("/static/consensus/matrix.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    body = b"".join(response.streaming_content)
    assert body == (ROOT / "consensus/static/consensus/matrix.css").read_bytes()


# An oversized body --------------------------------------------------------------------


def test_an_oversized_body_is_refused_with_413_and_writes_nothing(
    api, delegate_fra, measure, history_count
):
    limit = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    before = history_count()

    response = api(delegate_fra).put(
        f"/api/v1/measures/{measure.pk}/positions/FRA/",
        {"stances": {"alliance": "support"}, "note": "x" * (limit + 1)},
        format="json",
    )

    assert response.status_code == 413
    assert str(limit) in response.json()["detail"]
    assert history_count() == before
    assert not Position.objects.filter(measure=measure, state__code="FRA").exists()


def test_a_body_under_the_limit_still_goes_through(api, delegate_fra, measure, history_count):
    before = history_count()

    response = api(delegate_fra).put(
        f"/api/v1/measures/{measure.pk}/positions/FRA/",
        {"stances": {"alliance": "support"}, "note": "x" * 1000},
        format="json",
    )

    assert response.status_code == 200
    assert history_count() == before + 1


# Faults --------------------------------------------------------------------------------


def test_with_redis_down_health_reports_it_and_the_api_keeps_working(
    client, api, reader, delegate_fra, measure, history_count, settings
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    before = history_count()

    health = client.get("/health/")
    read = api(reader).get(f"/api/v1/measures/{measure.pk}/support/")
    write = api(delegate_fra).put(
        f"/api/v1/measures/{measure.pk}/positions/FRA/",
        {"stances": {"alliance": "support"}},
        format="json",
    )

    assert health.status_code == 503
    assert health.json()["cache"]["status"] == "down"
    assert health.json()["database"]["status"] == "ok"
    assert read.status_code == 200
    assert write.status_code == 200
    assert history_count() == before + 1


def test_a_database_lost_mid_write_answers_503_with_retry_after_and_writes_nothing(
    api, delegate_fra, measure, history_count, monkeypatch
):
    def connection_lost(*args: object, **kwargs: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    before = history_count()
    # The position row is written first; the connection drops before its change row.
    monkeypatch.setattr(PositionChange.objects, "create", connection_lost)

    response = api(delegate_fra).put(
        f"/api/v1/measures/{measure.pk}/positions/FRA/",
        {"stances": {"alliance": "support"}},
        format="json",
    )

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Retry" in response.json()["detail"]
    monkeypatch.undo()
    assert history_count() == before
    assert not Position.objects.filter(measure=measure, state__code="FRA").exists()


@pytest.mark.parametrize("path", ["/dashboard/"])
def test_a_page_with_the_database_lost_answers_503_too(client, reader, monkeypatch, path):
    client.force_login(reader)

    def connection_lost(*args: object, **kwargs: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("django.db.models.query.QuerySet._fetch_all", connection_lost)

    response = client.get(path)

    assert response.status_code == 503
    assert response["Retry-After"]
