"""``manage.py load_demo``: load the July 2024 demo scenario; a second run writes nothing."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands.create_account import invalid_input_message
from consensus.errors import InvalidInput
from positions.demo import ACCOUNTS, DEFAULT_DEMO_PASSWORD, demo_load

PASSWORD_VARIABLE = "DEMO_PASSWORD"


class Command(BaseCommand):
    help = (
        "Load the demo scenario (measures on Chinese-owned port terminals, rail links and "
        "investment screening, France's motion to move the first to the EU, and stances of "
        "several states), through the same services as real users. Idempotent. "
        f"New demo accounts get the password in {PASSWORD_VARIABLE}; in demo mode "
        f"(DEBUG on) it defaults to {DEFAULT_DEMO_PASSWORD!r} and the accounts are printed. "
        f"With DEBUG off, {PASSWORD_VARIABLE} is required and no credentials are printed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        demo_mode: bool = settings.DEMO_MODE
        password = os.environ.get(PASSWORD_VARIABLE) or None
        if password is None and not demo_mode:
            # A known password is fine on a developer's machine, never on a real server.
            raise CommandError(
                f"Outside demo mode (DEBUG off) the demo accounts need a password of your "
                f"own: set {PASSWORD_VARIABLE}. Nothing was loaded."
            )
        try:
            loaded = demo_load(password=password or DEFAULT_DEMO_PASSWORD)
        except InvalidInput as error:
            raise CommandError(f"{invalid_input_message(error)}\nNothing was loaded.") from None

        self.stdout.write(
            f"Demo scenario: {len(loaded.measures_created)} measures created, "
            f"{len(loaded.measures_found)} already there; "
            f"{len(loaded.accounts_created)} accounts created, "
            f"{len(loaded.accounts_found)} already there; "
            f"{loaded.positions_recorded} positions recorded, "
            f"{loaded.positions_kept} left as they were; "
            f"{len(loaded.declarations.created)} declarations created, "
            f"{len(loaded.declarations.found)} already there."
        )
        if not demo_mode:
            return
        shown = "the value of DEMO_PASSWORD" if password else DEFAULT_DEMO_PASSWORD
        self.stdout.write(f"Demo accounts (demo mode only); new ones have the password {shown}:")
        for account in ACCOUNTS:
            role = account.role + (f" of {account.state_code}" if account.state_code else "")
            self.stdout.write(f"  {account.username:<14} {role}")
