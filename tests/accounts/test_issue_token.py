"""``manage.py issue_token``: the raw token alone on stdout, stored only as a hash."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from accounts.models import ApiToken, token_digest
from positions.models import Position, PositionChange


def issue(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.django_db
class TestIssueToken:
    def test_stdout_is_exactly_the_token_and_a_newline(self, reader):
        out, _ = issue("reader")

        raw = out.removesuffix("\n")
        assert out == raw + "\n"
        assert "\n" not in raw
        assert " " not in raw
        assert len(raw) >= 40

    def test_the_token_authenticates_against_the_api(self, reader):
        out, _ = issue("reader")

        response = bearer(out.strip()).get("/api/v1/states/")

        assert response.status_code == 200
        assert response.json()["count"] == 36

    def test_only_the_hash_of_the_token_is_stored(self, reader):
        out, err = issue("reader")
        raw = out.strip()

        token = ApiToken.objects.get()
        assert token.user == reader
        assert token.digest == token_digest(raw) != raw
        assert token.prefix == raw[:8]
        assert not token.read_only
        assert not ApiToken.objects.filter(digest=raw).exists()
        # The note on stderr names the prefix, never the token.
        assert token.prefix in err
        assert raw not in err

    def test_each_call_issues_a_new_token(self, reader):
        first, _ = issue("reader")
        second, _ = issue("reader")

        assert first != second
        assert ApiToken.objects.filter(user=reader).count() == 2

    def test_a_read_write_token_of_a_delegate_can_put_a_position(self, delegate_fra, measure):
        out, _ = issue("delegate-fra")

        response = bearer(out.strip()).put(
            f"/api/v1/measures/{measure.pk}/positions/FRA/",
            {"stances": {"alliance": "support"}},
            format="json",
        )

        assert response.status_code == 200
        assert PositionChange.objects.count() == 1

    def test_a_read_only_token_can_read_but_cannot_put_a_position(self, delegate_fra, measure):
        out, _ = issue("delegate-fra", "--read-only")
        client = bearer(out.strip())
        assert ApiToken.objects.get().read_only

        read = client.get(f"/api/v1/measures/{measure.pk}/positions/FRA/")
        write = client.put(
            f"/api/v1/measures/{measure.pk}/positions/FRA/",
            {"stances": {"alliance": "support"}},
            format="json",
        )

        assert read.status_code == 200
        assert write.status_code == 403
        assert not Position.objects.exists()
        assert not PositionChange.objects.exists()

    def test_it_refuses_an_unknown_user_and_issues_nothing(self, reader):
        out = io.StringIO()
        with pytest.raises(CommandError, match="No user named 'nobody'"):
            call_command("issue_token", "nobody", stdout=out, stderr=io.StringIO())

        assert out.getvalue() == ""
        assert not ApiToken.objects.exists()

    def test_it_refuses_a_disabled_account_and_issues_nothing(self, reader):
        reader.is_active = False
        reader.save(update_fields=["is_active"])
        out = io.StringIO()

        with pytest.raises(CommandError, match="disabled"):
            call_command("issue_token", "reader", stdout=out, stderr=io.StringIO())

        assert out.getvalue() == ""
        assert not ApiToken.objects.exists()
