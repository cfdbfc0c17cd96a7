"""``manage.py create_account``: the password from the environment or a prompt, every refusal."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import permissions
from accounts.models import User
from positions.models import State
from tests.conftest import PASSWORD

NEW_PASSWORD = "quiet harbour lantern 42"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class NotATerminal(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture
def password_env(monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", NEW_PASSWORD)


@pytest.fixture
def no_password_env(monkeypatch):
    monkeypatch.delenv("ACCOUNT_PASSWORD", raising=False)


@pytest.fixture
def prompt(monkeypatch: pytest.MonkeyPatch, no_password_env: None) -> Callable[..., list[str]]:
    """A terminal whose getpass prompts answer the given values in turn."""
    asked: list[str] = []

    def answer(*values: str) -> list[str]:
        replies = iter(values)

        def getpass(prompt: str = "") -> str:
            asked.append(prompt)
            return next(replies)

        monkeypatch.setattr("sys.stdin", FakeTerminal())
        monkeypatch.setattr("getpass.getpass", getpass)
        return asked

    return answer


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_account", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
class TestCreateAccount:
    def test_it_creates_a_delegate_with_the_password_from_the_environment(self, password_env):
        output = run("alice", "--role", "delegate", "--state", "fra")

        user = User.objects.get(username="alice")
        assert (user.role, user.state_id) == ("delegate", "FRA")
        assert user.check_password(NEW_PASSWORD)
        assert output == "Created delegate alice of FRA.\n"

    def test_the_new_delegate_may_record_only_their_states_positions(self, password_env):
        run("alice", "--role", "delegate", "--state", "FRA")

        user = User.objects.get(username="alice")
        assert permissions.can_record_position(user, State.objects.get(code="FRA"))
        assert not permissions.can_record_position(user, State.objects.get(code="DEU"))

    def test_it_creates_a_coordinator_and_a_reader_without_a_state(self, password_env):
        assert run("carol", "--role", "coordinator") == "Created coordinator carol.\n"
        assert run("rita", "--role", "reader") == "Created reader rita.\n"

        assert User.objects.get(username="carol").is_coordinator
        reader = User.objects.get(username="rita")
        assert (reader.role, reader.state_id) == ("reader", None)

    def test_it_asks_for_the_password_twice_in_a_terminal(self, prompt):
        asked = prompt(NEW_PASSWORD, NEW_PASSWORD)

        run("alice", "--role", "reader")

        assert len(asked) == 2
        assert User.objects.get(username="alice").check_password(NEW_PASSWORD)

    def test_it_prefers_the_environment_to_the_prompt(self, prompt, monkeypatch):
        asked = prompt("never", "asked")
        monkeypatch.setenv("ACCOUNT_PASSWORD", NEW_PASSWORD)

        run("alice", "--role", "reader")

        assert asked == []
        assert User.objects.get(username="alice").check_password(NEW_PASSWORD)

    def test_it_refuses_two_different_passwords_and_writes_nothing(self, prompt):
        prompt(NEW_PASSWORD, NEW_PASSWORD + "!")

        with pytest.raises(CommandError, match="differ"):
            run("alice", "--role", "reader")

        assert not User.objects.exists()

    def test_it_refuses_without_a_password_or_a_terminal_and_writes_nothing(
        self, no_password_env, monkeypatch
    ):
        monkeypatch.setattr("sys.stdin", NotATerminal())

        def getpass(prompt: str = "") -> str:
            raise AssertionError("must not prompt without a terminal")

        monkeypatch.setattr("getpass.getpass", getpass)

        with pytest.raises(CommandError, match="ACCOUNT_PASSWORD"):
            run("alice", "--role", "reader")

        assert not User.objects.exists()

    def test_it_refuses_an_unknown_role_and_writes_nothing(self, password_env):
        with pytest.raises(CommandError, match="invalid choice: 'admin'"):
            run("alice", "--role", "admin")

        assert not User.objects.exists()

    def test_it_refuses_an_unknown_state_naming_the_field(self, password_env):
        with pytest.raises(CommandError, match=r"^state: unknown state 'XYZ'$"):
            run("alice", "--role", "delegate", "--state", "XYZ")

        assert not User.objects.exists()

    def test_it_refuses_a_delegate_without_a_state(self, password_env):
        with pytest.raises(CommandError, match=r"^state: a delegate needs a state"):
            run("alice", "--role", "delegate")

        assert not User.objects.exists()

    def test_it_refuses_a_reader_with_a_state(self, password_env):
        with pytest.raises(CommandError, match=r"^state: only delegates have a state"):
            run("alice", "--role", "reader", "--state", "FRA")

        assert not User.objects.exists()

    def test_it_refuses_a_taken_username_and_leaves_the_account_alone(
        self, password_env, make_user
    ):
        make_user("alice", "reader")

        with pytest.raises(CommandError, match=r"^username: the username 'alice' is taken$"):
            run("alice", "--role", "coordinator")

        user = User.objects.get(username="alice")
        assert User.objects.count() == 1
        assert user.role == "reader"
        assert user.check_password(PASSWORD)

    def test_it_refuses_a_weak_password_naming_the_field(self, monkeypatch):
        monkeypatch.setenv("ACCOUNT_PASSWORD", "12345678")

        with pytest.raises(CommandError, match=r"^password: .*entirely numeric"):
            run("alice", "--role", "reader")

        assert not User.objects.exists()


def test_from_a_shell_without_a_password_or_a_terminal_it_exits_non_zero(tmp_path: Path):
    # A real process, stdin not a terminal: the refusal comes before any database access.
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_PASSWORD"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'never-created.sqlite3'}"
    env.setdefault("SECRET_KEY", "x")
    result = subprocess.run(
        [sys.executable, "manage.py", "create_account", "alice", "--role", "reader"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "ACCOUNT_PASSWORD" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "never-created.sqlite3").exists()
