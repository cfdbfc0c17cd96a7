"""The support matrix page (/matrix/) and its CSV download."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from datetime import timezone as tz
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from positions.models import State

LETTERS = {"S": "support", "C": "conditional", "A": "abstain", "U": "undecided", "O": "oppose"}


@dataclass
class ParsedMatrix:
    """The matrix table as a reader sees it: groups of states, their cells and the totals."""

    headings: list[str] = field(default_factory=list)  # measure titles, in column order
    groups: dict[str, list[str]] = field(default_factory=dict)  # group class -> state codes
    cells: dict[str, list[str]] = field(default_factory=dict)  # code -> letters, by column
    cell_classes: dict[str, list[str]] = field(default_factory=dict)
    row_totals: dict[str, list[str]] = field(default_factory=dict)  # code -> S C A U O, favour
    foot: dict[str, list[str]] = field(default_factory=dict)  # row heading -> per measure


class _MatrixParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.result = ParsedMatrix()
        self.in_matrix = False
        self.section = ""
        self.group = ""
        self.row: list[tuple[str, str, str]] = []  # (tag, class, text)
        self.cell: list[str] | None = None
        self.cell_tag = ""
        self.cell_class = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and "matrix" in (attributes.get("class") or ""):
            self.in_matrix = True
        if not self.in_matrix:
            return
        if tag in ("thead", "tbody", "tfoot"):
            self.section = tag
            self.group = (attributes.get("class") or "").removeprefix("group-")
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td"):
            self.cell = []
            self.cell_tag = tag
            self.cell_class = attributes.get("class") or ""

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self.in_matrix:
            return
        if tag in ("th", "td") and self.cell is not None:
            self.row.append((self.cell_tag, self.cell_class, " ".join("".join(self.cell).split())))
            self.cell = None
        elif tag == "tr":
            self._row_done()
        elif tag == "table":
            self.in_matrix = False

    def _row_done(self) -> None:
        parsed = self.result
        if self.section == "thead":
            parsed.headings = [text for _, cls, text in self.row if "measure" in cls]
        elif self.section == "tbody":
            if len(self.row) <= 2:  # the group's heading row
                parsed.groups.setdefault(self.group, [])
                return
            code = self.row[0][2].split()[0]
            parsed.groups[self.group].append(code)
            stance_cells = [(cls, text) for _, cls, text in self.row[1:] if "stance" in cls]
            parsed.cells[code] = [text for _, text in stance_cells]
            parsed.cell_classes[code] = [cls for cls, _ in stance_cells]
            parsed.row_totals[code] = [text for _, cls, text in self.row if "total" in cls]
        elif self.section == "tfoot":
            parsed.foot[self.row[0][2]] = [text for _, _, text in self.row[1:] if text]


def parse_matrix(html: str) -> ParsedMatrix:
    parser = _MatrixParser()
    parser.feed(html)
    return parser.result


def csv_link(html: str) -> str:
    found = re.search(r'<a href="([^"]+)" download>', html)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


@pytest.fixture
def url():
    return reverse("matrix")


# Each role sees the page; what it shows ------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "reader", "delegate_fra"])
def test_every_role_sees_the_matrix_with_a_legend(request, client, url, measure, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    parsed = parse_matrix(content)
    assert parsed.headings == [f"{measure.title} Open"]  # the title and the route status
    assert f'href="{reverse("measure-positions", args=[measure.pk])}"' in content
    assert 'class="badge badge-open"' in content
    legend = {"S": "Support", "C": "Conditional support", "A": "Abstain", "U": "Undecided"}
    legend["O"] = "Oppose"
    for letter, stance in LETTERS.items():
        assert f'<span class="stance stance-{stance}">{letter}</span> {legend[letter]}' in content
    assert "<caption" in content
    assert 'scope="rowgroup"' in content
    assert 'scope="col"' in content
    assert 'scope="row"' in content
    assert '<label for="matrix-as-of">' in content
    assert 'type="datetime-local"' in content
    assert "UTC" in content


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_each_cell_shows_the_stance_as_a_letter_and_a_colour(
    client, coordinator, delegate_fra, delegate_usa, measure, record, url
):
    record(delegate_fra, measure, "FRA", stances={"alliance": "support"})
    record(delegate_usa, measure, "USA", stances={"alliance": "oppose"})
    client.force_login(coordinator)

    parsed = parse_matrix(client.get(url).content.decode())

    assert parsed.cells["FRA"] == ["S"]
    assert parsed.cell_classes["FRA"] == ["stance stance-support"]
    assert parsed.cells["USA"] == ["O"]
    assert parsed.cell_classes["USA"] == ["stance stance-oppose"]
    assert parsed.cells["DEU"] == ["U"]


# Groups of states per route ------------------------------------------------------


def _expected_groups(route: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for s in State.objects.order_by("code"):
        if route != "eu" and not s.nato_member:
            continue
        if route == "eu" and not s.eu_member:
            continue
        key = (
            "allies-eu"
            if s.nato_member and s.eu_member
            else "allies-outside-eu"
            if s.nato_member
            else "eu-only"
        )
        groups.setdefault(key, []).append(s.code)
    return groups


@pytest.mark.parametrize(
    ("route", "group_keys"),
    [
        ("alliance", ["allies-eu", "allies-outside-eu"]),
        ("bilateral", ["allies-eu", "allies-outside-eu"]),
        ("eu", ["allies-eu", "eu-only"]),
    ],
)
def test_states_are_grouped_with_only_the_groups_of_the_route(
    client, coordinator, measure, url, route, group_keys
):
    client.force_login(coordinator)

    parsed = parse_matrix(client.get(url, {"route": route}).content.decode())

    assert list(parsed.groups) == group_keys
    assert parsed.groups == _expected_groups(route)
    assert sum(len(codes) for codes in parsed.groups.values()) == (27 if route == "eu" else 32)
    if route == "eu":
        assert "AUT" in parsed.groups["eu-only"]
        assert "USA" not in parsed.cells
    else:
        assert "USA" in parsed.groups["allies-outside-eu"]
        assert "AUT" not in parsed.cells
    assert "FRA" in parsed.groups["allies-eu"]


def test_the_route_switch_keeps_the_other_choices(client, coordinator, measure, url):
    client.force_login(coordinator)

    content = client.get(url, {"route": "eu", "category": "ports"}).content.decode()

    assert 'href="?route=alliance&amp;category=ports"' in content
    assert 'href="?route=eu&amp;category=ports" aria-current="page"' in content
    assert '<option value="eu" selected>' in content


# Totals --------------------------------------------------------------------------


def test_row_and_column_totals_count_each_stance(
    client, coordinator, delegate_fra, delegate_usa, make_measure, record, url
):
    first = make_measure(title="First")
    second = make_measure(title="Second")
    record(delegate_fra, first, "FRA", stances={"alliance": "support"})
    record(delegate_fra, second, "FRA", stances={"alliance": "conditional"})
    record(delegate_usa, first, "USA", stances={"alliance": "oppose"})
    record(delegate_usa, second, "USA", stances={"alliance": "abstain"})
    client.force_login(coordinator)

    parsed = parse_matrix(client.get(url).content.decode())

    # S C A U O, then in favour out of the measures shown.
    assert parsed.row_totals["FRA"] == ["1", "1", "0", "0", "0", "2/2"]
    assert parsed.row_totals["USA"] == ["0", "0", "1", "0", "1", "0/2"]
    assert parsed.row_totals["DEU"] == ["0", "0", "0", "2", "0", "0/2"]
    assert parsed.foot["Support (S)"] == ["1", "0"]
    assert parsed.foot["Conditional support (C)"] == ["0", "1"]
    assert parsed.foot["Abstain (A)"] == ["0", "1"]
    assert parsed.foot["Undecided (U)"] == ["30", "30"]
    assert parsed.foot["Oppose (O)"] == ["1", "0"]
    assert parsed.foot["In favour"] == ["1/32", "1/32"]


# As of an earlier instant ----------------------------------------------------------


def test_as_of_shows_the_matrix_as_it_stood_then(
    client, coordinator, delegate_fra, measure, record, url
):
    record(delegate_fra, measure, "FRA", stances={"alliance": "support"})
    between = timezone.now()
    record(delegate_fra, measure, "FRA", stances={"alliance": "oppose"})
    client.force_login(coordinator)
    # What the picker sends: a date and time without zone, read as UTC.
    picked = between.astimezone(UTC).replace(tzinfo=None).isoformat()

    then = client.get(url, {"as_of": picked}).content.decode()
    now = client.get(url).content.decode()

    assert parse_matrix(then).cells["FRA"] == ["S"]
    assert parse_matrix(now).cells["FRA"] == ["O"]
    assert "as they stood on" in then
    assert "UTC" in then
    before_anything = (between.astimezone(UTC).replace(tzinfo=None, year=2020)).isoformat()
    assert parse_matrix(client.get(url, {"as_of": before_anything}).content.decode()).cells[
        "FRA"
    ] == ["U"]


def test_an_as_of_with_its_own_offset_is_honoured(
    client, coordinator, delegate_fra, measure, record, url
):
    record(delegate_fra, measure, "FRA", stances={"alliance": "support"})
    between = timezone.now()
    record(delegate_fra, measure, "FRA", stances={"alliance": "oppose"})
    client.force_login(coordinator)
    # The same instant written in Paris summer time.
    paris = between.astimezone(tz(timedelta(hours=2))).isoformat()

    parsed = parse_matrix(client.get(url, {"as_of": paris}).content.decode())

    assert parsed.cells["FRA"] == ["S"]


# Filters ----------------------------------------------------------------------------


def test_status_and_category_filter_the_columns(client, coordinator, make_measure, url):
    make_measure(title="Open ports", status="open", category="ports")
    make_measure(title="Draft ports", status="draft", category="ports")
    make_measure(title="Open quantum", status="open", category="quantum")
    client.force_login(coordinator)

    def titles(**params):
        parsed = parse_matrix(client.get(url, params).content.decode())
        return [h.rsplit(" ", 1)[0] for h in parsed.headings]

    assert titles() == ["Open ports", "Draft ports", "Open quantum"]
    assert titles(status="open") == ["Open ports", "Open quantum"]
    assert titles(category="ports") == ["Open ports", "Draft ports"]
    assert titles(status="open", category="quantum") == ["Open quantum"]
    assert (
        "No measure you can see matches"
        in client.get(url, {"status": "withdrawn"}).content.decode()
    )


# Restricted measures ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [("reader", False), ("delegate_fra", False), ("delegate_usa", True), ("coordinator", True)],
)
def test_a_restricted_measure_shows_only_to_its_participants_and_coordinators(
    request, client, measure, restricted_measure, url, role, sees
):
    client.force_login(request.getfixturevalue(role))

    content = client.get(url).content.decode()
    downloaded = client.get(csv_link(content)).content.decode()

    assert (restricted_measure.title in content) is sees
    header = next(csv.reader(io.StringIO(downloaded)))
    assert (str(restricted_measure.pk) in header) is sees
    assert str(measure.pk) in header


# The CSV is what is shown ---------------------------------------------------------------


def test_the_csv_link_downloads_exactly_what_is_shown(
    client, coordinator, delegate_fra, make_measure, record, url
):
    first = make_measure(title="Ports", category="ports")
    make_measure(title="Quantum", category="quantum")
    third = make_measure(title="More ports", category="ports", status="draft")
    record(delegate_fra, first, "FRA", stances={"eu": "support"})
    between = timezone.now()
    record(delegate_fra, third, "FRA", stances={"eu": "oppose"})
    record(delegate_fra, first, "FRA", stances={"eu": "abstain"})
    client.force_login(coordinator)
    picked = between.astimezone(UTC).replace(tzinfo=None).isoformat()

    page = client.get(url, {"route": "eu", "category": "ports", "as_of": picked})
    content = page.content.decode()
    parsed = parse_matrix(content)
    response = client.get(csv_link(content))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["state", str(first.pk), str(third.pk)]
    shown_codes = [code for codes in parsed.groups.values() for code in codes]
    assert [row[0] for row in rows[1:]] == shown_codes
    for row in rows[1:]:
        assert [LETTERS[letter] for letter in parsed.cells[row[0]]] == row[1:]
    fra = next(row for row in rows if row[0] == "FRA")
    assert fra == ["FRA", "support", "undecided"]  # as it stood then


def test_the_page_and_the_api_csv_agree_cell_by_cell(
    client, coordinator, delegate_fra, measure, record, url
):
    record(delegate_fra, measure, "FRA", stances={"alliance": "conditional"})
    client.force_login(coordinator)

    page_csv = client.get(reverse("matrix-csv"), {"route": "alliance"}).content.decode()
    api_csv = client.get("/api/v1/matrix/", {"route": "alliance", "format": "csv"}).content.decode()

    def by_state(text):
        rows = list(csv.reader(io.StringIO(text)))
        return rows[0], {row[0]: row[1:] for row in rows[1:]}

    assert by_state(page_csv) == by_state(api_csv)


# Bad parameters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"route": "nato"}, "Unknown route “nato”"),
        ({"as_of": "yesterday"}, "“yesterday” is not a date and time"),
        # Outside the years 1 to 9999 once in UTC: refused, not a server error.
        ({"as_of": "0001-01-01T00:00:00+01:00"}, "is not a date and time"),
        ({"as_of": "2024-07-10T12:00\x00"}, "is not a date and time"),
        ({"status": "pending"}, "Unknown status “pending”"),
        ({"category": "cheese"}, "Unknown category “cheese”"),
    ],
)
def test_bad_parameters_answer_400_with_a_clear_message(
    client, reader, measure, url, params, message
):
    client.force_login(reader)

    page = client.get(url, params)
    download = client.get(reverse("matrix-csv"), params)

    assert page.status_code == 400
    assert message in page.content.decode()
    assert 'role="alert"' in page.content.decode()
    assert download.status_code == 400
    assert message in download.content.decode()


# Queries and speed ---------------------------------------------------------------------


def test_the_matrix_takes_the_same_number_of_queries_for_more_measures(
    client, coordinator, delegate_fra, make_measure, record, url
):
    for _ in range(2):
        record(delegate_fra, make_measure(), "FRA", stances={"alliance": "support"})
    client.force_login(coordinator)
    as_of = timezone.now().astimezone(UTC).replace(tzinfo=None).isoformat()
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"as_of": as_of})
    for _ in range(8):
        record(
            delegate_fra,
            make_measure(restricted=True, participants=["FRA"]),
            "FRA",
            stances={"alliance": "oppose"},
        )
    as_of = timezone.now().astimezone(UTC).replace(tzinfo=None).isoformat()

    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"as_of": as_of})

    assert len(many) == len(few)
    assert len(parse_matrix(response.content.decode()).headings) == 10
    with CaptureQueriesContext(connection) as csv_queries:
        client.get(reverse("matrix-csv"), {"as_of": as_of})
    assert len(csv_queries) == len(few)


# Colours and layout --------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_stance_colour_keeps_its_letter_readable_and_headers_stick():
    path = finders.find("consensus/matrix.css")
    assert path is not None
    css = Path(path).read_text(encoding="utf-8")

    for stance in LETTERS.values():
        rule = re.search(
            rf"\.stance-{stance} \{{ background: (#[0-9a-f]{{6}}); color: (#[0-9a-f]{{6}}); \}}",
            css,
        )
        assert rule is not None, stance
        assert _contrast(rule.group(1), rule.group(2)) >= 4.5, stance
    colours = set(re.findall(r"\.stance-\w+ \{ background: (#[0-9a-f]{6})", css))
    assert len(colours) == 5  # one colour per stance
    assert "thead th { position: sticky; top: 0;" in css
    assert "tbody th, table.matrix tfoot th { position: sticky; left: 0;" in css
