"""``manage.py revoke_token PREFIX`` or ``manage.py revoke_token --all USERNAME``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import ApiToken, User
from accounts.services import token_revoke


class Command(BaseCommand):
    help = (
        "Revoke an API token by its prefix (the first 8 characters, shown in the admin), "
        "or every token of a user with --all USERNAME."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "target", metavar="PREFIX_OR_USERNAME", help="a token's prefix; a username with --all"
        )
        parser.add_argument(
            "--all", action="store_true", help="revoke every active token of the user named"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            self._revoke_all(options["target"])
        else:
            self._revoke_one(options["target"])

    def _revoke_one(self, prefix: str) -> None:
        tokens = list(ApiToken.objects.filter(prefix=prefix).select_related("user"))
        active = [token for token in tokens if token.is_active]
        if len(active) > 1:
            listed = ", ".join(
                f"{t.user.username} (created {t.created_at:%Y-%m-%d %H:%M})" for t in active
            )
            raise CommandError(
                f"The prefix {prefix!r} matches {len(active)} active tokens: {listed}. "
                "Revoke them with --all USERNAME, or in the admin. Nothing was revoked."
            )
        if active:
            token_revoke(token=active[0])
            self.stdout.write(f"Revoked token {prefix} of {active[0].user.username}.")
        elif tokens:
            self.stdout.write(f"Token {prefix} was already revoked; nothing changed.")
        elif User.objects.filter(username=prefix).exists():
            raise CommandError(
                f"No token has the prefix {prefix!r}, but a user has that name: "
                f"to revoke all of their tokens, run revoke_token --all {prefix}. "
                "Nothing was revoked."
            )
        else:
            raise CommandError(
                f"No token has the prefix {prefix!r} (the first 8 characters of the token, "
                "as shown in the admin). Nothing was revoked."
            )

    def _revoke_all(self, username: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}. Nothing was revoked.")
        with transaction.atomic():
            active = list(user.api_tokens.filter(revoked_at__isnull=True))
            for token in active:
                token_revoke(token=token)
        noun = "token" if len(active) == 1 else "tokens"
        self.stdout.write(f"Revoked {len(active)} {noun} of {user.username}.")
