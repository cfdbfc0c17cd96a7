"""Brackets: nested, alternatives side by side, counted, and unbalanced ones located."""

from __future__ import annotations

from consensus.declarations.text import (
    Bracket,
    BracketProblem,
    bracket_count,
    bracket_depths,
    brackets_check,
    brackets_find,
)


def test_a_lone_bracket_is_one_group_with_one_alternative():
    assert brackets_find("We [strongly] condemn it.") == [
        Bracket(start=3, end=13, depth=1, text="[strongly]", alternatives=("strongly",))
    ]


def test_brackets_side_by_side_are_alternatives_for_the_same_place():
    paragraph = "The PRC is a [decisive][key] enabler."

    (bracket,) = brackets_find(paragraph)

    assert bracket.alternatives == ("decisive", "key")
    assert paragraph[bracket.start : bracket.end] == bracket.text == "[decisive][key]"
    assert bracket_count([bracket]) == 2


def test_brackets_separated_by_a_space_are_two_places():
    brackets = brackets_find("[strongly] [condemns]")

    assert [b.alternatives for b in brackets] == [("strongly",), ("condemns",)]


def test_nested_brackets_are_reported_at_each_depth():
    paragraph = "Allies [[firmly][strongly] condemn the attacks][deplore the attacks]."

    brackets = brackets_find(paragraph)

    assert [(b.depth, b.alternatives) for b in brackets] == [
        (1, ("[firmly][strongly] condemn the attacks", "deplore the attacks")),
        (2, ("firmly", "strongly")),
    ]
    assert bracket_count(brackets) == 4


def test_a_paragraph_without_brackets_has_none():
    assert brackets_find("Agreed language only.") == []
    assert bracket_count([]) == 0


def test_balanced_paragraphs_have_no_problem():
    assert brackets_check(["[a [b] c][d]", "no brackets", "[]"]) == []


def test_a_bracket_never_closed_is_named_by_paragraph_and_character():
    problems = brackets_check(["Agreed.", "The PRC is a [decisive enabler."])

    assert problems == [BracketProblem(paragraph=2, position=14, closing=False)]


def test_a_closing_bracket_without_an_opening_one_is_named():
    assert brackets_check(["decisive] enabler"]) == [
        BracketProblem(paragraph=1, position=9, closing=True)
    ]


def test_every_problem_is_reported_in_reading_order():
    problems = brackets_check(["] a [ b [", "ok", "c ] ]"])

    assert problems == [
        BracketProblem(1, 1, closing=True),
        BracketProblem(1, 5, closing=False),
        BracketProblem(1, 9, closing=False),
        BracketProblem(3, 3, closing=True),
        BracketProblem(3, 5, closing=True),
    ]


def test_nesting_too_deep_to_close_is_unbalanced():
    assert brackets_check(["[[a]"]) == [BracketProblem(1, 1, closing=False)]


def test_depths_cut_the_text_where_brackets_open_and_close():
    pieces, end = bracket_depths("a [b [c] d] e")

    assert pieces == [("a ", 0), ("[b ", 1), ("[c]", 2), (" d]", 1), (" e", 0)]
    assert end == 0
    assert "".join(piece for piece, _ in pieces) == "a [b [c] d] e"


def test_depths_continue_from_a_depth_given():
    pieces, end = bracket_depths("key] enabler [of", depth=1)

    assert pieces == [("key]", 1), (" enabler ", 0), ("[of", 1)]
    assert end == 1
