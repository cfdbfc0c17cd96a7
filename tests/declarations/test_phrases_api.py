"""GET /api/v1/phrases/?q=<text>: for each declaration, where and when the phrase occurs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.declarations.conftest import paragraphs

PHRASES = "/api/v1/phrases/"


def test_the_phrase_endpoint_has_its_documented_address():
    assert reverse("api:phrase-search") == PHRASES


def test_it_answers_where_and_when_the_phrase_occurs(api, reader, make_declaration, add_version):
    washington = make_declaration()
    add_version(washington, paragraphs("Opening.", "The PRC is a [decisive][key] enabler."))
    add_version(washington, paragraphs("Opening.", "The PRC is a decisive\nenabler."))
    add_version(washington, paragraphs("Opening.", "The PRC is a key enabler."))
    make_declaration(title="Vilnius", year=2023)

    response = api(reader).get(PHRASES, {"q": "Decisive  enabler"})

    assert response.status_code == 200
    assert response.json() == {
        "q": "Decisive  enabler",
        "declarations": [
            {
                "id": washington.pk,
                "title": "Washington Summit Declaration",
                "summit": "Washington Summit",
                "year": 2024,
                "latest_version": 3,
                "occurrences": [{"version": 2, "paragraphs": [2]}],
                "first_appeared": 2,
                "last_dropped": 3,
                "in_latest": False,
            }
        ],
    }


def test_a_phrase_found_nowhere_answers_an_empty_list(api, reader, drafted):
    response = api(reader).get(PHRASES, {"q": "no limits partnership"})

    assert response.status_code == 200
    assert response.json() == {"q": "no limits partnership", "declarations": []}


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 201}])
def test_a_missing_or_empty_phrase_answers_400_naming_q(api, reader, query):
    response = api(reader).get(PHRASES, query)

    assert response.status_code == 400
    assert list(response.json()) == ["q"]
