"""``manage.py generate_bench_data``: fill a database with a large history for the benchmark."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from bench import data
from positions.models import Measure


class Command(BaseCommand):
    help = (
        "Fill the database with generated measures, a history of position changes (with the "
        "positions they end in), measure status changes and declarations with many versions, "
        "in bulk (COPY on PostgreSQL). Deterministic for a seed. Refuses a database that "
        "already holds measures unless --flush, which first empties the measures, positions, "
        "history and declarations (TRUNCATE, PostgreSQL only). The 36 states come from the "
        "migrations; accounts are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--measures", type=int, default=2000)
        parser.add_argument("--changes", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--declarations", type=int, default=2)
        parser.add_argument("--versions", type=int, default=200, help="versions per declaration")
        parser.add_argument("--paragraphs", type=int, default=60, help="paragraphs per version")
        parser.add_argument(
            "--flush",
            action="store_true",
            help="empty the generated tables first (TRUNCATE ... CASCADE; PostgreSQL only)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["measures"] < 1 or options["changes"] < 0:
            raise CommandError("--measures must be at least 1 and --changes at least 0")
        if options["paragraphs"] < 1 or options["versions"] < 0 or options["declarations"] < 0:
            raise CommandError("--paragraphs, --versions and --declarations must be positive")
        started = time.perf_counter()
        existing = Measure.objects.count()
        if existing:
            if not options["flush"]:
                raise CommandError(
                    f"The database already holds {existing} measures; nothing was written. "
                    "Use --flush to empty the measures, positions, history and declarations "
                    "first, or point DATABASE_URL at another database."
                )
            try:
                data.flush()
            except RuntimeError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"flushed {existing} measures and everything that refers to them")
        report = data.generate(
            measures=options["measures"],
            changes=options["changes"],
            seed=options["seed"],
            declarations=options["declarations"],
            versions=options["versions"],
            paragraphs=options["paragraphs"],
        )
        method = "COPY" if connection.vendor == "postgresql" else "INSERT"
        for label, rows in report.rows.items():
            self.stdout.write(f"{label:<24} {rows:>10} rows  {report.seconds[label]:7.1f} s")
        if "vacuum analyze" in report.seconds:
            self.stdout.write(
                f"{'vacuum analyze':<24} {'':>10}       {report.seconds['vacuum analyze']:7.1f} s"
            )
        self.stdout.write(
            f"generated with {method} on {connection.vendor} (seed {options['seed']}) "
            f"in {time.perf_counter() - started:.1f} s; the history runs from "
            f"{data.START.isoformat()} to {data.history_end(options['changes']).isoformat()}"
        )
