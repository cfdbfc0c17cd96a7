"""The amendments API: propose (delegates), take a stance (other states), decide (coordinators)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consensus.declarations.services import amendment_decide, amendment_stance_record
from consensus.models import Amendment, DeclarationVersion
from tests.declarations.conftest import V2

AMENDMENT_FIELDS = {
    "id",
    "declaration",
    "version",
    "paragraph",
    "text",
    "rationale",
    "sponsor",
    "proposed_by",
    "created_at",
    "status",
    "supporters",
    "objectors",
    "decided_by",
    "decided_at",
    "accepted_version",
}
DECISIVE = "The PRC has become a decisive enabler of Russia's war."
PROPOSAL = {"version": 2, "paragraph": 3, "text": DECISIVE, "rationale": "The evidence."}


def amendments_url(declaration_id: int) -> str:
    return reverse("api:amendment-list", args=[declaration_id])


def amendment_url(declaration_id: int, amendment_id: int, action: str | None = None) -> str:
    name = {None: "api:amendment-detail", "stance": "api:amendment-stance"}.get(
        action, "api:amendment-decide"
    )
    return reverse(name, args=[declaration_id, amendment_id])


@pytest.fixture
def amendment(drafted, delegate_usa, propose):
    return propose(delegate_usa, drafted, text=DECISIVE)


def test_the_amendment_endpoints_have_their_documented_addresses():
    assert amendments_url(7) == "/api/v1/declarations/7/amendments/"
    assert amendment_url(7, 3) == "/api/v1/declarations/7/amendments/3/"
    assert amendment_url(7, 3, "stance") == "/api/v1/declarations/7/amendments/3/stance/"
    assert amendment_url(7, 3, "decide") == "/api/v1/declarations/7/amendments/3/decide/"


# Proposing ---------------------------------------------------------------------------


def test_a_delegate_proposes_an_amendment_for_their_state(api, delegate_usa, drafted):
    response = api(delegate_usa).post(amendments_url(drafted.pk), PROPOSAL, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == AMENDMENT_FIELDS
    amendment = Amendment.objects.get()
    assert body["id"] == amendment.pk
    assert {k: body[k] for k in AMENDMENT_FIELDS - {"id", "created_at"}} == {
        "declaration": drafted.pk,
        "version": 2,
        "paragraph": 3,
        "text": DECISIVE,
        "rationale": "The evidence.",
        "sponsor": "USA",
        "proposed_by": "delegate-usa",
        "status": "open",
        "supporters": [],
        "objectors": [],
        "decided_by": None,
        "decided_at": None,
        "accepted_version": None,
    }


def test_a_sponsor_cannot_be_chosen(api, delegate_usa, drafted, written):
    before = written()

    response = api(delegate_usa).post(
        amendments_url(drafted.pk), {**PROPOSAL, "sponsor": "FRA"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["sponsor"]
    assert written() == before


@pytest.mark.parametrize("who", ["coordinator", "reader", "read-only delegate"])
def test_only_delegates_propose(api, coordinator, reader, delegate_usa, drafted, written, who):
    client = {
        "coordinator": api(coordinator),
        "reader": api(reader),
        "read-only delegate": api(delegate_usa, read_only=True),
    }[who]
    before = written()

    response = client.post(amendments_url(drafted.pk), PROPOSAL, format="json")

    assert response.status_code == 403
    assert written() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"version": 1}, "version"),
        ({"version": 0}, "version"),
        ({"paragraph": 6}, "paragraph"),
        ({"paragraph": "third"}, "paragraph"),
        ({"text": ""}, "text"),
        ({"text": "One.\n\nTwo."}, "text"),
        ({"text": "The PRC is a [decisive enabler."}, "text"),
        ({"rationale": ""}, "rationale"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    api, delegate_usa, drafted, written, change, field
):
    before = written()

    response = api(delegate_usa).post(
        amendments_url(drafted.pk), {**PROPOSAL, **change}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert written() == before


def test_unbalanced_brackets_name_the_paragraph_and_character(api, delegate_usa, drafted):
    response = api(delegate_usa).post(
        amendments_url(drafted.pk),
        {**PROPOSAL, "text": "The PRC is a decisive] enabler."},
        format="json",
    )

    assert response.json() == {"text": ["Paragraph 3, character 22: this “]” closes no “[”."]}


def test_an_amendment_to_an_unknown_declaration_is_not_found(api, delegate_usa, written):
    before = written()

    assert api(delegate_usa).post(amendments_url(999), PROPOSAL, format="json").status_code == 404
    assert written() == before


def test_the_list_shows_every_amendment_with_its_stances(
    api, reader, drafted, amendment, delegate_fra, delegate_deu, propose
):
    amendment_stance_record(actor=delegate_deu, amendment=amendment, stance="support")
    amendment_stance_record(actor=delegate_fra, amendment=amendment, stance="oppose")
    other = propose(delegate_fra, drafted, paragraph=1, text="We have met in Washington.")

    response = api(reader).get(amendments_url(drafted.pk))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(a["id"], a["sponsor"], a["supporters"], a["objectors"]) for a in results] == [
        (amendment.pk, "USA", ["DEU"], ["FRA"]),
        (other.pk, "FRA", [], []),
    ]
    detail = api(reader).get(amendment_url(drafted.pk, amendment.pk))
    assert detail.json() == results[0]


def test_an_amendment_of_another_declaration_is_not_found(api, reader, amendment, make_declaration):
    other = make_declaration(title="Vilnius")

    assert api(reader).get(amendment_url(other.pk, amendment.pk)).status_code == 404
    assert api(reader).get(amendment_url(amendment.declaration_id, 999)).status_code == 404


@pytest.mark.parametrize("count", [1, 12])
def test_the_amendment_list_takes_a_fixed_number_of_queries(
    api, reader, drafted, propose, make_user, django_assert_max_num_queries, count
):
    codes = ["FRA", "DEU", "ITA", "POL", "NLD", "BEL", "GRC", "HUN", "TUR", "ESP", "PRT", "DNK"]
    delegates = [make_user(f"d-{code}", "delegate", code) for code in codes[:count]]
    for index, delegate in enumerate(delegates):
        amendment = propose(delegate, drafted, paragraph=1 + index % 5, text=f"New text {index}.")
        amendment_stance_record(
            actor=delegates[index - 1] if count > 1 else make_user("d-gbr", "delegate", "GBR"),
            amendment=amendment,
            stance="support",
        )
    client = api(reader)
    client.get(amendments_url(drafted.pk))

    with django_assert_max_num_queries(5):
        response = client.get(amendments_url(drafted.pk))

    assert len(response.json()["results"]) == count


# Supporting and objecting ----------------------------------------------------------


def test_a_delegate_of_another_state_supports_and_another_objects(
    api, delegate_fra, delegate_deu, drafted, amendment
):
    supported = api(delegate_deu).post(
        amendment_url(drafted.pk, amendment.pk, "stance"), {"stance": "support"}, format="json"
    )
    opposed = api(delegate_fra).post(
        amendment_url(drafted.pk, amendment.pk, "stance"), {"stance": "oppose"}, format="json"
    )

    assert (supported.status_code, opposed.status_code) == (201, 201)
    assert set(opposed.json()) == AMENDMENT_FIELDS
    assert (opposed.json()["supporters"], opposed.json()["objectors"]) == (["DEU"], ["FRA"])


@pytest.mark.parametrize("who", ["sponsor", "coordinator", "reader", "read-only delegate"])
def test_the_sponsor_coordinators_and_readers_take_no_stance(
    api, delegate_usa, delegate_fra, coordinator, reader, drafted, amendment, written, who
):
    client = {
        "sponsor": api(delegate_usa),
        "coordinator": api(coordinator),
        "reader": api(reader),
        "read-only delegate": api(delegate_fra, read_only=True),
    }[who]
    before = written()

    response = client.post(
        amendment_url(drafted.pk, amendment.pk, "stance"), {"stance": "support"}, format="json"
    )

    assert response.status_code == 403
    assert written() == before


def test_a_second_stance_of_a_state_is_a_conflict(api, delegate_fra, drafted, amendment, written):
    url = amendment_url(drafted.pk, amendment.pk, "stance")
    api(delegate_fra).post(url, {"stance": "support"}, format="json")
    before = written()

    response = api(delegate_fra).post(url, {"stance": "oppose"}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": "FRA has already taken a stance on this amendment."}
    assert written() == before


def test_a_stance_on_a_decided_amendment_is_a_conflict(
    api, delegate_fra, coordinator, drafted, amendment, written
):
    amendment_decide(actor=coordinator, amendment=amendment, decision="reject")
    before = written()

    response = api(delegate_fra).post(
        amendment_url(drafted.pk, amendment.pk, "stance"), {"stance": "support"}, format="json"
    )

    assert response.status_code == 409
    assert written() == before


@pytest.mark.parametrize("body", [{"stance": "abstain"}, {}, {"stance": "support", "note": "x"}])
def test_a_bad_stance_answers_400_and_writes_nothing(
    api, delegate_fra, drafted, amendment, written, body
):
    before = written()

    response = api(delegate_fra).post(
        amendment_url(drafted.pk, amendment.pk, "stance"), body, format="json"
    )

    assert response.status_code == 400
    assert written() == before


# Deciding ----------------------------------------------------------------------------


def test_a_coordinator_accepts_and_the_next_version_has_the_new_paragraph(
    api, coordinator, reader, drafted, amendment
):
    response = api(coordinator).post(
        amendment_url(drafted.pk, amendment.pk, "decide"), {"decision": "accept"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["accepted_version"], body["decided_by"]) == (
        "accepted",
        3,
        "coordinator",
    )
    assert body["decided_at"] is not None
    version = (
        api(reader).get(reverse("api:declaration-version-detail", args=[drafted.pk, 3])).json()
    )
    assert version["paragraphs"][2]["text"] == DECISIVE
    assert version["note"] == f"Amendment {amendment.pk} by USA accepted: paragraph 3 replaced."
    diff = (
        api(reader)
        .get(reverse("api:declaration-diff", args=[drafted.pk]), {"from": 2, "to": 3})
        .json()
    )
    assert diff["summary"] == {"same": 4, "changed": 1, "added": 0, "removed": 0}


def test_a_coordinator_rejects_and_no_version_is_made(api, coordinator, drafted, amendment):
    response = api(coordinator).post(
        amendment_url(drafted.pk, amendment.pk, "decide"), {"decision": "reject"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["accepted_version"]) == ("rejected", None)
    assert DeclarationVersion.objects.filter(declaration=drafted).count() == 2


def test_accepting_a_stale_amendment_answers_409_and_writes_nothing(
    api, coordinator, drafted, amendment, add_version, written
):
    add_version(drafted, V2.replace("[decisive][key] enabler", "[key] enabler"))
    before = written()

    response = api(coordinator).post(
        amendment_url(drafted.pk, amendment.pk, "decide"), {"decision": "accept"}, format="json"
    )

    assert response.status_code == 409
    assert "Paragraph 3 changed after version 2" in response.json()["detail"]
    assert written() == before


def test_deciding_twice_answers_409_and_writes_nothing(
    api, coordinator, drafted, amendment, written
):
    url = amendment_url(drafted.pk, amendment.pk, "decide")
    api(coordinator).post(url, {"decision": "accept"}, format="json")
    before = written()

    response = api(coordinator).post(url, {"decision": "reject"}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": "The amendment was already accepted."}
    assert written() == before


@pytest.mark.parametrize("who", ["sponsor", "delegate", "reader", "read-only coordinator"])
def test_only_coordinators_decide(
    api, delegate_usa, delegate_fra, reader, coordinator, drafted, amendment, written, who
):
    client = {
        "sponsor": api(delegate_usa),
        "delegate": api(delegate_fra),
        "reader": api(reader),
        "read-only coordinator": api(coordinator, read_only=True),
    }[who]
    before = written()

    response = client.post(
        amendment_url(drafted.pk, amendment.pk, "decide"), {"decision": "accept"}, format="json"
    )

    assert response.status_code == 403
    assert written() == before


@pytest.mark.parametrize("body", [{"decision": "postpone"}, {}, {"decision": "accept", "x": 1}])
def test_a_bad_decision_answers_400_and_writes_nothing(
    api, coordinator, drafted, amendment, written, body
):
    before = written()

    response = api(coordinator).post(
        amendment_url(drafted.pk, amendment.pk, "decide"), body, format="json"
    )

    assert response.status_code == 400
    assert written() == before


def test_deciding_an_unknown_amendment_is_not_found(api, coordinator, drafted, written):
    before = written()

    response = api(coordinator).post(
        amendment_url(drafted.pk, 999, "decide"), {"decision": "accept"}, format="json"
    )

    assert response.status_code == 404
    assert written() == before
