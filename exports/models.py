"""Export jobs: a matrix or the change history, built in the background into a file."""

from __future__ import annotations

import uuid
from datetime import UTC

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from positions.models import ROUTE_CHOICES, Measure


class ExportJob(models.Model):
    """One requested export: its parameters, its progress and, once done, its file.

    The file lives in Django's default storage (``MEDIA_ROOT``); the web
    processes and the workers must share it.
    """

    class Kind(models.TextChoices):
        MATRIX = "matrix", _("Support matrix")
        HISTORY = "history", _("Change history")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (XLSX)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    # Parameters: route and measure filters for a matrix, one measure for the history;
    # as_of for both (the matrix as it stood then; the changes up to then).
    route = models.CharField(_("route"), max_length=20, choices=ROUTE_CHOICES, blank=True)
    as_of = models.DateTimeField(_("as of"), null=True, blank=True)
    measure_status = models.CharField(
        _("measure status"), max_length=20, choices=Measure.Status.choices, blank=True
    )
    measure_category = models.CharField(
        _("measure category"), max_length=20, choices=Measure.Category.choices, blank=True
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("measure"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("build started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("build finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="export_by_user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="history") | Q(measure__isnull=True),
                name="export_measure_only_for_history",
            ),
            models.CheckConstraint(
                condition=Q(kind="matrix") | Q(route="", measure_status="", measure_category=""),
                name="export_route_and_filters_only_for_matrix",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} export {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        """Progress as a whole percentage; 100 once done, whatever the row count."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def filename(self) -> str:
        """The name the download carries: what it is, and the instant it shows."""
        parts: list[str] = [self.kind]
        if self.kind == self.Kind.MATRIX:
            parts.append(self.route)
        elif self.measure_id is not None:
            parts.append(f"measure-{self.measure_id}")
        if self.as_of is not None:
            parts.append(self.as_of.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
        return "-".join(parts) + "." + self.format

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.Format(self.format)]


CONTENT_TYPES: dict[ExportJob.Format, str] = {
    ExportJob.Format.CSV: "text/csv; charset=utf-8",
    ExportJob.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
