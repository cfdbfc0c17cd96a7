"""``manage.py export_history FILE``: the whole record as JSON Lines (docs/exports.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from exports.history_archive import history_archive_write


class Command(BaseCommand):
    help = (
        "Write states' figures, measures, positions, the position change history and the "
        "measure status changes, with their original ids, versions and instants, to FILE "
        "as JSON Lines ('-' for standard output). Read in one snapshot."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write ('-': standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["file"]
        if path == "-":
            counts = history_archive_write(self.stdout)
        else:
            with open(path, "w", encoding="utf-8") as out:
                counts = history_archive_write(out)
        summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        self.stderr.write(f"Exported {summary}.")
