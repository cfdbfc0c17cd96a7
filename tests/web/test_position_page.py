"""The position page (GET): who sees it, what form they get, and its queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

STANCES = ["support", "conditional", "abstain", "undecided", "oppose"]


def radio_groups(content: str) -> list[str]:
    """The names of the radio groups, each in its own fieldset with a legend."""
    fieldsets = re.findall(
        r"<fieldset[^>]*>\s*<legend>[^<]+</legend>(.*?)</fieldset>", content, re.S
    )
    groups = []
    for fieldset in fieldsets:
        names = set(re.findall(r'type="radio" name="(\w+)"', fieldset))
        assert len(names) == 1, names  # one group per fieldset
        groups.append(names.pop())
    return groups


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, measure, edit_url):
    response = client.get(edit_url(measure, "FRA"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("code", "groups"),
    [
        ("FRA", ["alliance", "bilateral", "eu"]),
        ("USA", ["alliance", "bilateral"]),
        ("NOR", ["alliance", "bilateral"]),
        ("ALB", ["alliance", "bilateral"]),
    ],
)
def test_a_delegate_gets_one_radio_group_per_route_of_their_state(
    client, make_user, measure, edit_url, code, groups
):
    client.force_login(make_user(f"delegate-{code.lower()}", "delegate", code))

    response = client.get(edit_url(measure, code))

    assert response.status_code == 200
    content = response.content.decode()
    assert radio_groups(content) == groups
    for group in groups:
        for i, stance in enumerate(STANCES):
            assert f'name="{group}" value="{stance}" id="id_{group}_{i}"' in content
            assert f'<label for="id_{group}_{i}">' in content
        # A state that has not spoken yet is undecided everywhere.
        assert f'name="{group}" value="undecided" id="id_{group}_3" required checked' in content
    assert '<label for="id_reservations">' in content
    assert '<label for="id_note">' in content
    assert '<input type="hidden" name="version" value="0"' in content


def test_a_coordinator_records_an_eu_only_state_on_the_eu_route_only(
    client, coordinator, measure, edit_url
):
    client.force_login(coordinator)

    content = client.get(edit_url(measure, "AUT")).content.decode()

    assert radio_groups(content) == ["eu"]


def test_the_form_shows_the_current_values_and_version(
    client, delegate_fra, measure, record, edit_url
):
    record(
        delegate_fra,
        measure,
        "FRA",
        stances={"alliance": "conditional", "eu": "oppose"},
        reservations="Only with a sunset clause",
        note="Cabinet decision",
    )
    client.force_login(delegate_fra)

    content = client.get(edit_url(measure, "FRA")).content.decode()

    assert 'name="alliance" value="conditional" id="id_alliance_1" required checked' in content
    assert 'name="bilateral" value="undecided" id="id_bilateral_3" required checked' in content
    assert 'name="eu" value="oppose" id="id_eu_4" required checked' in content
    assert ">\nOnly with a sunset clause</textarea>" in content
    assert ">\nCabinet decision</textarea>" in content
    assert '<input type="hidden" name="version" value="1"' in content


@pytest.mark.parametrize(
    ("user", "code"), [("reader", "FRA"), ("coordinator", "FRA"), ("delegate_deu", "FRA")]
)
def test_those_who_may_not_record_see_the_values_without_a_form(
    client, request, delegate_fra, measure, record, edit_url, user, code
):
    record(delegate_fra, measure, code, stances={"alliance": "support"}, note="Agreed in cabinet")
    client.force_login(request.getfixturevalue(user))

    response = client.get(edit_url(measure, code))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<dd class="stance">Support</dd>' in content
    assert "Agreed in cabinet" in content
    assert 'type="radio"' not in content
    assert 'name="version"' not in content
    assert "You can read this position but not change it." in content


def test_the_history_lists_the_states_changes_newest_first(
    client, delegate_fra, delegate_deu, measure, record, edit_url
):
    record(delegate_fra, measure, "FRA", stances={"alliance": "oppose"}, note="First reading")
    record(
        delegate_fra,
        measure,
        "FRA",
        stances={"alliance": "support", "eu": "conditional"},
        note="Second reading",
        source="web",
    )
    record(delegate_deu, measure, "DEU", stances={"alliance": "abstain"}, note="Germany's own")
    client.force_login(delegate_fra)

    content = client.get(edit_url(measure, "FRA")).content.decode()

    history = content.split('id="history-heading"', 1)[1]
    assert history.index("Second reading") < history.index("First reading")
    assert "Germany&#x27;s own" not in history
    assert "Alliance: Oppose → Support" in history
    assert "EU: Undecided → Conditional support" in history
    assert "Alliance: Undecided → Oppose" in history
    assert "Web form" in history
    assert "API" in history
    assert history.count("delegate-fra") == 2


def test_a_restricted_measure_is_not_found_for_a_non_participant(
    client, delegate_fra, restricted_measure, edit_url
):
    client.force_login(delegate_fra)

    assert client.get(edit_url(restricted_measure, "FRA")).status_code == 404
    assert client.get(edit_url(restricted_measure, "DEU")).status_code == 404


def test_a_state_outside_a_restricted_measure_is_not_found(
    client, delegate_deu, coordinator, restricted_measure, edit_url
):
    client.force_login(delegate_deu)
    assert client.get(edit_url(restricted_measure, "DEU")).status_code == 200
    assert client.get(edit_url(restricted_measure, "FRA")).status_code == 404

    client.force_login(coordinator)
    assert client.get(edit_url(restricted_measure, "AUT")).status_code == 404


def test_an_unknown_measure_or_state_is_not_found(client, delegate_fra, measure, edit_url):
    client.force_login(delegate_fra)

    assert client.get(reverse("position-edit", args=[measure.pk + 100, "FRA"])).status_code == 404
    assert client.get(edit_url(measure, "XXX")).status_code == 404


def test_a_lowercase_state_code_finds_the_state(client, delegate_fra, measure, edit_url):
    client.force_login(delegate_fra)

    content = client.get(edit_url(measure, "fra")).content.decode()

    assert radio_groups(content) == ["alliance", "bilateral", "eu"]


def test_it_takes_the_same_number_of_queries_for_more_measures_and_changes(
    client, delegate_fra, make_measure, record, edit_url, django_assert_max_num_queries
):
    measures = [make_measure() for _ in range(3)]
    record(delegate_fra, measures[0], "FRA", stances={"alliance": "support"})
    client.force_login(delegate_fra)
    with CaptureQueriesContext(connection) as few:
        assert client.get(edit_url(measures[0], "FRA")).status_code == 200
    measures += [make_measure() for _ in range(7)]
    for stance in ["oppose", "abstain", "conditional", "support"]:
        record(delegate_fra, measures[0], "FRA", stances={"alliance": stance, "eu": stance})
    for m in measures[1:]:
        record(delegate_fra, m, "FRA", stances={"bilateral": "oppose"})

    with django_assert_max_num_queries(len(few)):
        response = client.get(edit_url(measures[0], "FRA"))

    assert response.content.decode().count('class="transitions"') == 5
