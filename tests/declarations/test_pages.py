"""The declarations' pages: the list, a declaration, a version, the diff and the phrase search."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from consensus.declarations.services import amendment_decide, amendment_stance_record
from tests.declarations.conftest import paragraphs


@pytest.fixture
def amended(drafted, delegate_usa, delegate_fra, delegate_deu, coordinator, propose):
    """Version 3 made by an accepted amendment; an open one on it, with a supporter and objector."""
    accepted = propose(delegate_usa, drafted)
    amendment_decide(actor=coordinator, amendment=accepted, decision="accept")
    open_one = propose(
        delegate_fra, drafted, paragraph=4, text="We will screen [all][foreign] investment."
    )
    amendment_stance_record(actor=delegate_deu, amendment=open_one, stance="support")
    amendment_stance_record(actor=delegate_usa, amendment=open_one, stance="oppose")
    return drafted


def page(client, user, url, **query):
    client.force_login(user)
    response = client.get(url, query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("name", ["declaration-list", "declaration-phrases"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_navigation_links_to_the_declarations(client, reader):
    content = page(client, reader, reverse("dashboard"))

    assert f'<a href="{reverse("declaration-list")}">Declarations</a>' in content


def test_the_list_shows_each_declaration_and_its_latest_version(
    client, reader, drafted, make_declaration
):
    make_declaration(title="Vilnius Summit Communiqué", year=2023)

    content = page(client, reader, reverse("declaration-list"))

    assert f'href="{reverse("declaration-detail", args=[drafted.pk])}"' in content
    assert "Vilnius Summit Communiqué" in content
    assert f'href="{reverse("declaration-version", args=[drafted.pk, 2])}">Version 2</a>' in content
    assert "No version yet" in content
    assert 'aria-current="page"' in content


def test_a_declaration_shows_its_versions_and_the_amendments_of_the_latest(
    client, delegate_fra, amended
):
    content = page(client, delegate_fra, reverse("declaration-detail", args=[amended.pk]))

    assert content.count(f'href="/declarations/{amended.pk}/versions/') >= 3
    assert "?from=2&amp;to=3" in content
    latest_section = content.split("Amendments to the latest version (3)", 1)[1]
    latest_table, earlier = latest_section.split("Amendments to earlier versions", 1)
    row = re.search(r'<tr id="amendment-\d+">(.*?)</tr>', latest_table, re.S)
    assert row is not None
    assert '<abbr title="France">FRA</abbr>' in row.group(1)
    assert '<td class="supporters">DEU</td>' in row.group(1)
    assert '<td class="objectors">USA</td>' in row.group(1)
    assert '<span class="bracket-mark">[</span>' in row.group(1)
    assert "Accepted" in earlier
    assert "USA" in earlier


def test_a_version_shows_its_numbered_paragraphs_with_brackets_marked(client, reader, drafted):
    content = page(client, reader, reverse("declaration-version", args=[drafted.pk, 2]))

    assert content.count('<li id="paragraph-') == 5
    assert (
        '<span class="bracketed" data-depth="1"><span class="bracket-mark">[</span>decisive'
        '<span class="bracket-mark">]</span></span>'
    ) in content
    assert "2 brackets open" in content
    assert "Text in square brackets is not yet agreed" in content


def test_version_text_is_escaped(client, reader, declaration, add_version):
    add_version(declaration, "Allies <script>alert(1)</script> & partners [agree].")

    content = page(client, reader, reverse("declaration-version", args=[declaration.pk, 1]))

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; partners" in content


def test_the_diff_page_marks_insertions_and_deletions_with_more_than_colour(
    client, reader, drafted
):
    content = page(
        client, reader, reverse("declaration-diff", args=[drafted.pk]), **{"from": 1, "to": 2}
    )

    assert "Version 1 compared with version 2" in content
    assert "Paragraphs changed: 1, added: 2, removed: 1, unchanged: 2." in content
    assert (
        '<ins><span class="visually-hidden">[insertion begins] </span> and undersea cables'
        '<span class="visually-hidden"> [insertion ends]</span></ins>'
    ) in content
    assert (
        '<del><span class="visually-hidden">[deletion begins] </span> and'
        '<span class="visually-hidden"> [deletion ends]</span></del>'
    ) in content
    assert content.count('class="diff-added"') == 2
    assert content.count('class="diff-removed"') == 1
    assert "(not in this version)" in content
    assert '<span class="bracket-mark">[</span>' in content
    assert '<th scope="row" class="diff-status">' in content
    assert "/static/consensus/declarations.css" in content


def test_the_diff_page_names_a_moved_paragraph(client, reader, declaration, add_version):
    add_version(declaration, paragraphs("Alpha one.", "Beta two.", "Gamma three."))
    add_version(declaration, paragraphs("Beta two.", "Gamma three.", "Alpha one."))

    content = page(client, reader, reverse("declaration-diff", args=[declaration.pk]))

    assert "moved: ¶ 1 → ¶ 3" in content


def test_the_diff_page_offers_every_version_and_refuses_one_that_does_not_exist(
    client, reader, drafted
):
    client.force_login(reader)

    response = client.get(reverse("declaration-diff", args=[drafted.pk]), {"from": 7})

    assert response.status_code == 400
    content = response.content.decode()
    assert '<option value="1">Version 1</option>' in content
    assert "Select a valid choice" in content


def test_the_diff_page_of_a_declaration_without_versions_is_not_found(client, reader, declaration):
    client.force_login(reader)

    assert client.get(reverse("declaration-diff", args=[declaration.pk])).status_code == 404


def test_unknown_declarations_and_versions_are_not_found(client, reader, drafted):
    client.force_login(reader)

    assert client.get(reverse("declaration-detail", args=[999])).status_code == 404
    assert client.get(reverse("declaration-version", args=[drafted.pk, 9])).status_code == 404


def test_the_phrase_page_shows_when_the_phrase_entered_and_left(
    client, reader, declaration, add_version
):
    add_version(declaration, "The PRC is a [decisive][key] enabler.")
    add_version(declaration, "The PRC is a decisive enabler.")
    add_version(declaration, "The PRC is a key enabler.")

    content = page(client, reader, reverse("declaration-phrases"), q="decisive enabler")

    assert "First appeared in version 2." in content
    assert "Last dropped in version 3." in content
    assert "Not in the latest version." in content
    assert "present — first appears" in content
    assert "absent — dropped" in content
    assert '#paragraph-1">¶ 1</a>' in content


def test_the_phrase_page_without_a_phrase_shows_the_form(client, reader):
    content = page(client, reader, reverse("declaration-phrases"))

    assert 'name="q"' in content
    assert "First appeared" not in content


def test_the_phrase_page_says_when_nothing_is_found(client, reader, drafted):
    content = page(client, reader, reverse("declaration-phrases"), q="no limits")

    assert "The phrase is in no version of any declaration." in content


def test_a_blank_phrase_is_refused_on_the_page(client, reader):
    client.force_login(reader)

    response = client.get(reverse("declaration-phrases"), {"q": "   "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_the_declaration_page_takes_a_fixed_number_of_queries(
    client,
    reader,
    declaration,
    add_version,
    propose,
    make_user,
    django_assert_max_num_queries,
    size,
):
    for n in range(size):
        add_version(declaration, paragraphs(f"Draft {n}.", "The PRC is a [decisive][key] enabler."))
    for index, code in enumerate(["FRA", "DEU", "ITA", "POL", "NLD", "BEL"][: size // 2]):
        propose(
            make_user(f"d-{code}", "delegate", code), declaration, paragraph=1, text=f"T{index}."
        )
    client.force_login(reader)
    client.get(reverse("declaration-detail", args=[declaration.pk]))

    with django_assert_max_num_queries(6):
        response = client.get(reverse("declaration-detail", args=[declaration.pk]))

    assert response.status_code == 200


def test_the_diff_page_preselects_the_versions_it_compares(client, reader, drafted):
    content = page(client, reader, reverse("declaration-diff", args=[drafted.pk]))

    from_select, to_select = content.split('name="to"', 1)
    assert '<option value="1" selected>Version 1</option>' in from_select
    assert '<option value="2" selected>Version 2</option>' in to_select


def test_the_declaration_page_counts_the_brackets_of_the_latest_version(client, reader, drafted):
    content = page(client, reader, reverse("declaration-detail", args=[drafted.pk]))

    assert "Version 2, 2 brackets open" in content
