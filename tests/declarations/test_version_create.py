"""Versions: numbered from 1 without gaps, checked before writing, never edited once saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from consensus.declarations.services import declaration_create, version_create
from consensus.errors import InvalidInput
from consensus.models import DeclarationVersion
from positions.models import AppendOnlyError
from tests.declarations.conftest import V1, V2, paragraphs


def test_numbers_start_at_one_and_follow_without_gaps(declaration, add_version):
    versions = [add_version(declaration, f"Draft {n}.") for n in range(1, 5)]

    assert [v.number for v in versions] == [1, 2, 3, 4]


def test_each_declaration_numbers_its_own_versions(make_declaration, add_version):
    vilnius = make_declaration(title="Vilnius Summit Communiqué", year=2023)
    washington = make_declaration()
    add_version(vilnius, "One.")
    add_version(vilnius, "Two.")

    assert add_version(washington, "One.").number == 1


def test_a_version_keeps_its_text_note_author_and_counts(declaration, coordinator):
    version = version_create(
        actor=coordinator, declaration=declaration, text=V2, note="  Second reading  "
    )

    version = DeclarationVersion.objects.get(pk=version.pk)
    assert (version.text, version.note, version.author) == (V2, "Second reading", coordinator)
    assert version.paragraph_count == 5
    assert version.bracket_count == 2  # [decisive][key]: two alternatives
    assert version.created_at is not None


def test_line_endings_are_normalised_and_the_rest_is_kept(declaration, add_version):
    version = add_version(declaration, "  One.\r\n\r\n\r\nTwo,\r\nstill two.  ")

    assert version.text == "  One.\n\n\nTwo,\nstill two.  "
    assert version.paragraph_count == 2


def test_only_coordinators_record_versions(declaration, delegate_fra, reader, written):
    before = written()

    for user in (delegate_fra, reader):
        with pytest.raises(PermissionDenied):
            version_create(actor=user, declaration=declaration, text=V1)

    assert written() == before


def test_an_inactive_coordinator_records_nothing(declaration, coordinator, written):
    coordinator.is_active = False
    before = written()

    with pytest.raises(PermissionDenied):
        version_create(actor=coordinator, declaration=declaration, text=V1)

    assert written() == before


def test_a_text_without_a_paragraph_is_refused(declaration, add_version, written):
    before = written()

    with pytest.raises(InvalidInput) as refusal:
        add_version(declaration, " \n\n \t")

    assert list(refusal.value.errors) == ["text"]
    assert written() == before


def test_unbalanced_brackets_are_refused_naming_paragraph_and_character(
    declaration, add_version, written
):
    before = written()
    text = paragraphs("Agreed.", "The PRC is a [decisive enabler.", "It must ] stop.")

    with pytest.raises(InvalidInput) as refusal:
        add_version(declaration, text)

    assert refusal.value.errors == {
        "text": [
            "Paragraph 2, character 14: this “[” is never closed.",
            "Paragraph 3, character 9: this “]” closes no “[”.",
        ]
    }
    assert written() == before


def test_a_text_with_the_same_paragraphs_as_the_latest_is_refused(
    declaration, add_version, written
):
    add_version(declaration, V1)
    before = written()

    with pytest.raises(InvalidInput) as refusal:
        add_version(declaration, V1.replace("\n\n", "\n\n\n") + "\n")

    assert refusal.value.errors == {
        "text": ["The text is the same as version 1: nothing to record."]
    }
    assert written() == before


def test_the_same_text_as_an_older_version_is_a_new_version(declaration, add_version):
    add_version(declaration, V1)
    add_version(declaration, V2)

    assert add_version(declaration, V1).number == 3


def test_a_saved_version_cannot_be_saved_again(declaration, add_version):
    version = add_version(declaration, V1)
    version.text = "Rewritten."

    with pytest.raises(AppendOnlyError):
        version.save()

    assert DeclarationVersion.objects.get(pk=version.pk).text == V1


def test_a_version_cannot_be_deleted(declaration, add_version):
    version = add_version(declaration, V1)

    with pytest.raises(AppendOnlyError):
        version.delete()
    with pytest.raises(AppendOnlyError):
        DeclarationVersion.objects.filter(pk=version.pk).delete()
    with pytest.raises(AppendOnlyError):
        DeclarationVersion.objects.filter(pk=version.pk).update(text="Rewritten.")
    with pytest.raises(AppendOnlyError):
        DeclarationVersion.objects.bulk_update([version], ["text"])

    assert DeclarationVersion.objects.filter(pk=version.pk, text=V1).exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE consensus_declarationversion SET text = 'Rewritten.'",
        "DELETE FROM consensus_declarationversion",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_version(declaration, add_version, statement):
    version = add_version(declaration, V1)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert DeclarationVersion.objects.get(pk=version.pk).text == V1


def test_the_numbers_are_unique_in_the_database(declaration, add_version, coordinator):
    add_version(declaration, V1)

    with pytest.raises(DatabaseError), transaction.atomic():
        DeclarationVersion.objects.create(
            declaration=declaration,
            number=1,
            text=V2,
            author=coordinator,
            paragraph_count=5,
            bracket_count=2,
        )


def test_a_declaration_is_started_by_a_coordinator(coordinator):
    declaration = declaration_create(
        actor=coordinator, title=" Vilnius Summit Communiqué ", summit="Vilnius Summit", year=2023
    )

    assert (declaration.title, declaration.summit, declaration.year) == (
        "Vilnius Summit Communiqué",
        "Vilnius Summit",
        2023,
    )
    assert declaration.created_by == coordinator


def test_a_declaration_is_started_by_no_one_else(delegate_usa, reader, written):
    before = written()

    for user in (delegate_usa, reader):
        with pytest.raises(PermissionDenied):
            declaration_create(actor=user, title="T", summit="S", year=2024)

    assert written() == before


def test_a_declaration_needs_a_title_a_summit_and_a_plausible_year(coordinator, written):
    before = written()

    with pytest.raises(InvalidInput) as refusal:
        declaration_create(actor=coordinator, title=" ", summit="", year=1900)

    assert set(refusal.value.errors) == {"title", "summit", "year"}
    assert written() == before
