"""The diff: paragraphs aligned (edited, added, removed, reordered), word by word inside."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consensus.declarations.text import (
    DiffMismatch,
    ParagraphDiff,
    TextDiff,
    diff_apply,
    paragraphs_align,
    paragraphs_split,
    text_diff,
    words_diff,
)
from tests.declarations.conftest import paragraphs

OPENING = "We, the Heads of State and Government of the Allies, have met in Washington."
RUSSIA = "Russia remains the most significant and direct threat to the security of Allies."
PRC = "The partnership between the PRC and Russia is a matter of serious concern to Allies."
PORTS = "We will screen foreign investment in ports, rail links and undersea cables."
SPENDING = "We reaffirm our commitment to spend at least two percent of GDP on defence."
HYBRID = "Sabotage and cyber attacks on critical infrastructure will meet a collective response."


def statuses(diff: TextDiff) -> list[tuple[str, int | None, int | None]]:
    return [(p.status, p.from_index, p.to_index) for p in diff.paragraphs]


def test_identical_texts_are_all_same():
    text = paragraphs(OPENING, RUSSIA, PRC)

    diff = text_diff(text, text)

    assert statuses(diff) == [("same", 1, 1), ("same", 2, 2), ("same", 3, 3)]
    assert diff.summary == {"same": 3, "changed": 0, "added": 0, "removed": 0}
    assert diff.paragraphs[1].ops == (("equal", RUSSIA),)


def test_an_edited_paragraph_is_changed_against_its_predecessor_not_removed_and_added():
    edited = PRC.replace("a matter of serious concern", "of profound concern")

    diff = text_diff(paragraphs(OPENING, PRC, PORTS), paragraphs(OPENING, edited, PORTS))

    assert statuses(diff) == [("same", 1, 1), ("changed", 2, 2), ("same", 3, 3)]
    assert diff.paragraphs[1].ops == (
        ("equal", "The partnership between the PRC and Russia is "),
        ("delete", "a matter "),
        ("equal", "of "),
        ("delete", "serious"),
        ("insert", "profound"),
        ("equal", " concern to Allies."),
    )


def test_inside_a_changed_paragraph_the_difference_is_word_by_word():
    ops = words_diff(
        "The PRC is a [decisive][key] enabler of the war.",
        "The PRC has become a decisive enabler of Russia's war.",
    )

    assert ops == (
        ("equal", "The PRC "),
        ("delete", "is"),
        ("insert", "has become"),
        ("equal", " a "),
        ("delete", "["),
        ("equal", "decisive"),
        ("delete", "][key]"),
        ("equal", " enabler of "),
        ("delete", "the"),
        ("insert", "Russia's"),
        ("equal", " war."),
    )


def test_a_phrase_rewritten_reads_as_one_deletion_and_one_insertion():
    ops = words_diff("We note the concern.", "We firmly reject any such claim.")

    assert ops == (
        ("equal", "We "),
        ("delete", "note the concern"),
        ("insert", "firmly reject any such claim"),
        ("equal", "."),
    )


def test_a_new_paragraph_is_added_where_it_appears():
    diff = text_diff(paragraphs(OPENING, RUSSIA, PORTS), paragraphs(OPENING, RUSSIA, HYBRID, PORTS))

    assert statuses(diff) == [("same", 1, 1), ("same", 2, 2), ("added", None, 3), ("same", 3, 4)]
    assert diff.paragraphs[2].ops == (("insert", HYBRID),)
    assert diff.summary["added"] == 1


def test_a_dropped_paragraph_is_removed_and_shown_where_it_was():
    diff = text_diff(paragraphs(OPENING, PRC, RUSSIA, PORTS), paragraphs(OPENING, RUSSIA, PORTS))

    assert statuses(diff) == [
        ("same", 1, 1),
        ("removed", 2, None),
        ("same", 3, 2),
        ("same", 4, 3),
    ]
    assert diff.paragraphs[1].ops == (("delete", PRC),)


def test_a_dropped_first_paragraph_comes_first():
    diff = text_diff(paragraphs(OPENING, RUSSIA), paragraphs(RUSSIA))

    assert statuses(diff) == [("removed", 1, None), ("same", 2, 1)]


def test_a_paragraph_replaced_by_an_unrelated_one_is_removed_and_added():
    diff = text_diff(paragraphs(OPENING, PRC, PORTS), paragraphs(OPENING, SPENDING, PORTS))

    assert sorted(statuses(diff)) == sorted(
        [("same", 1, 1), ("added", None, 2), ("removed", 2, None), ("same", 3, 3)]
    )
    assert diff.summary == {"same": 2, "changed": 0, "added": 1, "removed": 1}


def test_reordered_paragraphs_are_same_with_their_old_and_new_places():
    diff = text_diff(
        paragraphs(OPENING, RUSSIA, PRC, SPENDING), paragraphs(OPENING, PRC, SPENDING, RUSSIA)
    )

    assert statuses(diff) == [("same", 1, 1), ("same", 3, 2), ("same", 4, 3), ("same", 2, 4)]
    assert [p.moved for p in diff.paragraphs] == [False, False, False, True]
    assert diff.summary == {"same": 4, "changed": 0, "added": 0, "removed": 0}


def test_a_paragraph_moved_and_edited_is_changed_with_both_places():
    edited = SPENDING.replace("at least two percent", "at least 2%")

    diff = text_diff(paragraphs(SPENDING, OPENING, RUSSIA), paragraphs(OPENING, RUSSIA, edited))

    assert statuses(diff) == [("same", 2, 1), ("same", 3, 2), ("changed", 1, 3)]
    assert diff.paragraphs[2].new_text == edited
    assert diff.paragraphs[2].old_text == SPENDING


def test_edited_added_removed_and_reordered_at_once():
    old = paragraphs(OPENING, RUSSIA, PRC, PORTS, SPENDING)
    new = paragraphs(
        OPENING, PRC.replace("serious", "profound"), HYBRID, SPENDING, RUSSIA
    )  # ports dropped, hybrid added, Russia moved to the end

    diff = text_diff(old, new)

    assert statuses(diff) == [
        ("same", 1, 1),
        ("changed", 3, 2),
        ("removed", 4, None),  # right after the paragraph it followed, before the addition
        ("added", None, 3),
        ("same", 5, 4),
        ("same", 2, 5),
    ]
    assert diff_apply(old, diff) == new


def test_of_two_edited_paragraphs_each_is_paired_with_its_own_predecessor():
    first = "Allies will screen investment in ports and in rail freight terminals."
    second = "Allies will screen investment in quantum computing and semiconductors."
    diff = text_diff(
        paragraphs(first, second),
        paragraphs(
            first.replace("rail freight", "inland"), second.replace("quantum", "quantum and")
        ),
    )

    assert statuses(diff) == [("changed", 1, 1), ("changed", 2, 2)]


def test_an_empty_old_text_makes_every_paragraph_added():
    diff = text_diff("", paragraphs(OPENING, RUSSIA))

    assert statuses(diff) == [("added", None, 1), ("added", None, 2)]
    assert diff_apply("", diff) == paragraphs(OPENING, RUSSIA)


def test_alignment_pairs_duplicate_paragraphs_once_each():
    aligned = paragraphs_align([RUSSIA, RUSSIA, PRC], [PRC, RUSSIA, RUSSIA])

    assert sorted(aligned, key=lambda pair: (pair[1] is None, pair[1])) == [
        (2, 0),
        (0, 1),
        (1, 2),
    ]


def test_applying_a_diff_to_another_text_is_refused():
    diff = text_diff(paragraphs(OPENING, RUSSIA), paragraphs(OPENING, PRC))

    with pytest.raises(DiffMismatch):
        diff_apply(paragraphs(OPENING, SPENDING), diff)


def test_a_diff_that_leaves_out_an_old_paragraph_is_refused():
    diff = TextDiff(paragraphs=(ParagraphDiff("same", 1, 1, (("equal", OPENING),)),))

    with pytest.raises(DiffMismatch):
        diff_apply(paragraphs(OPENING, RUSSIA), diff)


# The reconstruction property, on generated texts ------------------------------------

WORDS = [
    "Allies",
    "the",
    "PRC",
    "Russia",
    "decisive",
    "key",
    "enabler",
    "of",
    "war",
    "security",
    "[decisive]",
    "[key]",
    "concern,",
    "serious.",
    "ports",
    "l'OTAN",
    "Türkiye",
    "—",
    "2%",
]
words = st.sampled_from(WORDS) | st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"),
    min_size=1,
    max_size=6,
)
separators = st.sampled_from([" ", "  ", "\t", "\n", " \u00a0"])


@st.composite
def paragraph_texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(words, separators), min_size=1, max_size=12))
    return "".join(word + separator for word, separator in parts).strip() or "x"


@st.composite
def text_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """Two texts, the second made from the first by edits, moves, additions and removals."""
    old = draw(st.lists(paragraph_texts(), max_size=8))
    new = list(old)
    for _ in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["edit", "add", "remove", "move", "duplicate"]))
        if action == "add" or not new:
            new.insert(draw(st.integers(0, len(new))), draw(paragraph_texts()))
        elif action == "remove":
            new.pop(draw(st.integers(0, len(new) - 1)))
        elif action == "move":
            new.insert(
                draw(st.integers(0, len(new) - 1)), new.pop(draw(st.integers(0, len(new) - 1)))
            )
        elif action == "duplicate":
            new.append(new[draw(st.integers(0, len(new) - 1))])
        else:
            index = draw(st.integers(0, len(new) - 1))
            tokens = new[index].split(" ")
            tokens.insert(draw(st.integers(0, len(tokens))), draw(words))
            if len(tokens) > 1 and draw(st.booleans()):
                tokens.pop(draw(st.integers(0, len(tokens) - 1)))
            new[index] = " ".join(tokens).strip() or "y"
    separator = draw(st.sampled_from(["\n\n", "\n \n", "\n\n\n"]))
    return separator.join(old), separator.join(new)


@settings(max_examples=300, deadline=None)
@given(text_pairs())
def test_applying_the_diff_to_the_old_text_gives_the_new_text(pair):
    old, new = pair

    diff = text_diff(old, new)

    assert diff_apply(old, diff) == "\n\n".join(paragraphs_split(new))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_any_two_texts_diff_and_rebuild(old, new):
    diff = text_diff(old, new)

    assert diff_apply(old, diff) == "\n\n".join(paragraphs_split(new))


@settings(max_examples=300, deadline=None)
@given(text_pairs())
def test_every_paragraph_of_both_texts_appears_once_and_its_ops_rebuild_it(pair):
    old, new = pair
    old_paragraphs, new_paragraphs = paragraphs_split(old), paragraphs_split(new)

    diff = text_diff(old, new)

    from_indexes = sorted(p.from_index for p in diff.paragraphs if p.from_index is not None)
    to_indexes = [p.to_index for p in diff.paragraphs if p.to_index is not None]
    assert from_indexes == list(range(1, len(old_paragraphs) + 1))
    assert to_indexes == list(range(1, len(new_paragraphs) + 1))  # in the new text's order
    for paragraph in diff.paragraphs:
        if paragraph.from_index is not None:
            assert paragraph.old_text == old_paragraphs[paragraph.from_index - 1]
        if paragraph.to_index is not None:
            assert paragraph.new_text == new_paragraphs[paragraph.to_index - 1]
        expected = {
            "same": paragraph.old_text == paragraph.new_text,
            "changed": paragraph.old_text != paragraph.new_text,
            "added": paragraph.from_index is None,
            "removed": paragraph.to_index is None,
        }
        assert expected[paragraph.status]


@settings(max_examples=300, deadline=None)
@given(paragraph_texts(), paragraph_texts())
def test_word_ops_alternate_and_rebuild_both_paragraphs(old, new):
    ops = words_diff(old, new)

    assert "".join(text for tag, text in ops if tag != "insert") == old
    assert "".join(text for tag, text in ops if tag != "delete") == new
    assert all(text for _, text in ops)
    tags = [tag for tag, _ in ops]
    assert all(a != b for a, b in itertools.pairwise(tags))
    assert "insert delete" not in " ".join(tags)
