"""Celery tasks for exports: load the job by id, call the service, stay idempotent."""

from __future__ import annotations

from celery import shared_task

from events.tasks import enqueue
from exports import selectors, services


@shared_task(name="exports.tasks.export_build")  # type: ignore[untyped-decorator]  # celery is untyped
def export_build(job_id: str) -> str | None:
    """Build the export's file; a job already done is not built again. Returns its status."""
    job = services.export_build(job_id=job_id)
    return None if job is None else job.status


@shared_task(name="exports.tasks.exports_sweep")  # type: ignore[untyped-decorator]  # celery is untyped
def exports_sweep() -> list[str]:
    """The periodic sweep (celery beat): send again the jobs whose task never reached a
    worker. Building is idempotent, so a job sent twice is built once."""
    waiting = selectors.exports_waiting()
    for job_id in waiting:
        enqueue(export_build, job_id)
    return waiting
