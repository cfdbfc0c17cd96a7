"""Run the outbox sweep once: dispatch pending events and send due webhook deliveries."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from events.tasks import events_sweep


class Command(BaseCommand):
    help = (
        "Dispatch pending events and send the webhook deliveries that are due. With Redis, "
        "beat runs this every 30 seconds; in the embedded default, run it by hand or from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = events_sweep()
        self.stdout.write(
            f"{counts['events']} events dispatched, {counts['deliveries']} deliveries due"
        )
