"""Coordinators accept (making the next version) or reject an amendment once; stale is 409."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from consensus.declarations.services import AmendmentConflict, amendment_decide
from consensus.declarations.text import paragraphs_split
from consensus.errors import InvalidInput
from consensus.models import Amendment, DeclarationVersion
from tests.declarations.conftest import V2

DECISIVE = "The PRC has become a decisive enabler of Russia's war."


@pytest.fixture
def amendment(drafted, delegate_usa, propose):
    return propose(delegate_usa, drafted, text=DECISIVE)


def latest(declaration) -> DeclarationVersion:
    return DeclarationVersion.objects.filter(declaration=declaration).order_by("-number")[0]


def test_accepting_makes_the_next_version_with_the_paragraph_replaced(
    drafted, amendment, coordinator
):
    decided = amendment_decide(actor=coordinator, amendment=amendment, decision="accept")

    version = latest(drafted)
    assert version.number == 3
    assert version.text == V2.replace(
        "The PRC has become a [decisive][key] enabler of Russia's war.", DECISIVE
    )
    assert paragraphs_split(version.text)[2] == DECISIVE
    assert version.note == f"Amendment {amendment.pk} by USA accepted: paragraph 3 replaced."
    assert version.author == coordinator
    assert version.bracket_count == 0
    amendment = Amendment.objects.get(pk=amendment.pk)
    assert (amendment.status, amendment.decided_by, amendment.accepted_version) == (
        "accepted",
        coordinator,
        version,
    )
    assert amendment.decided_at is not None
    assert decided.accepted_version == version


def test_accepting_keeps_every_other_character_of_the_latest_text(
    declaration, add_version, delegate_fra, propose, coordinator
):
    add_version(declaration, "  One.\n\n\n\nTwo,\nstill two.\n \nThree.  ")
    amendment = propose(delegate_fra, declaration, paragraph=2, text="Deux.")

    amendment_decide(actor=coordinator, amendment=amendment, decision="accept")

    assert latest(declaration).text == "  One.\n\n\n\nDeux.\n \nThree.  "


def test_rejecting_makes_no_version(drafted, amendment, coordinator):
    amendment_decide(actor=coordinator, amendment=amendment, decision="reject")

    assert latest(drafted).number == 2
    amendment = Amendment.objects.get(pk=amendment.pk)
    assert (amendment.status, amendment.decided_by, amendment.accepted_version) == (
        "rejected",
        coordinator,
        None,
    )


@pytest.mark.parametrize(
    ("first", "second"), [("accept", "accept"), ("reject", "accept"), ("accept", "reject")]
)
def test_an_amendment_is_decided_once(amendment, coordinator, written, first, second):
    amendment_decide(actor=coordinator, amendment=amendment, decision=first)
    before = written()

    with pytest.raises(AmendmentConflict, match="already"):
        amendment_decide(actor=coordinator, amendment=amendment, decision=second)

    assert written() == before


def test_accepting_after_the_paragraph_changed_is_a_conflict_and_writes_nothing(
    drafted, amendment, add_version, coordinator, written
):
    add_version(drafted, V2.replace("[decisive][key] enabler", "[key] enabler"))
    before = written()

    with pytest.raises(AmendmentConflict, match="Paragraph 3 changed after version 2"):
        amendment_decide(actor=coordinator, amendment=amendment, decision="accept")

    assert written() == before
    assert Amendment.objects.get(pk=amendment.pk).status == "open"


def test_accepting_after_the_paragraph_was_dropped_is_a_conflict(
    drafted, delegate_usa, propose, add_version, coordinator, written
):
    amendment = propose(delegate_usa, drafted, paragraph=5, text="We will deter hybrid threats.")
    add_version(drafted, "\n\n".join(paragraphs_split(V2)[:4]))
    before = written()

    with pytest.raises(AmendmentConflict):
        amendment_decide(actor=coordinator, amendment=amendment, decision="accept")

    assert written() == before


def test_accepting_after_other_paragraphs_changed_keeps_their_changes(
    drafted, amendment, add_version, coordinator
):
    newer = V2.replace("undersea cables", "undersea cables and pipelines")
    add_version(drafted, newer)

    amendment_decide(actor=coordinator, amendment=amendment, decision="accept")

    version = latest(drafted)
    assert version.number == 4
    assert version.text == newer.replace(
        "The PRC has become a [decisive][key] enabler of Russia's war.", DECISIVE
    )


def test_of_two_amendments_to_one_paragraph_the_second_accepted_is_a_conflict(
    drafted, amendment, delegate_fra, propose, coordinator, written
):
    rival = propose(delegate_fra, drafted, text="The PRC supports Russia's war.")
    amendment_decide(actor=coordinator, amendment=amendment, decision="accept")
    before = written()

    with pytest.raises(AmendmentConflict):
        amendment_decide(actor=coordinator, amendment=rival, decision="accept")

    assert written() == before
    amendment_decide(actor=coordinator, amendment=rival, decision="reject")
    assert Amendment.objects.get(pk=rival.pk).status == "rejected"


@pytest.mark.parametrize("who", ["delegate", "sponsor", "reader"])
def test_only_coordinators_decide(amendment, delegate_fra, delegate_usa, reader, written, who):
    actor = {"delegate": delegate_fra, "sponsor": delegate_usa, "reader": reader}[who]
    before = written()

    for decision in ("accept", "reject"):
        with pytest.raises(PermissionDenied):
            amendment_decide(actor=actor, amendment=amendment, decision=decision)

    assert written() == before


def test_an_unknown_decision_is_refused(amendment, coordinator, written):
    before = written()

    with pytest.raises(InvalidInput) as refusal:
        amendment_decide(actor=coordinator, amendment=amendment, decision="defer")

    assert list(refusal.value.errors) == ["decision"]
    assert written() == before
