"""Who the API knows: bearer tokens, sessions for the browsable API, and 401 without either."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse
from rest_framework.test import APIClient

from accounts.services import token_issue, token_revoke
from consensus.declarations.services import amendment_propose, declaration_create, version_create
from consensus.urls import api_v1

METHODS = ["get", "post", "put", "patch", "delete", "options"]


def _api_urls(measure_id: int, declaration: dict[str, int] | None = None) -> list[tuple[str, str]]:
    """Every route of the API, version 1, with its arguments filled in."""
    urls = []
    for pattern in api_v1:
        assert isinstance(pattern, URLPattern)
        kwargs: dict[str, object] = {}
        if "measure_id" in pattern.pattern.converters:
            kwargs["measure_id"] = measure_id
        if "code" in pattern.pattern.converters:
            kwargs["code"] = "FRA"
        for name in ("declaration_id", "number", "amendment_id", "webhook_id", "asset_id"):
            if name in pattern.pattern.converters:
                kwargs[name] = (declaration or {}).get(name, 1)
        if "job_id" in pattern.pattern.converters:
            kwargs["job_id"] = "00000000-0000-4000-8000-000000000001"  # no such export job
        url = reverse(f"api:{pattern.name}", kwargs=kwargs)
        if pattern.name == "phrase-search":
            url += "?q=enabler"
        urls.append((str(pattern.name), url))
    return urls


@pytest.fixture
def declaration_kwargs(coordinator, make_user) -> dict[str, int]:
    """A declaration with two versions and an amendment, for the routes that name them."""
    declaration = declaration_create(actor=coordinator, title="Declaration", summit="S", year=2024)
    version_create(actor=coordinator, declaration=declaration, text="A [key] enabler.")
    version_create(actor=coordinator, declaration=declaration, text="A decisive enabler.")
    amendment = amendment_propose(
        actor=make_user("walk-delegate", "delegate", "FRA"),
        declaration=declaration,
        version_number=2,
        paragraph=1,
        text="A key enabler.",
        rationale="Walk.",
    )
    return {"declaration_id": declaration.pk, "number": 2, "amendment_id": amendment.pk}


def test_the_walk_covers_every_route_of_the_api(measure):
    names = {name for name, _ in _api_urls(measure.pk)}
    assert names == {
        "token",
        "state-list",
        "measure-list",
        "measure-detail",
        "position-list",
        "position-detail",
        "measure-history",
        "support",
        "transfer",
        "silence",
        "silence-break",
        "matrix",
        "changes",
        "declaration-list",
        "declaration-detail",
        "declaration-version-list",
        "declaration-version-detail",
        "declaration-diff",
        "amendment-list",
        "amendment-detail",
        "amendment-stance",
        "amendment-decide",
        "phrase-search",
        "measure-assets",
        "asset-list",
        "asset-import",
        "asset-detail",
        "webhook-list",
        "webhook-detail",
        "webhook-deliveries",
        "export-list",
        "export-detail",
        "export-download",
        "schema",
        "docs",
    }


@pytest.mark.parametrize("method", METHODS)
def test_every_endpoint_but_the_token_one_answers_401_without_credentials(measure, written, method):
    before = written()
    for name, url in _api_urls(measure.pk):
        if name == "token" and method == "post":
            continue
        response = getattr(APIClient(), method)(url, {}, format="json")
        assert response.status_code == 401, (name, method, response.status_code)
        assert response["WWW-Authenticate"] == "Bearer", (name, method)
    assert written() == before


def test_a_wrong_token_is_refused_with_401(measure):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = client.get(reverse("api:measure-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_malformed_authorization_header_is_refused_with_401(measure):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer two words")

    assert client.get(reverse("api:measure-list")).status_code == 401


def test_a_revoked_token_is_refused_with_401(reader, measure):
    token, raw = token_issue(user=reader)
    token_revoke(token=token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert client.get(reverse("api:measure-list")).status_code == 401


def test_a_token_of_a_disabled_account_is_refused_with_401(reader, measure):
    _, raw = token_issue(user=reader)
    reader.is_active = False
    reader.save(update_fields=["is_active"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert client.get(reverse("api:measure-list")).status_code == 401


def test_a_bearer_token_authenticates_the_caller(api, delegate_fra, measure):
    response = api(delegate_fra).get(reverse("api:measure-detail", args=[measure.pk]))

    assert response.status_code == 200
    assert response.json()["id"] == measure.pk


def test_a_session_opens_the_browsable_api(client, delegate_fra, measure):
    client.force_login(delegate_fra)

    response = client.get(reverse("api:measure-list"), HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert measure.title in response.content.decode()


def test_a_session_reads_the_api_as_json(client, delegate_fra, measure):
    client.force_login(delegate_fra)

    response = client.get(
        reverse("api:position-detail", args=[measure.pk, "FRA"]), HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    assert response.json()["state"] == "FRA"


def test_a_session_writes_through_the_api_with_its_rights(client, delegate_fra, measure):
    client.force_login(delegate_fra)
    url = reverse("api:position-detail", args=[measure.pk, "FRA"])

    own = client.put(url, {"stances": {"eu": "support"}}, content_type="application/json")
    other = client.put(
        reverse("api:position-detail", args=[measure.pk, "DEU"]),
        {"stances": {"eu": "support"}},
        content_type="application/json",
    )

    assert own.status_code == 200
    assert own.json()["stances"]["eu"] == "support"
    assert other.status_code == 403


def test_a_session_write_needs_the_csrf_token(delegate_fra, measure, written):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(delegate_fra)
    before = written()

    response = client.put(
        reverse("api:position-detail", args=[measure.pk, "FRA"]),
        {"stances": {"eu": "support"}},
        format="json",
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert written() == before


def test_every_readable_endpoint_renders_in_the_browsable_api(
    client, coordinator, measure, declaration_kwargs
):
    client.force_login(coordinator)

    for name, url in _api_urls(measure.pk, declaration_kwargs):
        # These have no GET (the walk's measure has no silence procedure to show: 404).
        if name in {"token", "schema", "docs", "transfer", "amendment-stance", "amendment-decide"}:
            continue
        if name in {"silence", "silence-break", "asset-import", "export-list"}:
            continue
        # The walk's ids name no asset, webhook or export job: those answer 404.
        if name in {
            "asset-detail",
            "webhook-detail",
            "webhook-deliveries",
            "export-detail",
            "export-download",
        }:
            continue
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, (name, response.status_code)
        assert response["Content-Type"].startswith("text/html"), name
