"""GET, POST /api/v1/declarations/ and GET /api/v1/declarations/{id}/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consensus.models import Declaration

DECLARATION_FIELDS = {"id", "title", "summit", "year", "latest_version", "created_by", "created_at"}
LIST = "/api/v1/declarations/"
NEW = {"title": "Washington Summit Declaration", "summit": "Washington Summit", "year": 2024}


def test_the_declarations_endpoints_have_their_documented_addresses():
    assert reverse("api:declaration-list") == LIST
    assert reverse("api:declaration-detail", args=[7]) == "/api/v1/declarations/7/"


def test_a_coordinator_starts_a_declaration_and_gets_its_id(api, coordinator):
    response = api(coordinator).post(LIST, NEW, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == DECLARATION_FIELDS
    declaration = Declaration.objects.get()
    assert body["id"] == declaration.pk
    assert (body["title"], body["summit"], body["year"]) == (
        "Washington Summit Declaration",
        "Washington Summit",
        2024,
    )
    assert (body["latest_version"], body["created_by"]) == (None, "coordinator")


def test_every_reader_lists_declarations_with_their_latest_version(
    api, reader, make_declaration, add_version
):
    vilnius = make_declaration(title="Vilnius", summit="Vilnius Summit", year=2023)
    washington = make_declaration(title="Washington", year=2024)
    add_version(vilnius, "One.")
    add_version(vilnius, "Two.")

    response = api(reader).get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(d["id"], d["latest_version"]) for d in body["results"]] == [
        (washington.pk, None),
        (vilnius.pk, 2),
    ]
    assert all(set(d) == DECLARATION_FIELDS for d in body["results"])


def test_one_declaration_reads_like_an_entry_of_the_list(api, delegate_fra, drafted):
    response = api(delegate_fra).get(reverse("api:declaration-detail", args=[drafted.pk]))

    assert response.status_code == 200
    assert response.json() == api(delegate_fra).get(LIST).json()["results"][0]
    assert response.json()["latest_version"] == 2


def test_an_unknown_declaration_is_not_found(api, reader):
    assert api(reader).get(reverse("api:declaration-detail", args=[999])).status_code == 404


@pytest.mark.parametrize("who", ["delegate", "reader", "read-only coordinator"])
def test_only_coordinators_start_declarations(api, coordinator, delegate_usa, reader, written, who):
    client = {
        "delegate": api(delegate_usa),
        "reader": api(reader),
        "read-only coordinator": api(coordinator, read_only=True),
    }[who]
    before = written()

    response = client.post(LIST, NEW, format="json")

    assert response.status_code == 403
    assert written() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "title": ""}, "title"),
        ({"summit": "Washington Summit", "year": 2024}, "title"),
        ({**NEW, "summit": "   "}, "summit"),
        ({**NEW, "year": 1900}, "year"),
        ({**NEW, "year": "next"}, "year"),
        ({**NEW, "host": "USA"}, "host"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(api, coordinator, written, body, field):
    before = written()

    response = api(coordinator).post(LIST, body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert written() == before
