"""GET, POST /api/v1/declarations/{id}/versions/ and GET .../versions/{n}/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consensus.models import DeclarationVersion
from tests.declarations.conftest import V1, V2, paragraphs

VERSION_FIELDS = {
    "number",
    "text",
    "note",
    "author",
    "created_at",
    "paragraphs",
    "bracket_count",
}
SUMMARY_FIELDS = {
    "number",
    "note",
    "author",
    "created_at",
    "paragraph_count",
    "bracket_count",
    "amendment",
}


def versions_url(declaration_id: int) -> str:
    return reverse("api:declaration-version-list", args=[declaration_id])


def version_url(declaration_id: int, number: int) -> str:
    return reverse("api:declaration-version-detail", args=[declaration_id, number])


def test_the_version_endpoints_have_their_documented_addresses():
    assert versions_url(7) == "/api/v1/declarations/7/versions/"
    assert version_url(7, 2) == "/api/v1/declarations/7/versions/2/"


def test_a_coordinator_records_versions_numbered_from_one(api, coordinator, declaration):
    client = api(coordinator)

    first = client.post(versions_url(declaration.pk), {"text": V1, "note": "First"}, format="json")
    second = client.post(versions_url(declaration.pk), {"text": V2}, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert set(first.json()) == VERSION_FIELDS
    assert (first.json()["number"], second.json()["number"]) == (1, 2)
    assert (first.json()["note"], second.json()["note"]) == ("First", "")
    assert first.json()["author"] == "coordinator"
    assert DeclarationVersion.objects.filter(declaration=declaration).count() == 2


def test_a_version_reads_with_its_paragraphs_and_brackets(api, reader, declaration, add_version):
    text = paragraphs(
        "We have met in Washington.",
        "The PRC is a [decisive][key] enabler [of [Russia's] war].",
    )
    add_version(declaration, text, "First draft")

    response = api(reader).get(version_url(declaration.pk, 1))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == VERSION_FIELDS
    assert (body["number"], body["text"], body["note"], body["author"]) == (
        1,
        text,
        "First draft",
        "coordinator",
    )
    assert body["bracket_count"] == 4
    assert body["paragraphs"] == [
        {"index": 1, "text": "We have met in Washington.", "brackets": []},
        {
            "index": 2,
            "text": "The PRC is a [decisive][key] enabler [of [Russia's] war].",
            "brackets": [
                {
                    "start": 13,
                    "end": 28,
                    "depth": 1,
                    "text": "[decisive][key]",
                    "alternatives": ["decisive", "key"],
                },
                {
                    "start": 37,
                    "end": 56,
                    "depth": 1,
                    "text": "[of [Russia's] war]",
                    "alternatives": ["of [Russia's] war"],
                },
                {
                    "start": 41,
                    "end": 51,
                    "depth": 2,
                    "text": "[Russia's]",
                    "alternatives": ["Russia's"],
                },
            ],
        },
    ]


def test_the_list_shows_each_version_without_its_text(api, reader, drafted):
    response = api(reader).get(versions_url(drafted.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [set(v) for v in body["results"]] == [SUMMARY_FIELDS, SUMMARY_FIELDS]
    assert [
        (v["number"], v["note"], v["paragraph_count"], v["bracket_count"], v["amendment"])
        for v in body["results"]
    ] == [(1, "First draft", 4, 2, None), (2, "Second reading", 5, 2, None)]


def test_the_list_names_the_amendment_that_made_a_version(
    api, reader, drafted, delegate_usa, coordinator, propose
):
    from consensus.declarations.services import amendment_decide

    amendment = propose(delegate_usa, drafted)
    amendment_decide(actor=coordinator, amendment=amendment, decision="accept")

    results = api(reader).get(versions_url(drafted.pk)).json()["results"]

    assert [v["amendment"] for v in results] == [None, None, amendment.pk]


def test_unknown_declarations_and_versions_are_not_found(api, reader, drafted):
    client = api(reader)

    assert client.get(versions_url(999)).status_code == 404
    assert client.get(version_url(drafted.pk, 3)).status_code == 404
    assert client.get(version_url(999, 1)).status_code == 404


def test_a_version_for_an_unknown_declaration_is_not_found_and_writes_nothing(
    api, coordinator, written
):
    before = written()

    assert api(coordinator).post(versions_url(999), {"text": V1}, format="json").status_code == 404
    assert written() == before


@pytest.mark.parametrize("who", ["delegate", "reader", "read-only coordinator"])
def test_only_coordinators_record_versions(
    api, coordinator, delegate_usa, reader, declaration, written, who
):
    client = {
        "delegate": api(delegate_usa),
        "reader": api(reader),
        "read-only coordinator": api(coordinator, read_only=True),
    }[who]
    before = written()

    response = client.post(versions_url(declaration.pk), {"text": V1}, format="json")

    assert response.status_code == 403
    assert written() == before


def test_unbalanced_brackets_answer_400_naming_paragraph_and_character(
    api, coordinator, declaration, written
):
    before = written()

    response = api(coordinator).post(
        versions_url(declaration.pk),
        {"text": paragraphs("Agreed.", "Agreed too.", "The PRC is a [decisive enabler.")},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"text": ["Paragraph 3, character 14: this “[” is never closed."]}
    assert written() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "  \n\n  "}, "text"),
        ({"text": V1, "author": "someone"}, "author"),
        ({"text": V1, "note": "x" * 10_001}, "note"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    api, coordinator, declaration, written, body, field
):
    before = written()

    response = api(coordinator).post(versions_url(declaration.pk), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert written() == before


def test_a_version_the_same_as_the_latest_answers_400(api, coordinator, drafted, written):
    before = written()

    response = api(coordinator).post(versions_url(drafted.pk), {"text": V2}, format="json")

    assert response.status_code == 400
    assert response.json() == {"text": ["The text is the same as version 2: nothing to record."]}
    assert written() == before


@pytest.mark.parametrize("count", [2, 25])
def test_the_version_list_takes_a_fixed_number_of_queries(
    api, reader, declaration, add_version, django_assert_max_num_queries, count
):
    for n in range(count):
        add_version(declaration, f"Draft {n}: the PRC is a [decisive][key] enabler.")
    client = api(reader)
    client.get(versions_url(declaration.pk))  # the token's bookkeeping is done once

    with django_assert_max_num_queries(4):
        response = client.get(versions_url(declaration.pk))

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("size", [1, 60])
def test_a_version_takes_a_fixed_number_of_queries(
    api, reader, declaration, add_version, django_assert_max_num_queries, size
):
    add_version(
        declaration, paragraphs(*[f"Paragraph {n} [with][a] bracket." for n in range(size)])
    )
    client = api(reader)
    client.get(version_url(declaration.pk, 1))

    with django_assert_max_num_queries(3):
        response = client.get(version_url(declaration.pk, 1))

    assert len(response.json()["paragraphs"]) == size
