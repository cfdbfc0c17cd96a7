"""``manage.py import_history FILE``: load an ``export_history`` file into an empty database."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from exports.history_archive import ArchiveError, history_archive_load


class Command(BaseCommand):
    help = (
        "Load a file written by export_history ('-' for standard input) into an empty "
        "database, in one transaction: all of it, or nothing if any line is bad. People "
        "named in the history who have no account here get an inactive account."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the file to load ('-': standard input)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["file"]
        try:
            if path == "-":
                counts = history_archive_load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as lines:
                    counts = history_archive_load(lines)
        except (ArchiveError, DatabaseError, UnicodeDecodeError) as error:
            raise CommandError(f"{error}\nNothing was imported.") from None
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        self.stdout.write(f"Imported {summary}.")
