"""The delegate's position form: one stance per route the state belongs to, reservations, a note."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from consensus.errors import InvalidInput
from consensus.rules import Route
from positions.models import STANCE_CHOICES, Position

# Short names for table headings; the form's legends use the longer ones below.
ROUTE_NAMES: dict[Route, StrPromise] = {
    Route.ALLIANCE: _("Alliance"),
    Route.BILATERAL: _("Bilateral"),
    Route.EU: _("EU"),
}
ROUTE_LEGENDS: dict[Route, StrPromise] = {
    Route.ALLIANCE: _("Alliance route: a decision by consensus of all allies"),
    Route.BILATERAL: _("Bilateral route: agreements between the lead state and each ally"),
    Route.EU: _("EU route: a decision of the Council of the European Union"),
}
STANCE_LABELS: dict[str, StrPromise | str] = dict(STANCE_CHOICES)


def stance_label(value: str | None) -> StrPromise | str:
    """The stance's name for people; a dash where the state has no stance."""
    if value is None:
        return "—"
    return STANCE_LABELS.get(value, value)


class PositionForm(forms.Form):
    """A state's whole position, based on the version the user saw.

    The route fields are added per state: an ally outside the EU has no EU
    field, an EU state outside NATO only has the EU field.
    """

    reservations = forms.CharField(
        label=_("Reservations"),
        required=False,
        # Kept as typed: stripping would record a change the user did not make.
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The conditions your state attaches to its support, if any."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the position is what it is; kept in the change history."),
    )
    version = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={
            key: _("The form lacks the version it was based on: reload the page and try again.")
            for key in ("required", "invalid", "min_value")
        },
    )

    def __init__(self, *args: Any, routes: Sequence[Route], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.routes = tuple(routes)
        for route in self.routes:
            self.fields[route.value] = forms.ChoiceField(
                label=ROUTE_LEGENDS[route],
                choices=STANCE_CHOICES,
                widget=forms.RadioSelect,
            )
        self.order_fields([route.value for route in self.routes])

    @classmethod
    def for_position(cls, position: Position, *, routes: Sequence[Route]) -> PositionForm:
        """An unbound form showing the position's current values and version."""
        initial: dict[str, Any] = {
            route.value: stance.value for route, stance in position.stances().items()
        }
        initial |= {
            "reservations": position.reservations,
            "note": position.note,
            "version": position.version,
        }
        return cls(routes=routes, initial=initial)

    def route_fields(self) -> list[forms.BoundField]:
        return [self[route.value] for route in self.routes]

    def clean_reservations(self) -> str:
        return _normalise_newlines(self.cleaned_data["reservations"])

    def clean_note(self) -> str:
        return _normalise_newlines(self.cleaned_data["note"])

    def stances(self) -> dict[str, str]:
        return {route.value: self.cleaned_data[route.value] for route in self.routes}

    def submitted(self) -> list[tuple[StrPromise | str, str]]:
        """What the user sent, to show it back when it could not be recorded."""
        values: list[tuple[StrPromise | str, str]] = [
            (ROUTE_NAMES[route], str(stance_label(self.data.get(route.value))))
            for route in self.routes
            if self.data.get(route.value)
        ]
        for name in ("reservations", "note"):
            if self.data.get(name):
                values.append((self.fields[name].label or name, str(self.data[name])))
        return values

    def add_refusal(self, refusal: InvalidInput) -> None:
        """Show the service's refusal on the fields it names (the rest on the form)."""
        for key, messages in refusal.errors.items():
            if isinstance(messages, dict):  # {"stances": {"<route>": [...]}}: routes are fields
                for route, route_messages in messages.items():
                    self._add_messages(str(route), route_messages)
            else:
                self._add_messages(key, messages)

    def _add_messages(self, name: str, messages: object) -> None:
        texts = [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        self.add_error(name if name in self.fields else None, texts)


def _normalise_newlines(text: str) -> str:
    # Browsers send CRLF from a textarea; the API and the history store LF.
    return text.replace("\r\n", "\n")


class AsOfForm(forms.Form):
    """``?as_of=``: an instant (with a time zone, or in the user's), to show support as it stood."""

    as_of = forms.DateTimeField(
        label=_("Show support as it stood at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
        error_messages={
            "invalid": _("Enter a date and time, e.g. 2024-07-10 12:00 or 2024-07-10T12:00:00Z.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
