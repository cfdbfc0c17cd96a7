"""The delegate's workspace: what awaits the state first, and the amendments awaiting it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from consensus.declarations.services import (
    amendment_decide,
    amendment_propose,
    amendment_stance_record,
    declaration_create,
    version_create,
)
from consensus.models import Amendment, Declaration

TEXT = "We have met in Washington.\n\nThe PRC is a [decisive][key] enabler of Russia's war."


def section(content: str, heading_id: str) -> str:
    return content.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def drafted(coordinator: User) -> Declaration:
    declaration = declaration_create(
        actor=coordinator, title="Washington Summit Declaration", summit="Washington", year=2024
    )
    version_create(actor=coordinator, declaration=declaration, text=TEXT, note="First draft")
    return declaration


@pytest.fixture
def propose(drafted: Declaration) -> Callable[..., Amendment]:
    def make(actor: User, version: int = 1, paragraph: int = 2) -> Amendment:
        return amendment_propose(
            actor=actor,
            declaration=drafted,
            version_number=version,
            paragraph=paragraph,
            text="The PRC is a decisive enabler of Russia's war.",
            rationale="The evidence supports it.",
        )

    return make


def test_measures_awaiting_the_state_come_first_then_the_decided_ones(
    client, delegate_fra, make_measure, record, edit_url
):
    decided = make_measure(title="Decided rail links")
    partly = make_measure(title="Partly decided screening")
    untouched = make_measure(title="Untouched energy grid")
    record(
        delegate_fra,
        decided,
        "FRA",
        stances={"alliance": "support", "bilateral": "oppose", "eu": "abstain"},
    )
    record(delegate_fra, partly, "FRA", stances={"alliance": "conditional"})
    client.force_login(delegate_fra)

    content = client.get(reverse("my-state")).content.decode()

    awaiting = section(content, "awaiting-heading")
    done = section(content, "decided-heading")
    assert "Measures awaiting your state's position (2)" in content
    assert awaiting.index(partly.title) < awaiting.index(untouched.title)
    assert decided.title not in awaiting
    assert decided.title in done
    assert partly.title not in done
    assert content.index('id="awaiting-heading"') < content.index('id="decided-heading"')
    for m in (decided, partly, untouched):
        assert edit_url(m, "FRA") in content
        assert reverse("measure-positions", args=[m.pk]) in content
    assert awaiting.count('class="badges"') == 2
    assert done.count('class="badges"') == 1


def test_a_state_with_nothing_awaiting_is_told_so(client, delegate_fra, measure, record):
    record(
        delegate_fra,
        measure,
        "FRA",
        stances={"alliance": "support", "bilateral": "support", "eu": "support"},
    )
    client.force_login(delegate_fra)

    content = client.get(reverse("my-state")).content.decode()

    assert "Your state has taken a stance on every route of every measure." in content
    assert "No open amendment awaits your state." in content
    assert measure.title in section(content, "decided-heading")


def test_it_lists_the_open_amendments_to_latest_versions_the_state_has_not_spoken_on(
    client, coordinator, make_user, delegate_fra, delegate_deu, delegate_usa, drafted, propose
):
    awaiting = propose(delegate_deu)
    own = propose(delegate_fra, paragraph=1)
    spoken = propose(delegate_usa, paragraph=1)
    amendment_stance_record(actor=delegate_fra, amendment=spoken, stance="oppose")
    rejected = propose(make_user("d-ita", "delegate", "ITA"))
    amendment_decide(actor=coordinator, amendment=rejected, decision="reject")
    client.force_login(delegate_fra)

    amendments = section(client.get(reverse("my-state")).content.decode(), "amendments-heading")

    detail = reverse("declaration-detail", args=[drafted.pk])
    assert f'href="{detail}#amendment-{awaiting.pk}"' in amendments
    assert f"No. {awaiting.pk}: ¶ 2 of version 1" in amendments
    for other in (own, spoken, rejected):
        assert f"#amendment-{other.pk}" not in amendments
    assert amendments.split("<tbody>", 1)[1].count("<tr>") == 1

    # Once a new version is recorded, amendments to the old one no longer await anyone.
    version_create(actor=coordinator, declaration=drafted, text=TEXT + "\n\nA new paragraph.")
    amendments = section(client.get(reverse("my-state")).content.decode(), "amendments-heading")
    assert f"#amendment-{awaiting.pk}" not in amendments
    assert "No open amendment awaits your state." in amendments


def test_it_takes_the_same_number_of_queries_with_2_or_8_measures(
    client, delegate_fra, delegate_deu, make_measure, record, propose
):
    propose(delegate_deu)
    for _ in range(2):
        record(delegate_fra, make_measure(), "FRA", stances={"alliance": "support"})
    client.force_login(delegate_fra)
    client.get(reverse("my-state"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("my-state"))
    for _ in range(3):
        record(delegate_fra, make_measure(), "FRA", stances={"alliance": "oppose"})
    for _ in range(3):
        record(
            delegate_fra,
            make_measure(),
            "FRA",
            stances={"alliance": "support", "bilateral": "support", "eu": "support"},
        )
    propose(delegate_deu, paragraph=1)

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("my-state"))

    assert len(many) == len(few)
    content = response.content.decode()
    assert section(content, "awaiting-heading").split("<tbody>", 1)[1].count("<tr") == 5
    assert section(content, "decided-heading").split("<tbody>", 1)[1].count("<tr") == 3
    assert section(content, "amendments-heading").split("<tbody>", 1)[1].count("<tr>") == 2
