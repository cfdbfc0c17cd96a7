"""POST /api/v1/auth/token/ issues a token for a password; DELETE revokes the token in use."""

from __future__ import annotations

import hashlib

from django.urls import reverse
from rest_framework.test import APIClient

from accounts.api import TokenThrottle
from accounts.models import ApiToken
from accounts.services import token_issue
from tests.conftest import PASSWORD

URL = "/api/v1/auth/token/"


def _bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_token_endpoint_has_its_documented_address():
    assert reverse("api:token") == URL


def test_it_issues_a_token_for_a_username_and_password(delegate_fra):
    response = APIClient().post(
        URL, {"username": "delegate-fra", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 201
    raw = response.json()["token"]
    assert len(raw) >= 32
    token = ApiToken.objects.get()
    assert token.user == delegate_fra
    assert not token.read_only
    assert token.revoked_at is None


def test_the_token_is_stored_only_as_its_hash(delegate_fra):
    raw = (
        APIClient()
        .post(URL, {"username": "delegate-fra", "password": PASSWORD}, format="json")
        .json()["token"]
    )

    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert all(raw not in value for value in stored)
    assert raw.startswith(token.prefix)
    assert len(token.prefix) == 8


def test_the_token_works_as_a_bearer_token(delegate_fra, measure):
    raw = (
        APIClient()
        .post(URL, {"username": "delegate-fra", "password": PASSWORD}, format="json")
        .json()["token"]
    )

    response = _bearer(raw).get(reverse("api:position-detail", args=[measure.pk, "FRA"]))

    assert response.status_code == 200


def test_a_wrong_password_answers_401_and_issues_nothing(delegate_fra, written):
    before = written()

    response = APIClient().post(
        URL, {"username": "delegate-fra", "password": "not the password"}, format="json"
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "token" not in response.json()
    assert written() == before


def test_an_unknown_username_answers_401_and_issues_nothing(delegate_fra, written):
    before = written()

    response = APIClient().post(URL, {"username": "nobody", "password": PASSWORD}, format="json")

    assert response.status_code == 401
    assert written() == before


def test_a_disabled_account_gets_no_token(delegate_fra, written):
    delegate_fra.is_active = False
    delegate_fra.save(update_fields=["is_active"])
    before = written()

    response = APIClient().post(
        URL, {"username": "delegate-fra", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 401
    assert written() == before


def test_unknown_fields_answer_400_naming_them(delegate_fra, written):
    before = written()

    response = APIClient().post(
        URL,
        {"username": "delegate-fra", "password": PASSWORD, "scope": "admin"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"scope"}
    assert written() == before


def test_a_missing_password_answers_400_naming_it(delegate_fra, written):
    before = written()

    response = APIClient().post(URL, {"username": "delegate-fra"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"password"}
    assert written() == before


def test_a_stale_session_or_token_does_not_interfere_with_obtaining_one(delegate_fra):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer revoked-or-garbage")

    response = client.post(URL, {"username": "delegate-fra", "password": PASSWORD}, format="json")

    assert response.status_code == 201


def test_delete_revokes_the_token_in_use(delegate_fra, measure):
    kept, kept_raw = token_issue(user=delegate_fra)
    revoked, raw = token_issue(user=delegate_fra)
    client = _bearer(raw)

    response = client.delete(URL)

    assert response.status_code == 204
    revoked.refresh_from_db()
    kept.refresh_from_db()
    assert revoked.revoked_at is not None
    assert kept.revoked_at is None
    assert client.get(reverse("api:measure-list")).status_code == 401
    assert _bearer(kept_raw).get(reverse("api:measure-list")).status_code == 200


def test_delete_without_a_token_answers_401_and_revokes_nothing(client, delegate_fra, written):
    token_issue(user=delegate_fra)
    client.force_login(delegate_fra)
    before = written()

    response = client.delete(URL)

    assert response.status_code == 401
    assert written() == before


def test_a_read_only_token_is_issued_on_request(reader):
    response = APIClient().post(
        URL, {"username": "reader", "password": PASSWORD, "read_only": True}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["read_only"] is True
    assert ApiToken.objects.get().read_only


def test_a_read_only_token_can_read(api, delegate_fra, measure):
    client = api(delegate_fra, read_only=True)

    assert client.get(reverse("api:measure-list")).status_code == 200
    assert client.get(reverse("api:position-detail", args=[measure.pk, "FRA"])).status_code == 200


def test_a_read_only_token_can_never_write(api, coordinator, delegate_fra, measure, written):
    as_delegate = api(delegate_fra, read_only=True)
    as_coordinator = api(coordinator, read_only=True)
    before = written()

    answers = [
        as_delegate.put(
            reverse("api:position-detail", args=[measure.pk, "FRA"]),
            {"stances": {"alliance": "support"}},
            format="json",
        ),
        as_coordinator.put(
            reverse("api:position-detail", args=[measure.pk, "AUT"]),
            {"stances": {"eu": "support"}},
            format="json",
        ),
        as_coordinator.post(
            reverse("api:measure-list"),
            {"title": "Rail links", "category": "rail", "sponsor": "POL"},
            format="json",
        ),
        as_coordinator.patch(
            reverse("api:measure-detail", args=[measure.pk]), {"title": "New"}, format="json"
        ),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403, 403]
    assert all(a.json()["detail"] == "This token is read-only." for a in answers)
    assert written() == before


def test_a_read_only_token_may_revoke_itself(api, reader):
    client = api(reader, read_only=True)

    assert client.delete(URL).status_code == 204
    assert ApiToken.objects.get().revoked_at is not None
    assert client.get(reverse("api:state-list")).status_code == 401


def test_obtaining_tokens_is_rate_limited(delegate_fra, monkeypatch, written):
    monkeypatch.setattr(TokenThrottle, "rate", "2/min")
    client = APIClient()
    body = {"username": "delegate-fra", "password": PASSWORD}
    assert [client.post(URL, body, format="json").status_code for _ in range(2)] == [201, 201]
    before = written()

    response = client.post(URL, body, format="json")

    assert response.status_code == 429
    assert written() == before


def test_repeated_wrong_passwords_lock_the_account_out_even_with_the_right_one(
    settings, delegate_fra, written
):
    limit = 3
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = limit
    client = APIClient()
    wrong = {"username": "delegate-fra", "password": "guess"}
    first_failures = [client.post(URL, wrong, format="json").status_code for _ in range(limit - 1)]
    # The failure that reaches the limit is answered with the lockout already.
    reaching = client.post(URL, wrong, format="json")
    before = written()

    response = client.post(URL, {"username": "delegate-fra", "password": PASSWORD}, format="json")

    assert first_failures == [401] * (limit - 1)
    assert reaching.status_code == 429
    assert response.status_code == 429
    assert '"token"' not in response.content.decode()  # no token in the answer
    assert written() == before
    assert not ApiToken.objects.exists()


def test_the_lockout_is_per_username(settings, delegate_fra, delegate_deu):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    client = APIClient()
    for _ in range(2):
        client.post(URL, {"username": "delegate-fra", "password": "guess"}, format="json")

    response = client.post(URL, {"username": "delegate-deu", "password": PASSWORD}, format="json")

    assert response.status_code == 201


def test_a_right_password_below_the_limit_still_gets_a_token(settings, delegate_fra):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient()
    client.post(URL, {"username": "delegate-fra", "password": "guess"}, format="json")

    response = client.post(URL, {"username": "delegate-fra", "password": PASSWORD}, format="json")

    assert response.status_code == 201
