"""Reads on export jobs: which jobs a user may see."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from exports.models import ExportJob


def exports_visible(*, user: User) -> QuerySet[ExportJob]:
    """The jobs the user may see: their own; a coordinator sees every job."""
    jobs = ExportJob.objects.all()
    if not permissions.can_see_every_export(user):
        jobs = jobs.filter(requested_by=user)
    return jobs


def exports_waiting(*, older_than: timedelta = timedelta(minutes=1)) -> list[str]:
    """Jobs still queued a while after they were requested: their task never reached a
    worker (the broker was down at the time). The sweep sends them again."""
    cutoff = timezone.now() - older_than
    return [
        str(pk)
        for pk in ExportJob.objects.filter(
            status=ExportJob.Status.QUEUED, requested_at__lte=cutoff
        ).values_list("pk", flat=True)
    ]


def exports_requested_by(*, user: User, limit: int = 50) -> list[ExportJob]:
    """The user's own jobs, newest first (the exports page). One query."""
    return list(ExportJob.objects.filter(requested_by=user).order_by("-requested_at")[:limit])
