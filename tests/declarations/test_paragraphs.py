"""Paragraphs are separated by blank lines; replacing one keeps every other character."""

from __future__ import annotations

import pytest

from consensus.declarations.text import (
    newlines_normalize,
    paragraph_replace,
    paragraph_spans,
    paragraphs_split,
)


def test_paragraphs_are_separated_by_blank_lines():
    text = "First paragraph,\nstill the first.\n\nSecond.\n\n\n\nThird."

    assert paragraphs_split(text) == ["First paragraph,\nstill the first.", "Second.", "Third."]


def test_a_line_of_spaces_counts_as_blank():
    assert paragraphs_split("One.\n   \t\nTwo.") == ["One.", "Two."]


def test_paragraphs_are_stripped_and_empty_ones_ignored():
    assert paragraphs_split("\n\n   One.  \n\n \n\n  Two.\n\n") == ["One.", "Two."]


def test_a_text_of_whitespace_has_no_paragraph():
    assert paragraphs_split(" \n\n \t ") == []


def test_spans_point_at_each_stripped_paragraph():
    text = "  One.\n\nTwo words.  "

    assert [text[start:end] for start, end in paragraph_spans(text)] == ["One.", "Two words."]


def test_windows_line_endings_are_normalised():
    assert paragraphs_split(newlines_normalize("One.\r\n\r\nTwo.\rThree.")) == [
        "One.",
        "Two.\nThree.",
    ]


def test_replacing_a_paragraph_keeps_the_rest_of_the_text_exactly():
    text = "One.\n\n\n  Two.  \n\nThree."

    assert paragraph_replace(text, 2, "Deux.") == "One.\n\n\n  Deux.  \n\nThree."


def test_replacing_a_paragraph_that_does_not_exist_is_refused():
    with pytest.raises(IndexError):
        paragraph_replace("One.", 2, "Two.")
