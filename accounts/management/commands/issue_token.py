"""``manage.py issue_token USERNAME [--read-only]``: print a new API token, and nothing else."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import token_issue


class Command(BaseCommand):
    help = (
        "Issue a new API token for a user and print it on stdout, alone, so that "
        "TOKEN=$(manage.py issue_token alice) works. It is shown once: only its hash is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--read-only", action="store_true", help="the token may only read, never write"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}. No token was issued.")
        if not user.is_active:
            raise CommandError(f"The account {user.username!r} is disabled. No token was issued.")
        token, raw = token_issue(user=user, read_only=options["read_only"])
        scope = "read-only" if token.read_only else "read-write"
        # The note goes to stderr: stdout carries the token alone.
        self.stderr.write(
            f"Issued a {scope} token for {user.username} (prefix {token.prefix}); "
            "it is shown only this once.",
            style_func=str,
        )
        self.stdout.write(raw)
