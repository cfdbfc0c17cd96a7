"""Declarations kept as numbered versions, and the amendments states propose to them."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from positions.models import AppendOnlyModel, AppendOnlyQuerySet, State


class Declaration(models.Model):
    """A negotiated text, such as a summit declaration, kept as numbered versions."""

    title = models.CharField(_("title"), max_length=200)
    summit = models.CharField(_("summit"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class DeclarationVersion(AppendOnlyModel):
    """One version of a declaration's text, never edited once saved.

    Numbers start at 1 and have no gaps. The paragraph and bracket counts are
    computed from the text when the version is made (the text never changes).
    A database trigger refuses UPDATE and DELETE as well.
    """

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("text"))
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    paragraph_count = models.PositiveIntegerField(_("paragraphs"))
    bracket_count = models.PositiveIntegerField(_("brackets"))

    objects: ClassVar[AppendOnlyQuerySet[DeclarationVersion]] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]  # a typed manager from our queryset

    class Meta:
        ordering = ["declaration", "number"]
        verbose_name = _("declaration version")
        verbose_name_plural = _("declaration versions")
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "number"], name="declaration_version_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="declaration_version_number_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id} v{self.number}"


class Amendment(models.Model):
    """A state's proposed new text for one paragraph of a version of a declaration."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    declaration = models.ForeignKey(
        Declaration, on_delete=models.PROTECT, related_name="amendments"
    )
    version = models.ForeignKey(
        DeclarationVersion,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("base version"),
    )
    paragraph = models.PositiveIntegerField(_("paragraph"))
    text = models.TextField(_("proposed text"))
    rationale = models.TextField(_("rationale"))
    sponsor = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="+", verbose_name=_("sponsor")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    accepted_version = models.OneToOneField(
        DeclarationVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accepted_amendment",
        verbose_name=_("version made by accepting it"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.CheckConstraint(
                condition=Q(paragraph__gte=1), name="amendment_paragraph_from_one"
            ),
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True, accepted_version__isnull=True)
                | Q(status="rejected", decided_at__isnull=False, accepted_version__isnull=True)
                | Q(status="accepted", decided_at__isnull=False, accepted_version__isnull=False),
                name="amendment_decision_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Amendment {self.pk} by {self.sponsor_id} to paragraph {self.paragraph}"


class AmendmentStance(models.Model):
    """A state's support for, or objection to, an amendment: once per state."""

    class Stance(models.TextChoices):
        SUPPORT = "support", _("Support")
        OPPOSE = "oppose", _("Oppose")

    amendment = models.ForeignKey(Amendment, on_delete=models.PROTECT, related_name="stances")
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="+", verbose_name=_("state")
    )
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["amendment", "at", "id"]
        verbose_name = _("amendment stance")
        verbose_name_plural = _("amendment stances")
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "state"], name="amendment_stance_one_per_state"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state_id} {self.stance}s amendment {self.amendment_id}"


class SilenceProcedure(models.Model):
    """A coordinator puts a measure under silence until a deadline.

    Any ally's delegate may break it with a written reason; if nobody does,
    the measure is adopted on the alliance route at the deadline. At most one
    procedure runs per measure (a partial unique constraint).
    """

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        BROKEN = "broken", _("Broken")
        CLOSED = "closed", _("Closed")

    measure = models.ForeignKey(
        "positions.Measure",
        on_delete=models.PROTECT,
        related_name="silence_procedures",
        verbose_name=_("measure"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RUNNING
    )
    deadline = models.DateTimeField(_("deadline"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    broken_at = models.DateTimeField(_("broken at"), null=True, blank=True)
    broken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("broken by"),
    )
    broken_by_state = models.ForeignKey(
        "positions.State",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("broken by state"),
    )
    reason = models.TextField(_("reason for breaking silence"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    adopted = models.BooleanField(
        _("adopted"),
        default=False,
        help_text=_("Whether closing the procedure adopted the measure."),
    )
    start_notice_sent_at = models.DateTimeField(_("start notice sent at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("silence procedure")
        verbose_name_plural = _("silence procedures")
        constraints = [
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(state="running"),
                name="one_running_silence_per_measure",
            ),
            models.CheckConstraint(
                condition=~Q(state="broken")
                | (Q(broken_by__isnull=False) & Q(broken_by_state__isnull=False)),
                name="broken_silence_names_who",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="silence_by_state_deadline")]

    def __str__(self) -> str:
        return f"silence on measure {self.measure_id} until {self.deadline} ({self.state})"
