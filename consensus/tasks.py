"""Celery tasks: interfaces that load by id, call a service, and stay idempotent."""

from __future__ import annotations

from celery import shared_task

from consensus import silence
from events.tasks import enqueue


@shared_task(name="consensus.tasks.silence_close_due")  # type: ignore[untyped-decorator]  # celery is untyped
def silence_close_due() -> list[int]:
    """The periodic sweep (celery beat): close the silence procedures that are due, and
    queue the start notices and 24-hour reminders that have not gone out. Running it
    twice changes nothing more (each notice records when it was sent); a missed tick
    is caught up by the next one."""
    closed = silence.silence_close_due()
    for procedure_id in silence.silence_start_notices_due():
        enqueue(silence_notify, procedure_id, "started")
    for procedure_id in silence.silence_reminders_due():
        enqueue(silence_notify, procedure_id, "reminder")
    return closed


@shared_task(name="consensus.tasks.silence_notify")  # type: ignore[untyped-decorator]  # celery is untyped
def silence_notify(procedure_id: int, kind: silence.NoticeKind) -> int:
    """Mail the allies' delegates about a procedure ("started" or "reminder"), once."""
    return silence.silence_notify_send(procedure_id=procedure_id, kind=kind)
