"""The measure page: support by route, over time (chart and table), positions, history, motions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from consensus import charts
from consensus.rules import Route
from consensus.timeline import support_timeline
from positions.models import Measure, State
from positions.services import position_record, transfer_motion_table

START = datetime.fromisoformat("2024-07-09T09:00:00+00:00")


def url(measure: Measure, **query: str) -> str:
    base = reverse("measure-positions", args=[measure.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def section(content: str, heading_id: str) -> str:
    return content.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def delegate(make_user: Callable[..., User]) -> Callable[[str], User]:
    made: dict[str, User] = {}

    def get(code: str) -> User:
        if code not in made:
            made[code] = make_user(f"d-{code.lower()}", "delegate", code)
        return made[code]

    return get


@pytest.fixture
def rec(delegate: Callable[[str], User], state: Callable[[str], State]) -> Callable[..., None]:
    def record(measure: Measure, code: str, when: datetime | None = None, **fields: Any) -> None:
        fields.setdefault("source", "api")
        call = lambda: position_record(  # noqa: E731
            actor=delegate(code), measure=measure, state=state(code), **fields
        )
        if when is None:
            call()
        else:
            with mock.patch("django.utils.timezone.now", return_value=when):
                call()

    return record


def path_levels(svg: str, route: str) -> list[float]:
    """The levels a step line passes through, read back from its path."""
    d = re.search(rf'class="line line-{route}" d="([^"]+)"', svg)
    assert d is not None
    ys = [float(re.match(r"M[\d.]+,([\d.]+)", d.group(1)).group(1))]  # type: ignore[union-attr]
    ys += [float(y) for y in re.findall(r"V([\d.]+)", d.group(1))]
    return [round((charts.BOTTOM - y) / charts.PLOT_HEIGHT, 3) for y in ys]


def test_the_chart_draws_one_line_per_route_with_the_timeline_s_values(
    client, reader, make_measure, rec
):
    with mock.patch("django.utils.timezone.now", return_value=START):
        measure = make_measure()
    rec(measure, "USA", START + timedelta(hours=1), stances={"alliance": "support"})
    rec(
        measure, "DEU", START + timedelta(hours=2), stances={"alliance": "support", "eu": "support"}
    )
    rec(measure, "FRA", START + timedelta(hours=3), stances={"bilateral": "support"})
    client.force_login(reader)

    content = client.get(url(measure)).content.decode()

    svg = content.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg
    assert 'aria-labelledby="support-chart-title support-chart-desc"' in svg
    assert '<title id="support-chart-title">Support level by route over time</title>' in svg
    assert '<desc id="support-chart-desc">' in svg
    assert svg.count("<path ") == 3
    assert 'stroke-dasharray="10 6"' in svg
    assert 'stroke-dasharray="2 5"' in svg
    for name in ("Alliance", "Bilateral", "EU", "Time", "Support level"):
        assert f">{name}</text>" in svg
    points = support_timeline(measure=measure)
    assert len(points) == 4
    for route in Route:
        expected = [round(p.routes[route].support_level, 3) for p in points]
        assert path_levels(svg, route.value) == pytest.approx(expected, abs=0.005)
    assert path_levels(svg, "alliance") == pytest.approx([0, 1 / 32, 2 / 32, 2 / 32], abs=0.005)
    # The same figures as a table, newest first.
    table = content.split('<table class="timeline-table">', 1)[1].split("</table>", 1)[0]
    assert table.count('<th scope="row">') == 4
    assert "<details" in content
    assert "<summary>" in content


def test_the_chart_escapes_what_it_draws() -> None:
    svg = charts.step_chart_svg(
        element_id="c",
        title="<script>",
        description="a & b",
        x_label="x",
        y_label="y",
        series=[charts.Series(key="k", name="<b>", points=[(START, 0.5)])],
        start=START,
        end=START + timedelta(days=1),
        format_time=lambda at: at.isoformat(),
        format_level=lambda level: f"{level:.0%}",
    )

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<b>" not in svg
    assert "a &amp; b" in svg
    assert 'd="M64.0,144.0 H696.0"' in svg  # half-way up, across the whole span


def test_the_chart_refuses_more_lines_than_it_can_tell_apart() -> None:
    series = [charts.Series(key=str(n), name=str(n), points=[]) for n in range(4)]
    with pytest.raises(ValueError, match="at most 3"):
        charts.step_chart_svg(
            element_id="c",
            title="t",
            description="d",
            x_label="x",
            y_label="y",
            series=series,
            start=START,
            end=START,
            format_time=str,
            format_level=str,
        )


def test_every_position_shows_with_its_reservations_grouped_by_membership(
    client, coordinator, measure, rec
):
    rec(measure, "FRA", stances={"alliance": "conditional"}, reservations="Only <in> wartime")
    client.force_login(coordinator)

    content = client.get(url(measure)).content.decode()

    table = content.split('<table class="positions">', 1)[1].split("</table>", 1)[0]
    assert '<th scope="col">Reservations</th>' in table
    france = table.split("/positions/FRA/", 1)[1].split("</tr>", 1)[0]
    assert "Only &lt;in&gt; wartime" in france
    assert '<td class="stance">Conditional support</td>' in france
    groups = re.findall(r'<th scope="rowgroup" colspan="6">([^<]+)</th>', table)
    assert groups == [
        "Allies in the EU (23)",
        "Allies outside the EU (9)",
        "EU states outside NATO (4)",
    ]
    outside = table.split("Allies outside the EU", 1)[1].split("EU states outside NATO", 1)[0]
    assert "/positions/USA/" in outside
    assert "/positions/FRA/" not in outside
    assert "/positions/AUT/" in table.split("EU states outside NATO", 1)[1]


def test_the_change_history_lists_the_newest_first(client, reader, measure, rec):
    rec(measure, "FRA", START, stances={"alliance": "oppose"}, note="Instructions of 9 July")
    rec(measure, "DEU", START + timedelta(hours=1), stances={"eu": "support"})
    rec(
        measure, "DEU", START + timedelta(hours=2), stances={}, reservations="Subject to parliament"
    )
    client.force_login(reader)

    history = section(client.get(url(measure)).content.decode(), "history-heading")

    rows = history.split("<tbody>", 1)[1].split("</tr>")[:-1]
    assert len(rows) == 3
    assert "Germany" in rows[0]
    assert "reservations or note changed" in rows[0]
    assert "Germany" in rows[1]
    assert "EU: Undecided → Support" in rows[1]
    assert "France" in rows[2]
    assert "Alliance: Undecided → Oppose" in rows[2]
    assert "Instructions of 9 July" in rows[2]
    assert "/changes/" not in history


def test_a_long_history_is_cut_with_a_link_to_the_change_feed(
    client, reader, measure, rec, monkeypatch
):
    monkeypatch.setattr("positions.views.MEASURE_HISTORY_LIMIT", 2)
    for stance in ("support", "oppose", "abstain"):
        rec(measure, "ITA", stances={"alliance": stance})
    client.force_login(reader)

    history = section(client.get(url(measure)).content.decode(), "history-heading")

    assert history.split("<tbody>", 1)[1].count("<tr>") == 2
    assert "Undecided → Support" not in history  # the oldest, beyond the cut
    assert f'href="/changes/?measure={measure.pk}"' in history


def test_transfer_motions_the_parent_and_both_status_histories_show(
    client, reader, measure, rec, delegate, state
):
    motion = transfer_motion_table(
        actor=delegate("FRA"), parent=measure, target_route="eu", rationale="An EU matter."
    )
    client.force_login(reader)

    motions = section(client.get(url(measure)).content.decode(), "motions-heading")
    assert url(motion) in motions
    assert "France" in motions
    assert "<td>EU</td>" in motions
    assert "<td>Open</td>" in motions
    motion_page = client.get(url(motion)).content.decode()
    assert f'<dd class="parent"><a href="{url(measure)}">' in motion_page

    allies = State.objects.filter(nato_member=True).values_list("code", flat=True)
    for code in allies:
        rec(motion, code, stances={"alliance": "support"})

    parent_page = client.get(url(measure)).content.decode()
    status = section(parent_page, "status-history-heading")
    assert "Open → Transferred" in status
    assert f"Transfer motion {motion.pk} agreed on the alliance route" in status
    assert url(motion) in status
    assert "Adopted" in section(parent_page, "motions-heading")
    assert "Open → Adopted" in section(
        client.get(url(motion)).content.decode(), "status-history-heading"
    )


def test_a_measure_without_motions_or_status_changes_says_so(client, reader, measure):
    client.force_login(reader)

    content = client.get(url(measure)).content.decode()

    assert "No transfer motion has been tabled on this measure." in content
    assert "status has not changed since it was tabled." in content


def test_as_of_shows_support_as_it_stood(client, reader, measure, rec):
    rec(measure, "HUN", START + timedelta(days=1), stances={"alliance": "oppose"})
    client.force_login(reader)

    before = client.get(url(measure, as_of="2024-07-09T12:00:00Z"))
    now = client.get(url(measure))

    assert before.status_code == 200
    alliance_then = section(before.content.decode(), "route-alliance")
    assert 'badge badge-open">Open<' in alliance_then
    assert "Support as it stood at" in before.content.decode()
    assert 'badge badge-blocked">Blocked<' in section(now.content.decode(), "route-alliance")


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00", "2024-07-10T25:00"])
def test_a_bad_as_of_is_refused_with_400(client, reader, measure, value):
    client.force_login(reader)

    response = client.get(url(measure, as_of=value))

    assert response.status_code == 400
    assert "Enter a date and time" in response.content.decode()


def test_a_restricted_measure_is_not_found_for_outsiders(
    client, reader, delegate_fra, delegate_deu, coordinator, restricted_measure
):
    for user in (reader, delegate_fra):
        client.force_login(user)
        assert client.get(url(restricted_measure)).status_code == 404
    for user in (delegate_deu, coordinator):
        client.force_login(user)
        assert client.get(url(restricted_measure)).status_code == 200


def test_it_takes_the_same_number_of_queries_with_2_or_12_changes(
    client, coordinator, measure, rec, delegate
):
    transfer_motion_table(
        actor=delegate("FRA"), parent=measure, target_route="eu", rationale="An EU matter."
    )
    codes = ["FRA", "DEU", "ITA", "POL", "ESP", "NLD"]
    for code in codes[:2]:
        rec(measure, code, stances={"alliance": "support"})
    client.force_login(coordinator)
    client.get(url(measure))  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(measure)).status_code == 200
    for code in codes:
        rec(measure, code, stances={"alliance": "oppose"})
    for code in codes[:4]:
        rec(measure, code, stances={"eu": "support"})
    assert measure.changes.count() == 12

    with CaptureQueriesContext(connection) as many:
        response = client.get(url(measure, as_of="2030-01-01T00:00:00Z"))
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as now:
        client.get(url(measure))

    assert len(many) == len(now) == len(few)
    history = section(response.content.decode(), "history-heading")
    assert history.split("<tbody>", 1)[1].count("<tr>") == 12
