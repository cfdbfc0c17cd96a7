"""``manage.py create_account USERNAME --role ROLE [--state CODE]``: an account, from a shell."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import account_create
from consensus.errors import InvalidInput

PASSWORD_VARIABLE = "ACCOUNT_PASSWORD"


def invalid_input_message(error: InvalidInput) -> str:
    """One line per bad field, ``field: message message``, for a command's error."""

    def joined(messages: Any) -> str:
        if isinstance(messages, dict):
            return "; ".join(f"{key}: {joined(value)}" for key, value in messages.items())
        if isinstance(messages, list):
            return " ".join(str(message) for message in messages)
        return str(messages)

    return "\n".join(f"{field}: {joined(messages)}" for field, messages in error.errors.items())


class Command(BaseCommand):
    help = (
        "Create an account with a role. The password comes from the environment "
        f"variable {PASSWORD_VARIABLE}, or is asked for twice when run in a terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=User.Role.values)
        parser.add_argument(
            "--state", help="the state a delegate speaks for (ISO 3166-1 alpha-3 code)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password()
        try:
            user = account_create(
                username=options["username"],
                password=password,
                role=options["role"],
                state_code=options["state"],
            )
        except InvalidInput as error:
            raise CommandError(invalid_input_message(error)) from None
        of_state = f" of {user.state_id}" if user.state_id else ""
        self.stdout.write(f"Created {user.role} {user.username}{of_state}.")

    def _password(self) -> str:
        from_environment = os.environ.get(PASSWORD_VARIABLE)
        if from_environment is not None:
            return from_environment
        if not sys.stdin.isatty():
            raise CommandError(
                f"No password: set {PASSWORD_VARIABLE}, or run the command in a terminal "
                "to be asked for one. No account was created."
            )
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("Cancelled. No account was created.") from None
        if password != again:
            raise CommandError("The two passwords differ. No account was created.")
        return password
