"""``manage.py revoke_token``: by prefix, or every token of a user with ``--all``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from accounts.models import ApiToken, token_digest
from accounts.services import token_issue, token_revoke


def revoke(*args: str) -> str:
    out = io.StringIO()
    call_command("revoke_token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def status_with(raw: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client.get("/api/v1/states/").status_code


def active_count() -> int:
    return ApiToken.objects.filter(revoked_at__isnull=True).count()


@pytest.mark.django_db
class TestRevokeToken:
    def test_it_revokes_a_token_by_its_prefix(self, reader):
        token, raw = token_issue(user=reader)
        _, other_raw = token_issue(user=reader)
        assert status_with(raw) == 200

        output = revoke(token.prefix)

        token.refresh_from_db()
        assert token.revoked_at is not None
        assert output == f"Revoked token {token.prefix} of reader.\n"
        assert status_with(raw) == 401
        assert status_with(other_raw) == 200

    def test_it_revokes_every_token_of_a_user_with_all(self, reader, coordinator):
        raws = [token_issue(user=reader)[1], token_issue(user=reader, read_only=True)[1]]
        _, coordinator_raw = token_issue(user=coordinator)

        output = revoke("--all", "reader")

        assert output == "Revoked 2 tokens of reader.\n"
        assert [status_with(raw) for raw in raws] == [401, 401]
        assert status_with(coordinator_raw) == 200
        assert not ApiToken.objects.filter(user=reader, revoked_at__isnull=True).exists()

    def test_all_keeps_the_time_a_token_was_first_revoked(self, reader):
        token, _ = token_issue(user=reader)
        token_revoke(token=token)
        first_revoked_at = token.revoked_at
        token_issue(user=reader)

        output = revoke("--all", "reader")

        token.refresh_from_db()
        assert token.revoked_at == first_revoked_at
        assert output == "Revoked 1 token of reader.\n"

    def test_a_prefix_already_revoked_changes_nothing(self, reader):
        token, _ = token_issue(user=reader)
        token_revoke(token=token)
        first_revoked_at = token.revoked_at

        output = revoke(token.prefix)

        token.refresh_from_db()
        assert token.revoked_at == first_revoked_at
        assert "already revoked" in output

    def test_it_refuses_an_unknown_prefix_and_revokes_nothing(self, reader):
        token_issue(user=reader)

        with pytest.raises(CommandError, match="No token has the prefix 'zzzzzzzz'"):
            revoke("zzzzzzzz")

        assert active_count() == 1

    def test_it_refuses_an_ambiguous_prefix_and_revokes_nothing(self, reader, coordinator):
        # Two tokens whose first 8 characters collide: rare with random tokens, but possible.
        for user, raw in [(reader, "samepref-one"), (coordinator, "samepref-two")]:
            ApiToken.objects.create(user=user, digest=token_digest(raw), prefix=raw[:8])

        with pytest.raises(CommandError, match=r"matches 2 active tokens: .*coordinator") as error:
            revoke("samepref")

        assert "reader" in str(error.value)
        assert active_count() == 2

    def test_a_prefix_shared_with_a_revoked_token_revokes_the_active_one(self, reader):
        old = ApiToken.objects.create(
            user=reader, digest=token_digest("samepref-a"), prefix="samepref"
        )
        token_revoke(token=old)
        new = ApiToken.objects.create(
            user=reader, digest=token_digest("samepref-b"), prefix="samepref"
        )

        revoke("samepref")

        new.refresh_from_db()
        assert new.revoked_at is not None

    def test_a_username_without_all_is_refused_with_a_hint(self, reader):
        token_issue(user=reader)

        with pytest.raises(CommandError, match="revoke_token --all reader"):
            revoke("reader")

        assert active_count() == 1

    def test_all_refuses_an_unknown_user_and_revokes_nothing(self, reader):
        token_issue(user=reader)

        with pytest.raises(CommandError, match="No user named 'nobody'"):
            revoke("--all", "nobody")

        assert active_count() == 1


def test_token_prefixes_never_look_like_options(reader):
    # A prefix starting with "-" could not be passed to `revoke_token` on a command line.
    for _ in range(200):
        token, raw = token_issue(user=reader)
        assert not token.prefix.startswith("-")
        assert raw.isalnum()
