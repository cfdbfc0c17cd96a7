"""The form on its own: its fields per state, and how a service refusal lands on them."""

from consensus.errors import InvalidInput
from consensus.rules import Route
from positions.forms import PositionForm

ALL = (Route.ALLIANCE, Route.BILATERAL, Route.EU)


def valid_form(routes=ALL) -> PositionForm:
    data = {route.value: "support" for route in routes} | {"version": "0"}
    form = PositionForm(data, routes=routes)
    assert form.is_valid(), form.errors
    return form


def test_it_has_one_stance_field_per_route_first_then_the_texts():
    form = PositionForm(routes=(Route.EU,))

    assert list(form.fields) == ["eu", "reservations", "note", "version"]


def test_it_gives_the_stances_of_its_routes_only():
    form = valid_form((Route.ALLIANCE, Route.BILATERAL))

    assert form.stances() == {"alliance": "support", "bilateral": "support"}


def test_a_refused_stance_lands_on_its_route_field():
    form = valid_form()

    form.add_refusal(InvalidInput({"stances": {"eu": ["FRA may not do that"]}}))

    assert form.errors == {"eu": ["FRA may not do that"]}
    assert "eu" not in form.cleaned_data


def test_a_refusal_naming_no_field_of_the_form_lands_on_the_form():
    form = valid_form()

    form.add_refusal(
        InvalidInput({"state": "not a participant", "stances": {"mars": ["unknown route"]}})
    )

    assert form.non_field_errors() == ["not a participant", "unknown route"]


def test_a_refused_note_lands_on_the_note():
    form = valid_form()

    form.add_refusal(InvalidInput({"note": ["too long"]}))

    assert form.errors == {"note": ["too long"]}


def test_text_from_a_browser_is_kept_with_plain_newlines_and_its_spaces():
    form = PositionForm(
        {"alliance": "support", "version": "3", "reservations": " a\r\nb ", "note": "x\r\n"},
        routes=(Route.ALLIANCE,),
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["reservations"] == " a\nb "
    assert form.cleaned_data["note"] == "x\n"
    assert form.cleaned_data["version"] == 3
