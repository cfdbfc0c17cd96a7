"""GET /api/v1/declarations/{id}/diff/?from=a&to=b."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consensus.declarations.text import paragraphs_split
from tests.declarations.conftest import V1, V2, paragraphs

PARAGRAPH_FIELDS = {"status", "from_index", "to_index", "ops"}


def diff_url(declaration_id: int) -> str:
    return reverse("api:declaration-diff", args=[declaration_id])


def test_the_diff_endpoint_has_its_documented_address():
    assert diff_url(7) == "/api/v1/declarations/7/diff/"


def test_the_diff_has_the_documented_shape(api, reader, drafted):
    response = api(reader).get(diff_url(drafted.pk), {"from": 1, "to": 2})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"from", "to", "paragraphs", "summary"}
    assert (body["from"], body["to"]) == (1, 2)
    assert body["summary"] == {"same": 2, "changed": 1, "added": 2, "removed": 1}
    assert all(set(p) == PARAGRAPH_FIELDS for p in body["paragraphs"])
    assert [(p["status"], p["from_index"], p["to_index"]) for p in body["paragraphs"]] == [
        ("same", 1, 1),
        ("same", 2, 2),
        ("removed", 3, None),  # rewritten beyond recognition: dropped, and a new one added
        ("added", None, 3),
        ("changed", 4, 4),
        ("added", None, 5),
    ]
    assert body["paragraphs"][0]["ops"] == [
        ["equal", "We, the Heads of State and Government, have met in Washington."]
    ]
    assert body["paragraphs"][2]["ops"] == [
        ["delete", "The PRC's partnership with Russia is of [serious][profound] concern."]
    ]
    assert body["paragraphs"][4]["ops"] == [
        ["equal", "We will screen foreign investment in ports"],
        ["delete", " and"],
        ["insert", ","],
        ["equal", " rail links"],
        ["insert", " and undersea cables"],
        ["equal", "."],
    ]
    assert body["paragraphs"][5]["ops"] == [
        ["insert", "We will deter hybrid threats wherever they come from."]
    ]


def test_joining_the_ops_gives_the_old_and_the_new_paragraphs_exactly(api, reader, drafted):
    body = api(reader).get(diff_url(drafted.pk), {"from": 1, "to": 2}).json()
    old, new = paragraphs_split(V1), paragraphs_split(V2)

    for paragraph in body["paragraphs"]:
        if paragraph["from_index"] is not None:
            old_text = "".join(text for tag, text in paragraph["ops"] if tag in ("equal", "delete"))
            assert old_text == old[paragraph["from_index"] - 1]
        if paragraph["to_index"] is not None:
            new_text = "".join(text for tag, text in paragraph["ops"] if tag in ("equal", "insert"))
            assert new_text == new[paragraph["to_index"] - 1]
        assert {tag for tag, _ in paragraph["ops"]} <= {"equal", "insert", "delete"}


def test_a_diff_backwards_shows_the_addition_as_removed(api, reader, drafted):
    body = api(reader).get(diff_url(drafted.pk), {"from": 2, "to": 1}).json()

    assert (body["from"], body["to"]) == (2, 1)
    assert body["summary"] == {"same": 2, "changed": 1, "added": 1, "removed": 2}
    assert body["paragraphs"][-1] == {
        "status": "removed",
        "from_index": 5,
        "to_index": None,
        "ops": [["delete", "We will deter hybrid threats wherever they come from."]],
    }


def test_without_versions_named_it_compares_the_latest_with_the_one_before(api, reader, drafted):
    body = api(reader).get(diff_url(drafted.pk)).json()

    assert (body["from"], body["to"]) == (1, 2)
    assert api(reader).get(diff_url(drafted.pk), {"to": 1}).json()["from"] == 1


def test_a_version_compared_with_itself_is_all_same(api, reader, drafted):
    body = api(reader).get(diff_url(drafted.pk), {"from": 2, "to": 2}).json()

    assert body["summary"] == {"same": 5, "changed": 0, "added": 0, "removed": 0}


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"from": 3, "to": 1}, ["from"]),
        ({"from": 1, "to": 9}, ["to"]),
        ({"from": 0}, ["from"]),
        ({"from": "one"}, ["from"]),
        ({"from": 5, "to": 6}, ["from", "to"]),
    ],
)
def test_a_version_that_does_not_exist_answers_400_naming_it(api, reader, drafted, query, fields):
    response = api(reader).get(diff_url(drafted.pk), query)

    assert response.status_code == 400
    assert sorted(response.json()) == fields


def test_a_declaration_without_versions_has_no_diff(api, reader, declaration):
    response = api(reader).get(diff_url(declaration.pk))

    assert response.status_code == 400
    assert list(response.json()) == ["to"]


def test_an_unknown_declaration_is_not_found(api, reader):
    assert api(reader).get(diff_url(999), {"from": 1, "to": 2}).status_code == 404


@pytest.mark.parametrize("size", [3, 60])
def test_the_diff_takes_a_fixed_number_of_queries(
    api, reader, declaration, add_version, django_assert_max_num_queries, size
):
    old = [f"Paragraph {n}: Allies will [screen][review] investment in ports." for n in range(size)]
    new = [p.replace("[screen][review]", "screen") for p in old] + ["A new paragraph."]
    add_version(declaration, paragraphs(*old))
    add_version(declaration, paragraphs(*new))
    client = api(reader)
    client.get(diff_url(declaration.pk))

    with django_assert_max_num_queries(3):
        response = client.get(diff_url(declaration.pk), {"from": 1, "to": 2})

    assert response.json()["summary"]["changed"] == size
