"""Assets: the infrastructure a measure covers, where it is, who owns it, and on whose word.

Every fact recorded about an asset has its own source note beside it
(``host_source`` for the host state, ``location_source`` for the coordinates,
and so on); a fact without its note is refused (see ``assets.services``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from positions.models import Measure, State

COUNTRY_CODE = RegexValidator(
    r"^[A-Z]{3}\Z", _("Use an ISO 3166-1 alpha-3 code in capitals, e.g. CHN.")
)


class Asset(models.Model):
    """A piece of infrastructure in scope of measures: a port terminal, a rail line..."""

    class Kind(models.TextChoices):
        PORT_TERMINAL = "port_terminal", _("Port terminal")
        RAIL_LINE = "rail_line", _("Rail line")
        RAIL_TERMINAL = "rail_terminal", _("Rail terminal")
        ENERGY = "energy", _("Energy")
        TELECOM_NETWORK = "telecom_network", _("Telecom network")
        SEMICONDUCTOR_PLANT = "semiconductor_plant", _("Semiconductor plant")
        QUANTUM_FACILITY = "quantum_facility", _("Quantum facility")
        SHIPYARD = "shipyard", _("Shipyard")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    host = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="assets", verbose_name=_("host state")
    )
    host_source = models.TextField(_("source of the host state"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    location_source = models.TextField(_("source of the location"), blank=True)
    owner = models.CharField(_("owner entity"), max_length=200)
    owner_country = models.CharField(_("owner's country"), max_length=3, validators=[COUNTRY_CODE])
    owner_source = models.TextField(_("source of the owner"))
    share = models.DecimalField(
        _("ownership share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    share_source = models.TextField(_("source of the ownership share"), blank=True)
    criticality = models.PositiveSmallIntegerField(
        _("criticality"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("From 1 (minor) to 5 (vital)."),
    )
    criticality_source = models.TextField(_("source of the criticality"))
    measures = models.ManyToManyField(
        Measure, blank=True, related_name="assets", verbose_name=_("measures covering it")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.CheckConstraint(
                condition=Q(criticality__gte=1, criticality__lte=5),
                name="asset_criticality_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | Q(share__gte=0, share__lte=100),
                name="asset_share_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="asset_location_both_or_neither_in_range",
            ),
        ]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["owner_country"])]

    def __str__(self) -> str:
        return self.name
