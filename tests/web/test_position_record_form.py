"""The position form (POST): recording, every refusal, and what was (not) written."""

import pytest
from django.urls import reverse

from positions.models import Position, PositionChange

FRANCE = {"alliance": "support", "bilateral": "oppose", "eu": "conditional"}


def post_data(version: int, **fields: str) -> dict[str, str | int]:
    return {**FRANCE, "reservations": "", "note": "", "version": version, **fields}


def test_a_delegate_records_their_states_position(client, delegate_fra, measure, edit_url):
    client.force_login(delegate_fra)

    response = client.post(
        edit_url(measure, "FRA"),
        post_data(0, reservations="Only with\r\na sunset clause", note="Cabinet decision"),
    )

    assert response.status_code == 302
    assert response["Location"] == edit_url(measure, "FRA")
    position = Position.objects.get(measure=measure, state="FRA")
    assert (position.alliance, position.bilateral, position.eu) == (
        "support",
        "oppose",
        "conditional",
    )
    assert position.reservations == "Only with\na sunset clause"
    assert position.note == "Cabinet decision"
    assert position.version == 1
    assert position.updated_by == delegate_fra
    change = PositionChange.objects.get()
    assert change.source == "web"
    assert change.by == delegate_fra
    assert change.version == 1
    assert (change.alliance_before, change.alliance_after) == ("undecided", "support")
    assert (change.eu_before, change.eu_after) == ("undecided", "conditional")
    assert change.note == "Cabinet decision"

    page = client.get(response["Location"]).content.decode()
    assert "Position recorded (version 1)." in page
    assert '<input type="hidden" name="version" value="1"' in page


def test_submitting_the_same_values_records_nothing_and_says_so(
    client, delegate_fra, measure, edit_url, record
):
    record(delegate_fra, measure, "FRA", stances=FRANCE, reservations="", note="")
    client.force_login(delegate_fra)

    response = client.post(edit_url(measure, "FRA"), post_data(1), follow=True)

    assert "Nothing changed" in response.content.decode()
    assert PositionChange.objects.count() == 1
    assert Position.objects.get().version == 1


def test_a_coordinator_records_an_eu_only_state(client, coordinator, measure, edit_url):
    client.force_login(coordinator)

    response = client.post(edit_url(measure, "AUT"), {"eu": "support", "version": 0, "note": ""})

    assert response.status_code == 302
    position = Position.objects.get(state="AUT")
    assert (position.alliance, position.bilateral, position.eu) == (None, None, "support")
    assert PositionChange.objects.get().source == "web"


def test_a_field_for_a_route_the_state_is_not_on_is_not_recorded(
    client, delegate_usa, measure, edit_url
):
    client.force_login(delegate_usa)

    client.post(edit_url(measure, "USA"), post_data(0))

    position = Position.objects.get(state="USA")
    assert (position.alliance, position.bilateral, position.eu) == ("support", "oppose", None)


@pytest.mark.parametrize(
    ("user", "code"),
    [
        ("delegate_deu", "FRA"),
        ("reader", "FRA"),
        ("coordinator", "FRA"),
    ],
)
def test_those_who_may_not_record_are_refused_and_nothing_is_written(
    client, request, measure, edit_url, written, user, code
):
    client.force_login(request.getfixturevalue(user))
    before = written()

    response = client.post(edit_url(measure, code), post_data(0))

    assert response.status_code == 403
    assert written() == before == ([], 0)


def test_an_anonymous_post_is_sent_to_login_and_nothing_is_written(
    client, measure, edit_url, written
):
    response = client.post(edit_url(measure, "FRA"), post_data(0))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert written() == ([], 0)


def test_a_post_on_a_restricted_measure_by_a_non_participant_is_not_found(
    client, delegate_fra, restricted_measure, edit_url, written
):
    client.force_login(delegate_fra)

    response = client.post(edit_url(restricted_measure, "FRA"), post_data(0))

    assert response.status_code == 404
    assert written() == ([], 0)


def test_a_stale_form_is_refused_and_shows_the_newer_values(
    client, delegate_fra, make_user, measure, edit_url, record, written
):
    colleague = make_user("delegate-fra-2", "delegate", "FRA")
    client.force_login(delegate_fra)
    opened_at = 0  # the version the form was based on
    record(colleague, measure, "FRA", stances={"alliance": "abstain"}, note="Colleague's view")
    before = written()

    response = client.post(
        edit_url(measure, "FRA"), post_data(opened_at, alliance="oppose", note="My view")
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone changed this position since you opened the form" in content
    assert "review and submit again" in content
    # The form now holds the newer values, based on the newer version.
    assert '<input type="hidden" name="version" value="1"' in content
    assert 'name="alliance" value="abstain" id="id_alliance_2" required checked' in content
    assert ">\nColleague&#x27;s view</textarea>" in content
    # What the user sent is shown back, not lost, and not written.
    submitted = content.split("What you submitted", 1)[1].split("</dl>", 1)[0]
    assert "<dd>Oppose</dd>" in submitted
    assert "My view" in submitted
    assert written() == before
    assert Position.objects.get().alliance == "abstain"


def test_after_a_stale_refusal_submitting_again_records(
    client, delegate_fra, measure, edit_url, record
):
    record(delegate_fra, measure, "FRA", stances={"alliance": "abstain"})
    client.force_login(delegate_fra)
    client.post(edit_url(measure, "FRA"), post_data(0))

    response = client.post(edit_url(measure, "FRA"), post_data(1))

    assert response.status_code == 302
    assert Position.objects.get().version == 2


@pytest.mark.parametrize(
    ("fields", "field_with_error"),
    [
        ({"alliance": "maybe"}, "alliance"),
        ({"eu": ""}, "eu"),
    ],
)
def test_an_invalid_stance_is_shown_on_its_field_and_nothing_is_written(
    client, delegate_fra, measure, edit_url, written, fields, field_with_error
):
    client.force_login(delegate_fra)

    response = client.post(edit_url(measure, "FRA"), post_data(0, **fields))

    assert response.status_code == 200
    content = response.content.decode()
    assert "The position was not recorded" in content
    assert f'<ul class="errorlist" id="id_{field_with_error}_error">' in content
    assert f'aria-describedby="id_{field_with_error}_error"' in content
    assert written() == ([], 0)


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
def test_a_missing_or_malformed_version_is_refused_and_nothing_is_written(
    client, delegate_fra, measure, edit_url, written, version
):
    client.force_login(delegate_fra)
    data = post_data(0)
    if version is None:
        del data["version"]
    else:
        data["version"] = version

    response = client.post(edit_url(measure, "FRA"), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "The position was not recorded" in content
    assert "The form lacks the version it was based on" in content
    assert written() == ([], 0)
