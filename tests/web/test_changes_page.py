"""The changes feed page (/changes/): newest first, by state and measure, only what one may see."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from positions.models import PositionChange


@pytest.fixture
def url():
    return reverse("changes")


def _rows(content: str) -> list[str]:
    body = (
        content[content.index("<tbody>") : content.index("</tbody>")]
        if "<tbody>" in content
        else ""
    )
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["coordinator", "reader", "delegate_fra"])
def test_every_role_sees_who_changed_what_and_how(
    request, client, delegate_fra, measure, record, url, role
):
    record(
        delegate_fra,
        measure,
        "FRA",
        stances={"alliance": "support", "eu": "conditional"},
        note="Instructions of 9 July",
    )
    client.force_login(request.getfixturevalue(role))

    response = client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    [row] = _rows(content)
    change = PositionChange.objects.get()
    assert f'<time datetime="{change.at.isoformat()}">' in row
    assert f'href="{reverse("measure-positions", args=[measure.pk])}"' in row
    assert measure.title in row
    assert '<abbr title="France">FRA</abbr>' in row
    assert "delegate-fra" in row
    assert "API" in row  # the source
    assert "Alliance</span>: Undecided" in row
    assert "<strong>Support</strong>" in row
    assert "EU</span>: Undecided" in row
    assert "<strong>Conditional support</strong>" in row
    assert "Bilateral" not in row  # unchanged routes are not listed
    assert "Instructions of 9 July" in row
    assert '<label for="changes-state">' in content
    assert '<label for="changes-measure">' in content
    assert "<caption>" in content


@pytest.mark.parametrize(
    ("role", "sees"),
    [("reader", False), ("delegate_fra", False), ("delegate_usa", True), ("coordinator", True)],
)
def test_changes_to_a_restricted_measure_show_only_to_those_who_may_see_it(
    request,
    client,
    delegate_usa,
    delegate_fra,
    measure,
    restricted_measure,
    record,
    url,
    role,
    sees,
):
    record(delegate_usa, restricted_measure, "USA", stances={"alliance": "oppose"}, note="secret")
    record(delegate_fra, measure, "FRA", stances={"alliance": "support"})
    client.force_login(request.getfixturevalue(role))

    content = client.get(url).content.decode()

    assert len(_rows(content)) == (2 if sees else 1)
    assert (restricted_measure.title in content) is sees  # neither a row nor a filter option
    assert ("secret" in content) is sees
    filtered = client.get(url, {"measure": restricted_measure.pk})
    assert filtered.status_code == (200 if sees else 400)


def test_the_feed_filters_by_state_and_by_measure(
    client, coordinator, delegate_fra, delegate_usa, make_measure, record, url
):
    ports = make_measure(title="Ports")
    quantum = make_measure(title="Quantum", category="quantum")
    record(delegate_fra, ports, "FRA", stances={"alliance": "support"}, note="fra-ports")
    record(delegate_usa, ports, "USA", stances={"alliance": "oppose"}, note="usa-ports")
    record(delegate_fra, quantum, "FRA", stances={"alliance": "abstain"}, note="fra-quantum")
    client.force_login(coordinator)

    def notes(**params):
        content = client.get(url, params).content.decode()
        return re.findall(r"<td class=\"note\">([^<]+)</td>", "".join(_rows(content)))

    assert notes() == ["fra-quantum", "usa-ports", "fra-ports"]  # newest first
    assert notes(state="FRA") == ["fra-quantum", "fra-ports"]
    assert notes(measure=ports.pk) == ["usa-ports", "fra-ports"]
    assert notes(state="FRA", measure=ports.pk) == ["fra-ports"]
    assert notes(state="DEU") == []
    content = client.get(url, {"state": "FRA", "measure": ports.pk}).content.decode()
    assert '<option value="FRA" selected>' in content
    assert f'<option value="{ports.pk}" selected>' in content
    assert "No change you can see matches" in client.get(url, {"state": "DEU"}).content.decode()


def test_the_feed_is_paginated_newest_first(client, reader, delegate_fra, measure, record, url):
    for i in range(55):
        record(
            delegate_fra,
            measure,
            "FRA",
            stances={"alliance": "support" if i % 2 else "oppose"},
            note=f"change-{i}",
        )
    client.force_login(reader)

    first = client.get(url, {"state": "FRA"}).content.decode()
    second = client.get(url, {"state": "FRA", "page": 2}).content.decode()

    assert len(_rows(first)) == 50
    assert len(_rows(second)) == 5
    assert "change-54" in _rows(first)[0]
    assert "change-0" in _rows(second)[-1]
    assert "Page 1 of 2" in first
    assert 'href="?state=FRA&amp;page=2" rel="next"' in first
    assert 'href="?state=FRA&amp;page=1" rel="prev"' in second


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"state": "XXX"}, "Unknown state “XXX”"),
        ({"measure": "abc"}, "Unknown measure “abc”"),
        ({"measure": "999999"}, "Unknown measure “999999”"),
        ({"page": "two"}, "The page must be a whole number from 1."),
        ({"page": "9"}, "There is no page 9: the last page is 1."),
    ],
)
def test_bad_parameters_answer_400_with_a_clear_message(
    client, reader, measure, url, params, message
):
    client.force_login(reader)

    response = client.get(url, params)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_feed_takes_the_same_number_of_queries_for_more_changes_and_measures(
    client, coordinator, delegate_fra, make_measure, record, url
):
    for _ in range(2):
        record(delegate_fra, make_measure(), "FRA", stances={"alliance": "support"})
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        record(
            delegate_fra,
            make_measure(restricted=True, participants=["FRA"]),
            "FRA",
            stances={"alliance": "oppose"},
            note=f"n{i}",
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(many) == len(few)
    assert len(_rows(response.content.decode())) == 32
