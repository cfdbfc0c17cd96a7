"""Hostile and broken input to the API: a clear 4xx naming the problem, nothing written,
nothing logged as a server error; hostile text that is valid is stored exactly.

Decisions (see docs/reliability.md):
- control characters (tab, newline, escape, bell...) in a text field are stored exactly,
  except NUL, which PostgreSQL cannot store in text: 400 naming the field;
- a malformed ``If-Match`` on a write is a 400; a malformed ``If-None-Match`` on a read
  matches nothing and is ignored (the full answer, 200), as HTTP caches expect.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse

from positions.models import Position

HTML = "<script>alert(\"x\")</script><b onmouseover='x()'>&amp; é</b>"
SQL = "'; DROP TABLE positions_position; -- \" OR 1=1 /* */"


def _position(measure_id: int, code: str = "FRA") -> str:
    return reverse("api:position-detail", args=[measure_id, code])


def _support(measure_id: int) -> str:
    return reverse("api:support", args=[measure_id])


@pytest.fixture
def no_server_error(caplog):
    """Fails the test if django.request logged anything at ERROR level (a 5xx)."""
    caplog.set_level(logging.WARNING, logger="django.request")
    yield
    errors = [
        r for r in caplog.records if r.name == "django.request" and r.levelno >= logging.ERROR
    ]
    assert errors == []


pytestmark = pytest.mark.usefixtures("no_server_error")


# Clients made before a test takes its ``written()`` snapshot (a token is a write).
@pytest.fixture
def fra(api, delegate_fra):
    return api(delegate_fra)


@pytest.fixture
def coord(api, coordinator):
    return api(coordinator)


@pytest.fixture
def rdr(api, reader):
    return api(reader)


def _put_raw(client, url, body: bytes, content_type="application/json", **headers):
    return client.generic("PUT", url, body, content_type=content_type, **headers)


# Broken bodies -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"stances": {"eu": "support"',  # truncated
        b"{'stances': {}}",  # not JSON
        b'{"stances": {"eu": "support"}} trailing',
        b"",
        b'{"stances": {"eu": "\xff\xfe support"}}',  # invalid UTF-8
        b'{"note": "\xc3\x28"}',  # an invalid two-byte sequence
        b'{"note": "\\ud800"}',  # a lone surrogate, escaped
        b"NaN",
    ],
)
def test_a_broken_json_body_answers_400_and_writes_nothing(fra, measure, written, body):
    before = written()
    response = _put_raw(fra, _position(measure.pk), body)

    assert response.status_code == 400
    assert response.json()
    assert written() == before


def test_a_body_that_is_not_json_answers_415_and_writes_nothing(fra, measure, written):
    before = written()
    response = _put_raw(fra, _position(measure.pk), b"stances=eu", content_type="text/plain")

    assert response.status_code == 415
    assert written() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "non_field_errors"),
        ("support", "non_field_errors"),
        (42, "non_field_errors"),
        ({"stances": ["support"]}, "stances"),
        ({"stances": "support"}, "stances"),
        ({"stances": {"eu": 1}}, "stances"),
        ({"stances": {"eu": None}}, "stances"),
        ({"stances": {"eu": ["support"]}}, "stances"),
        ({"stances": {}, "note": {"a": 1}}, "note"),
        ({"stances": {}, "reservations": None}, "reservations"),
    ],
)
def test_a_wrong_type_answers_400_naming_the_field(fra, measure, written, body, field):
    before = written()
    response = fra.put(_position(measure.pk), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert written() == before


def test_an_unknown_field_answers_400_naming_it(fra, measure, written):
    before = written()
    response = fra.put(
        _position(measure.pk), {"stances": {}, "version": 9, "state": "DEU"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"state", "version"}
    assert written() == before


def test_an_unknown_stance_and_route_answer_400_naming_them(fra, measure, written):
    before = written()
    response = fra.put(
        _position(measure.pk),
        {"stances": {"eu": "veto", "nowhere": "support"}},
        format="json",
    )

    assert response.status_code == 400
    text = json.dumps(response.json())
    assert "veto" in text or "eu" in text
    assert "nowhere" in text
    assert written() == before


def test_a_measure_with_a_wrong_type_or_unknown_choice_answers_400(coord, written):
    before = written()
    response = coord.post(
        reverse("api:measure-list"),
        {"title": ["x"], "category": "moon", "sponsor": 7, "restricted": "maybe"},
        format="json",
    )

    assert response.status_code == 400
    assert {"title", "category", "sponsor", "restricted"} <= set(response.json())
    assert written() == before


# Text: control characters, NUL, length, HTML and SQL -----------------------------------


@pytest.mark.parametrize("field", ["note", "reservations"])
def test_a_nul_character_answers_400_naming_the_field(fra, measure, written, field):
    before = written()
    response = fra.put(
        _position(measure.pk), {"stances": {}, field: "before\x00after"}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert written() == before


def test_a_nul_character_in_a_stance_or_a_measure_title_answers_400(coord, written):
    before = written()
    client = coord
    stance = client.put(_position(1, "AUT"), {"stances": {"eu": "sup\x00port"}}, format="json")
    title = client.post(
        reverse("api:measure-list"),
        {"title": "Ports\x00", "category": "ports", "sponsor": "USA"},
        format="json",
    )

    assert stance.status_code in {400, 404}
    assert title.status_code == 400
    assert "title" in title.json()
    assert written() == before


@pytest.mark.parametrize("field", ["sponsor", "lead", "participants"])
def test_a_nul_character_in_a_state_code_answers_400_naming_the_field(coord, written, field):
    before = written()
    body = {"title": "Ports", "category": "ports", "sponsor": "USA", field: "US\x00A"}
    if field == "participants":
        body.update(restricted=True, participants=["US\x00A"])
    response = coord.post(reverse("api:measure-list"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert written() == before


def test_a_nul_character_in_a_phrase_or_a_username_answers_400(rdr, client, written):
    before = written()
    phrase = rdr.get(reverse("api:phrase-search"), {"q": "threat\x00"})
    token = client.post(
        reverse("api:token"),
        {"username": "coordinator\x00", "password": "x"},
        content_type="application/json",
    )

    assert phrase.status_code == 400
    assert "q" in phrase.json()
    assert token.status_code == 400
    assert "username" in token.json()
    assert written() == before


def test_other_control_characters_are_stored_exactly(fra, measure):
    note = "tab\there\nnew line\r\nbell\x07 escape\x1b[31m del\x7f c1\x85 zwsp\u200b rtl\u202e"

    response = fra.put(_position(measure.pk), {"stances": {}, "note": note}, format="json")

    assert response.status_code == 200
    assert Position.objects.get(measure=measure, state="FRA").note == note
    assert fra.get(_position(measure.pk)).json()["note"] == note


def test_a_note_beyond_the_limit_answers_400_and_writes_nothing(fra, measure, written):
    before = written()
    response = fra.put(_position(measure.pk), {"stances": {}, "note": "x" * 10_001}, format="json")

    assert response.status_code == 400
    assert "note" in response.json()
    assert written() == before


def test_a_title_beyond_the_limit_answers_400_and_writes_nothing(coord, written):
    before = written()
    response = coord.post(
        reverse("api:measure-list"),
        {"title": "x" * 201, "category": "ports", "sponsor": "USA"},
        format="json",
    )

    assert response.status_code == 400
    assert "title" in response.json()
    assert written() == before


@pytest.mark.parametrize("text", [HTML, SQL])
def test_html_and_sql_in_text_are_stored_exactly_and_returned_as_json(fra, coord, measure, text):
    put = fra.put(
        _position(measure.pk),
        {"stances": {"eu": "support"}, "note": text, "reservations": text},
        format="json",
    )
    created = coord.post(
        reverse("api:measure-list"),
        {"title": text[:200], "summary": text, "category": "ports", "sponsor": "USA"},
        format="json",
    )

    assert put.status_code == 200
    assert created.status_code == 201
    position = Position.objects.get(measure=measure, state="FRA")
    assert (position.note, position.reservations) == (text, text)
    assert created.json()["summary"] == text
    # JSON, not HTML: the markup comes back as a JSON string, decoded to the same text.
    assert put["Content-Type"].startswith("application/json")
    assert json.loads(put.content)["note"] == text
    history = fra.get(reverse("api:measure-history", args=[measure.pk])).json()
    assert history["results"][0]["note"] == text


# Unknown states, measures, routes ----------------------------------------------------


@pytest.mark.parametrize("code", ["XXX", "FR", "FRA'--", "%00", "<b>", "FRA%20"])
def test_an_unknown_or_hostile_state_code_answers_404(fra, measure, written, code):
    before = written()
    response = fra.put(
        f"/api/v1/measures/{measure.pk}/positions/{code}/", {"stances": {}}, format="json"
    )

    assert response.status_code == 404
    assert written() == before


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("route=nowhere", "route"),
        ("route=<script>", "route"),
        ("status=';--", "status"),
        ("category=moon", "category"),
    ],
)
def test_an_unknown_matrix_parameter_answers_400_naming_it(rdr, query, name):
    response = rdr.get(f"{reverse('api:matrix')}?{query}")

    assert response.status_code == 400
    assert name in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "after=-1",
        "after=1e3",
        "after=99999999999999999999999",
        "after=" + "9" * 5000,
        "limit=0",
        "limit=١٢",
    ],
)
def test_a_bad_change_feed_cursor_answers_400(rdr, query):
    response = rdr.get(f"{reverse('api:changes')}?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


# as_of -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of",
    [
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
    ],
)
def test_far_past_and_far_future_as_of_answer_200(rdr, measure, as_of):
    client = rdr
    support = client.get(_support(measure.pk), {"as_of": as_of})
    matrix = client.get(reverse("api:matrix"), {"as_of": as_of})

    assert support.status_code == 200
    assert matrix.status_code == 200


@pytest.mark.parametrize(
    "as_of",
    [
        "2024-07-10T12:00:00+24:00",
        "2024-07-10T12:00:00+99:99",
        "0001-01-01T00:00:00+01:00",  # before the first instant Python can hold, in UTC
        "9999-12-31T23:59:59-01:00",  # after the last one
        "10000-01-01T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-07-10",
        "now",
        "2024-07-10T12:00:00\x00Z",
    ],
)
def test_an_impossible_as_of_answers_400_naming_it(rdr, measure, as_of):
    client = rdr
    support = client.get(_support(measure.pk), {"as_of": as_of})
    matrix = client.get(reverse("api:matrix"), {"as_of": as_of})

    assert support.status_code == 400
    assert "as_of" in support.json()
    assert matrix.status_code == 400
    assert "as_of" in matrix.json()


@pytest.mark.parametrize(
    "deadline", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2024-07-10T12:00+25:00"]
)
def test_an_impossible_silence_deadline_answers_400(coord, measure, written, deadline):
    before = written()
    response = coord.post(
        reverse("api:silence", args=[measure.pk]), {"deadline": deadline}, format="json"
    )

    assert response.status_code == 400
    assert "deadline" in response.json()
    assert written() == before


# ETags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "if_match",
    [
        "3",
        '"-1"',
        '"1.0"',
        'W/"0"',
        '"0", "1"',
        '"9999999999"',
        '"0',
        '"\u0660"',
        '""',
        ",",
    ],
)
def test_a_malformed_if_match_answers_400_and_writes_nothing(fra, measure, written, if_match):
    before = written()
    response = fra.put(
        _position(measure.pk),
        {"stances": {"eu": "support"}},
        format="json",
        HTTP_IF_MATCH=if_match,
    )

    assert response.status_code == 400
    assert "If-Match" in response.json()
    assert written() == before


@pytest.mark.parametrize("if_none_match", ["garbage", '"', "W/", ",,,", '"x", *', "\x7f"])
def test_a_malformed_if_none_match_is_ignored(rdr, measure, if_none_match):
    response = rdr.get(_support(measure.pk), HTTP_IF_NONE_MATCH=if_none_match)

    assert response.status_code == 200
    assert response.json()["measure"] == measure.pk
