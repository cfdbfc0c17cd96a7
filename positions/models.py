"""States, measures, positions and their append-only change history."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from consensus.rules import Route, Stance, routes_for

ROUTE_CHOICES = [
    (Route.ALLIANCE.value, _("Alliance (consensus of all allies)")),
    (Route.BILATERAL.value, _("Bilateral (US-led agreements)")),
    (Route.EU.value, _("European Union (Council)")),
]
STANCE_CHOICES = [
    (Stance.SUPPORT.value, _("Support")),
    (Stance.CONDITIONAL.value, _("Conditional support")),
    (Stance.ABSTAIN.value, _("Abstain")),
    (Stance.UNDECIDED.value, _("Undecided")),
    (Stance.OPPOSE.value, _("Oppose")),
]


class State(models.Model):
    """A country: one of the 32 allies or one of the four EU states outside NATO."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    alpha2 = models.CharField(_("alpha-2 code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    nato_member = models.BooleanField(_("NATO member"))
    nato_joined = models.PositiveSmallIntegerField(_("joined NATO"), null=True, blank=True)
    eu_member = models.BooleanField(_("EU member"))
    eu_population = models.PositiveBigIntegerField(
        _("EU population"),
        null=True,
        blank=True,
        help_text=_("Population used for EU qualified-majority voting; EU members only."),
    )
    source = models.TextField(_("source"), blank=True)
    # Any correction (a population figure) changes what the route rules compute.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("state")
        verbose_name_plural = _("states")
        permissions = [("record_position", "Can record this state's positions")]
        constraints = [
            models.CheckConstraint(
                condition=Q(nato_member=True) | Q(eu_member=True),
                name="state_is_ally_or_eu_member",
            ),
            models.CheckConstraint(
                condition=Q(eu_member=False, eu_population__isnull=True)
                | Q(eu_member=True, eu_population__gt=0),
                name="state_eu_population_iff_eu_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def routes(self) -> tuple[Route, ...]:
        return routes_for(nato_member=self.nato_member, eu_member=self.eu_member)


class Measure(models.Model):
    """A proposed action on which states take stances, per route."""

    class Category(models.TextChoices):
        PORTS = "ports", _("Ports")
        RAIL = "rail", _("Rail")
        ENERGY = "energy", _("Energy")
        TELECOM = "telecom", _("Telecom")
        SEMICONDUCTORS = "semiconductors", _("Semiconductors")
        QUANTUM = "quantum", _("Quantum")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        SILENCE = "silence", _("Under silence procedure")
        ADOPTED = "adopted", _("Adopted")
        BLOCKED = "blocked", _("Blocked")
        TRANSFERRED = "transferred", _("Transferred")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class EuRule(models.TextChoices):
        QMV = "qmv", _("Qualified majority")
        UNANIMITY = "unanimity", _("Unanimity")

    class Kind(models.TextChoices):
        SUBSTANTIVE = "substantive", _("Substantive measure")
        TRANSFER = "transfer", _("Transfer motion")

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    sponsor = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="sponsored_measures",
        verbose_name=_("sponsor"),
    )
    lead = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="led_measures",
        verbose_name=_("lead state"),
        help_text=_("Leads the bilateral route; the sponsor unless set."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    eu_rule = models.CharField(
        _("EU rule"), max_length=20, choices=EuRule.choices, default=EuRule.QMV
    )
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Visible only to the participants' delegates and to coordinators."),
    )
    participants = models.ManyToManyField(
        State, blank=True, related_name="participating_measures", verbose_name=_("participants")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.SUBSTANTIVE
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer_motions",
        verbose_name=_("parent measure"),
    )
    target_route = models.CharField(
        _("target route"), max_length=20, choices=ROUTE_CHOICES, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="substantive", parent__isnull=True, target_route__isnull=True)
                | Q(kind="transfer", parent__isnull=False, target_route__isnull=False),
                name="measure_transfer_has_parent_and_target",
            ),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["category"])]

    def __str__(self) -> str:
        return self.title


class MeasureUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Measure, on_delete=models.CASCADE)


class MeasureGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Measure, on_delete=models.CASCADE)


class StateUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(State, on_delete=models.CASCADE)


class StateGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(State, on_delete=models.CASCADE)


def _stance_field(route: Route) -> models.CharField[Any, Any]:
    return models.CharField(
        _("%(route)s stance") % {"route": route.value},
        max_length=12,
        choices=STANCE_CHOICES,
        null=True,
        blank=True,
    )


class Position(models.Model):
    """One state's stances on one measure, one per route it belongs to.

    Created lazily by the first change; until then the state is undecided on
    every route, at version 0. A route the state does not belong to is NULL.
    """

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="positions")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="positions")
    alliance = _stance_field(Route.ALLIANCE)
    bilateral = _stance_field(Route.BILATERAL)
    eu = _stance_field(Route.EU)
    reservations = models.TextField(_("reservations"), blank=True)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [
            models.UniqueConstraint(fields=["measure", "state"], name="position_one_per_state"),
        ]

    def __str__(self) -> str:
        return f"{self.state_id} on measure {self.measure_id} (v{self.version})"

    def stances(self) -> dict[Route, Stance]:
        """The stance per route the state belongs to."""
        return {
            route: Stance(getattr(self, route.value))
            for route in Route
            if getattr(self, route.value) is not None
        }


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a history row."""


_Row = TypeVar("_Row", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_Row]):
    """A queryset that refuses to change or remove rows."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: never updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: never deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: never updated")


class AppendOnlyModel(models.Model):
    """A history row: inserted once, never updated, never deleted.

    Each subclass declares ``objects = AppendOnlyQuerySet.as_manager()``, typed
    with its own class.
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only: never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only: never deleted")


class PositionChange(AppendOnlyModel):
    """One effective change to a position, kept forever.

    Holds every route's stance before and after (NULL for a route the state
    does not belong to), so support at any past instant is rebuilt from this
    table alone. A database trigger refuses UPDATE and DELETE as well.
    """

    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        API = "api", _("API")
        SILENCE = "silence", _("Silence procedure")
        IMPORT = "import", _("Import")

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="changes")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    version = models.PositiveIntegerField(_("version after the change"))
    alliance_before = _stance_field(Route.ALLIANCE)
    alliance_after = _stance_field(Route.ALLIANCE)
    bilateral_before = _stance_field(Route.BILATERAL)
    bilateral_after = _stance_field(Route.BILATERAL)
    eu_before = _stance_field(Route.EU)
    eu_after = _stance_field(Route.EU)
    reservations = models.TextField(_("reservations after the change"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects: ClassVar[AppendOnlyQuerySet[PositionChange]] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]  # a typed manager from our queryset

    class Meta:
        verbose_name = _("position change")
        verbose_name_plural = _("position changes")
        constraints = [
            # Every accepted write is recorded exactly once: one row per version.
            models.UniqueConstraint(
                fields=["measure", "state", "version"], name="position_change_one_per_version"
            ),
        ]
        indexes = [
            # The as-of question: a seek per (measure, state) to the newest row
            # at or before an instant; the stances ride along (PostgreSQL's
            # INCLUDE) so the seek is an index-only scan.
            models.Index(
                fields=["measure", "state", "-at", "-id"],
                name="position_change_as_of",
                include=["alliance_after", "bilateral_after", "eu_after"],
            ),
            models.Index(fields=["-at", "-id"], name="position_change_feed"),
        ]

    def __str__(self) -> str:
        return f"{self.state_id} on measure {self.measure_id}: v{self.version} at {self.at}"

    def transitions(self) -> dict[Route, tuple[Stance, Stance]]:
        """The routes whose stance changed, as (before, after)."""
        result: dict[Route, tuple[Stance, Stance]] = {}
        for route in Route:
            before = getattr(self, f"{route.value}_before")
            after = getattr(self, f"{route.value}_after")
            if before != after and after is not None:
                result[route] = (Stance(before), Stance(after))
        return result


class MeasureStatusChange(AppendOnlyModel):
    """One change of a measure's status, kept forever, with why it happened."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="status_changes")
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    before = models.CharField(_("status before"), max_length=20, choices=Measure.Status.choices)
    after = models.CharField(_("status after"), max_length=20, choices=Measure.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    motion = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transfer motion"),
        help_text=_("The transfer motion whose agreement moved the measure, if any."),
    )

    objects: ClassVar[AppendOnlyQuerySet[MeasureStatusChange]] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]  # a typed manager from our queryset

    class Meta:
        verbose_name = _("measure status change")
        verbose_name_plural = _("measure status changes")
        indexes = [
            models.Index(fields=["measure", "-at", "-id"], name="measure_status_change_by_at")
        ]

    def __str__(self) -> str:
        return f"measure {self.measure_id}: {self.before} → {self.after} at {self.at}"
