"""Delegates propose new text for one paragraph of the latest version, for their own state."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from consensus.errors import InvalidInput
from consensus.models import Amendment
from tests.declarations.conftest import V1

DECISIVE = "The PRC has become a decisive enabler of Russia's war."


def test_a_delegate_proposes_for_their_own_state(drafted, delegate_usa, propose):
    amendment = propose(delegate_usa, drafted, text=f"  {DECISIVE}\n", rationale=" Evidence. ")

    amendment = Amendment.objects.get(pk=amendment.pk)
    assert amendment.sponsor_id == "USA"
    assert amendment.proposed_by == delegate_usa
    assert (amendment.version.number, amendment.paragraph) == (2, 3)
    assert (amendment.text, amendment.rationale) == (DECISIVE, "Evidence.")
    assert (amendment.status, amendment.decided_at, amendment.accepted_version) == (
        "open",
        None,
        None,
    )


def test_a_paragraph_may_keep_a_line_break_inside(drafted, delegate_usa, propose):
    amendment = propose(delegate_usa, drafted, text="The PRC has become\na decisive enabler.")

    assert amendment.text == "The PRC has become\na decisive enabler."


@pytest.mark.parametrize("role", ["coordinator", "reader"])
def test_only_delegates_propose(drafted, propose, make_user, role, written):
    user = make_user(f"someone-{role}", role)
    before = written()

    with pytest.raises(PermissionDenied):
        propose(user, drafted)

    assert written() == before


def test_an_inactive_delegate_proposes_nothing(drafted, delegate_usa, propose, written):
    delegate_usa.is_active = False
    before = written()

    with pytest.raises(PermissionDenied):
        propose(delegate_usa, drafted)

    assert written() == before


def test_only_the_latest_version_is_amended(drafted, delegate_usa, propose, written):
    before = written()

    with pytest.raises(InvalidInput) as refusal:
        propose(delegate_usa, drafted, version_number=1, text="Other text.")

    assert refusal.value.errors == {"version": ["Amend the latest version, 2."]}
    assert written() == before


def test_a_version_that_does_not_exist_is_refused(drafted, delegate_usa, propose, written):
    before = written()

    with pytest.raises(InvalidInput) as refusal:
        propose(delegate_usa, drafted, version_number=9)

    assert list(refusal.value.errors) == ["version"]
    assert written() == before


def test_a_declaration_without_versions_cannot_be_amended(declaration, delegate_usa, propose):
    with pytest.raises(InvalidInput) as refusal:
        propose(delegate_usa, declaration, version_number=1)

    assert refusal.value.errors == {"version": ["The declaration has no version yet."]}
    assert not Amendment.objects.exists()


@pytest.mark.parametrize("paragraph", [6, 99])
def test_a_paragraph_the_version_does_not_have_is_refused(
    drafted, delegate_usa, propose, written, paragraph
):
    before = written()

    with pytest.raises(InvalidInput) as refusal:
        propose(delegate_usa, drafted, paragraph=paragraph)

    assert refusal.value.errors == {"paragraph": ["Version 2 has paragraphs 1 to 5."]}
    assert written() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (" \n ", "Propose the paragraph's new text."),
        (
            "One paragraph.\n\nAnd another.",
            "An amendment replaces one paragraph: leave out blank lines.",
        ),
        (
            "The PRC has become a [decisive][key] enabler of Russia's war.",
            "The text is the same as the paragraph: nothing to amend.",
        ),
        ("The PRC is a [decisive enabler.", "Paragraph 3, character 14: this “[” is never closed."),
        ("The PRC is a decisive] enabler.", "Paragraph 3, character 22: this “]” closes no “[”."),
    ],
)
def test_a_text_that_is_not_one_new_balanced_paragraph_is_refused(
    drafted, delegate_usa, propose, written, text, message
):
    before = written()

    with pytest.raises(InvalidInput) as refusal:
        propose(delegate_usa, drafted, text=text)

    assert refusal.value.errors == {"text": [message]}
    assert written() == before


def test_every_bad_field_is_named_at_once(drafted, delegate_usa, propose, written):
    before = written()

    with pytest.raises(InvalidInput) as refusal:
        propose(delegate_usa, drafted, text="", rationale="  ")

    assert set(refusal.value.errors) == {"text", "rationale"}
    assert written() == before


def test_a_first_version_can_be_amended(declaration, add_version, delegate_fra, propose):
    add_version(declaration, V1)

    amendment = propose(delegate_fra, declaration, paragraph=1, text="We have met in Washington.")

    assert (amendment.version.number, amendment.sponsor_id) == (1, "FRA")
