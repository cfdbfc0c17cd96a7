"""The exports page's form: what to export, in which format, on which route, as of when."""

from __future__ import annotations

from datetime import UTC, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from consensus.instants import InstantError, instant_parse
from consensus.rules import Route
from exports.models import ExportJob
from positions.forms import ROUTE_NAMES


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=ExportJob.Kind.choices)
    format = forms.ChoiceField(label=_("Format"), choices=ExportJob.Format.choices)
    route = forms.ChoiceField(
        label=_("Route"),
        choices=[(route.value, ROUTE_NAMES[route]) for route in Route],
        initial=Route.ALLIANCE.value,
        help_text=_("For the matrix only."),
    )
    as_of = forms.CharField(
        label=_("As of (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}),
        help_text=_(
            "Read as Coordinated Universal Time (UTC). Leave empty for now; "
            "for the history, the changes up to then."
        ),
    )

    def clean_as_of(self) -> datetime | None:
        raw: str = self.cleaned_data["as_of"].strip()
        if not raw:
            return None
        try:
            return instant_parse(raw, naive_as_utc=True).astimezone(UTC)
        except InstantError:
            raise forms.ValidationError(
                _("Not a date and time: use the picker, or write it as 2024-07-10T12:00 (UTC)."),
                code="invalid",
            ) from None
