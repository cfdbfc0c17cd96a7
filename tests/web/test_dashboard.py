"""The dashboard (/dashboard/): every visible measure with its routes, and what changed."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from positions.models import PositionChange


@pytest.fixture
def url():
    return reverse("dashboard")


def _changes_section(content: str) -> str:
    start = content.index('id="changes-title"')
    return content[start : content.index('id="measures-title"')]


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["coordinator", "reader", "delegate_fra"])
def test_every_role_sees_each_measure_with_its_three_routes(request, client, measure, url, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert measure.title in content
    assert reverse("measure-positions", args=[measure.pk]) in content
    assert content.count('class="badge badge-open"') == 3  # nobody has spoken: all open
    assert content.count("<meter") == 3
    assert '<a href="/dashboard/" aria-current="page">Dashboard</a>' in content
    assert '<label for="filter-status">' in content
    assert '<label for="filter-category">' in content


def test_each_support_bar_writes_its_percentage(
    client, coordinator, delegate_fra, measure, record, url
):
    record(delegate_fra, measure, "FRA", stances={"alliance": "support", "eu": "conditional"})
    client.force_login(coordinator)

    content = client.get(url).content.decode()

    bars = re.findall(
        r'<meter min="0" max="1" value="([0-9.]+)"[^>]*></meter>\s*'
        r'<span class="level">([^<]+)</span>',
        content,
    )
    # Alliance 1/32, bilateral: no partner yet (FRA is not the lead), EU 1/27.
    assert bars == [("0.0312", "3%"), ("0.0000", "0%"), ("0.0370", "4%")]


@pytest.mark.parametrize(
    ("role", "sees"),
    [("reader", False), ("delegate_fra", False), ("delegate_usa", True), ("coordinator", True)],
)
def test_a_restricted_measure_and_its_changes_show_only_to_those_who_may_see_it(
    request, client, delegate_usa, measure, restricted_measure, record, url, role, sees
):
    record(delegate_usa, restricted_measure, "USA", stances={"alliance": "oppose"}, note="secret")
    client.force_login(request.getfixturevalue(role))

    content = client.get(url).content.decode()

    assert measure.title in content
    assert (restricted_measure.title in content) is sees
    assert (restricted_measure.title in _changes_section(content)) is sees


def test_the_filters_narrow_the_measures(client, coordinator, make_measure, url):
    make_measure(title="Open ports", status="open", category="ports")
    make_measure(title="Draft ports", status="draft", category="ports")
    make_measure(title="Open quantum", status="open", category="quantum")
    client.force_login(coordinator)

    def titles(**params):
        content = client.get(url, params).content.decode()
        return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', content)

    assert titles() == ["Open ports", "Draft ports", "Open quantum"]
    assert titles(status="open") == ["Open ports", "Open quantum"]
    assert titles(category="ports") == ["Open ports", "Draft ports"]
    assert titles(status="draft", category="quantum") == []
    assert (
        '<option value="draft" selected>' in client.get(url, {"status": "draft"}).content.decode()
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [({"status": "pending"}, "Unknown status “pending”"), ({"category": "x"}, "Unknown category")],
)
def test_a_bad_filter_answers_400_and_does_not_move_the_visit_marker(
    client, reader, delegate_fra, measure, record, url, params, message
):
    record(delegate_fra, measure, "FRA", stances={"alliance": "support"})
    client.force_login(reader)

    response = client.get(url, params)

    assert response.status_code == 400
    assert message in response.content.decode()
    reader.refresh_from_db()
    assert reader.last_seen_change_id == 0
    assert reader.dashboard_seen_at is None


# What changed since the last visit ------------------------------------------------------


def test_the_changes_since_the_last_visit_are_shown_once(
    client, reader, delegate_fra, delegate_usa, measure, record, url
):
    client.force_login(reader)
    first_visit = client.get(url).content.decode()
    assert "This is your first visit: 0 position changes so far." in first_visit

    record(delegate_fra, measure, "FRA", stances={"alliance": "support"}, note="From Paris")
    record(delegate_usa, measure, "USA", stances={"alliance": "oppose"})
    second = _changes_section(client.get(url).content.decode())

    assert "2 position changes since your last visit" in second
    assert second.index("USA") < second.index("FRA")  # newest first
    assert "Undecided" in second
    assert "<strong>Support</strong>" in second
    assert "delegate-fra" in second
    assert f'href="{reverse("changes")}"' in second

    third = _changes_section(client.get(url).content.decode())
    assert "0 position changes since your last visit" in third
    assert "FRA" not in third

    record(delegate_fra, measure, "FRA", stances={"alliance": "oppose"})
    fourth = _changes_section(client.get(url).content.decode())
    assert "1 position change since your last visit" in fourth
    assert "<strong>Oppose</strong>" in fourth
    assert "USA" not in fourth


def test_each_user_has_their_own_visit_marker(
    client, reader, coordinator, delegate_fra, measure, record, url
):
    record(delegate_fra, measure, "FRA", stances={"alliance": "support"})
    client.force_login(reader)
    client.get(url)

    client.force_login(coordinator)
    content = _changes_section(client.get(url).content.decode())

    assert "1 position change so far" in content
    reader.refresh_from_db()
    coordinator.refresh_from_db()
    assert reader.last_seen_change_id == coordinator.last_seen_change_id > 0
    assert reader.dashboard_seen_at is not None


def test_only_the_newest_changes_are_listed_with_the_total(
    client, reader, delegate_fra, measure, record, url
):
    client.force_login(reader)
    client.get(url)
    for i in range(25):
        record(
            delegate_fra,
            measure,
            "FRA",
            stances={"alliance": "support" if i % 2 else "oppose"},
            note=f"note {i}",
        )

    section = _changes_section(client.get(url).content.decode())

    assert "25 position changes since your last visit" in section
    assert "The 20 newest are listed." in section
    assert section.count("<time datetime=") == 20
    times = re.findall(r'<time datetime="([^"]+)"', section)
    newest = [c.at.isoformat() for c in PositionChange.objects.order_by("-id")[:20]]
    assert times == newest


def test_the_marker_never_moves_back(reader):
    from accounts.services import dashboard_visit_record

    dashboard_visit_record(user=reader, last_change_id=10)
    stale = User.objects.get(pk=reader.pk)
    stale.last_seen_change_id = 0
    dashboard_visit_record(user=stale, last_change_id=4)

    reader.refresh_from_db()
    assert reader.last_seen_change_id == 10


def test_the_dashboard_takes_the_same_number_of_queries_for_more_measures_and_changes(
    client, coordinator, delegate_fra, make_measure, record, url
):
    for _ in range(2):
        record(delegate_fra, make_measure(), "FRA", stances={"alliance": "support"})
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(30):
        record(
            delegate_fra,
            make_measure(restricted=True, participants=["FRA", "AUT"]),
            "FRA",
            stances={"alliance": "oppose"},
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(many) == len(few)
    assert response.content.decode().count("<meter") == 32 * 3
