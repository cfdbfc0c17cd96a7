"""A phrase's history: where it occurs in each declaration's versions, when it came and went."""

from __future__ import annotations

import re

import pytest

from consensus.declarations.selectors import phrase_history
from consensus.declarations.text import phrase_paragraphs, phrase_pattern
from consensus.errors import InvalidInput
from tests.declarations.conftest import paragraphs


def found(phrase: str, text: str) -> bool:
    pattern = phrase_pattern(phrase)
    assert pattern is not None
    return bool(phrase_paragraphs(pattern, [text]))


@pytest.mark.parametrize(
    "text",
    [
        "The PRC is a decisive enabler of the war.",
        "The PRC is a DECISIVE Enabler of the war.",
        "The PRC is a decisive\nenabler of the war.",
        "The PRC is a decisive   \t enabler.",
    ],
)
def test_a_phrase_matches_in_any_case_and_across_any_whitespace(text):
    assert found("decisive enabler", text)
    assert found("  Decisive \n enabler ", text)


@pytest.mark.parametrize(
    "text",
    ["an indecisive enabler", "decisive enablers", "[decisive][key] enabler", "decisive, enabler"],
)
def test_a_phrase_matches_whole_words_only(text):
    assert not found("decisive enabler", text)


def test_punctuation_and_brackets_in_a_phrase_are_taken_literally():
    assert found("[decisive][key]", "a [decisive][key] enabler")
    assert found("PRC's", "the PRC's ambitions")
    assert not found("a.c", "abc")


def test_a_phrase_without_words_has_no_pattern():
    assert phrase_pattern(" \n ") is None


def test_the_paragraphs_holding_the_phrase_are_numbered_from_one():
    pattern = phrase_pattern("systemic challenges")
    assert isinstance(pattern, re.Pattern)

    assert phrase_paragraphs(
        pattern, ["No.", "Systemic challenges.", "x", "systemic challenges"]
    ) == [2, 4]


def test_first_appearance_and_last_drop_are_named_per_declaration(make_declaration, add_version):
    washington = make_declaration()
    add_version(washington, paragraphs("Opening.", "The PRC is a [decisive][key] enabler."))
    add_version(washington, paragraphs("Opening.", "The PRC is a decisive enabler."))
    add_version(
        washington, paragraphs("The PRC is a decisive enabler.", "Opening, decisive enabler.")
    )
    add_version(washington, paragraphs("Opening.", "The PRC is a key enabler."))
    vilnius = make_declaration(
        title="Vilnius Summit Communiqué", summit="Vilnius Summit", year=2023
    )
    add_version(vilnius, "Nothing on it.")

    (history,) = phrase_history(phrase="decisive  ENABLER")

    assert history.declaration == washington
    assert history.latest_version == 4
    assert [(o.version, o.paragraphs) for o in history.occurrences] == [(2, [2]), (3, [1, 2])]
    assert history.first_appeared == 2
    assert history.last_dropped == 4
    assert not history.in_latest
    assert [(t.version, t.paragraphs) for t in history.timeline] == [
        (1, []),
        (2, [2]),
        (3, [1, 2]),
        (4, []),
    ]


def test_a_phrase_dropped_and_restored_names_its_last_drop(declaration, add_version):
    for text in [
        "Systemic challenges.",
        "Nothing.",
        "Systemic challenges!",
        "Still none.",
        "Systemic challenges.",
    ]:
        add_version(declaration, text)

    (history,) = phrase_history(phrase="systemic challenges")

    assert [o.version for o in history.occurrences] == [1, 3, 5]
    assert (history.first_appeared, history.last_dropped, history.in_latest) == (1, 4, True)


def test_a_phrase_never_dropped_has_no_drop(declaration, add_version):
    add_version(declaration, "Nothing.")
    add_version(declaration, "Systemic challenges.")

    (history,) = phrase_history(phrase="systemic challenges")

    assert (history.first_appeared, history.last_dropped, history.in_latest) == (2, None, True)


def test_every_declaration_holding_the_phrase_is_listed_latest_year_first(
    make_declaration, add_version
):
    vilnius = make_declaration(title="Vilnius", year=2023)
    washington = make_declaration(title="Washington", year=2024)
    madrid = make_declaration(title="Madrid", year=2022)
    add_version(vilnius, "Systemic challenges.")
    add_version(madrid, "Systemic challenges.")
    add_version(washington, "Other words.")

    assert [h.declaration for h in phrase_history(phrase="systemic challenges")] == [
        vilnius,
        madrid,
    ]


def test_a_phrase_found_nowhere_has_no_history(declaration, add_version):
    add_version(declaration, "Agreed language.")

    assert phrase_history(phrase="decisive enabler") == []


def test_a_phrase_with_letters_beyond_ascii_is_found_in_any_case(declaration, add_version):
    add_version(declaration, "We welcome TÜRKIYE's contribution.")

    (history,) = phrase_history(phrase="türkiye's")

    assert history.first_appeared == 1


@pytest.mark.parametrize("phrase", ["", "   ", "x" * 201])
def test_an_empty_or_overlong_phrase_is_refused(phrase):
    with pytest.raises(InvalidInput) as refusal:
        phrase_history(phrase=phrase)

    assert list(refusal.value.errors) == ["q"]


@pytest.mark.parametrize("declarations", [1, 6])
def test_the_history_takes_two_queries_however_many_declarations_and_versions(
    make_declaration, add_version, django_assert_num_queries, declarations
):
    for n in range(declarations):
        declaration = make_declaration(title=f"Declaration {n}")
        for version in range(declarations):
            add_version(declaration, f"Version {version}: systemic challenges.")

    with django_assert_num_queries(2):
        histories = phrase_history(phrase="systemic challenges")

    assert len(histories) == declarations
