"""The French interface: a complete catalogue, a committed .mo that matches it, French pages.

NATO works in English and French. The catalogue is locale/fr/LC_MESSAGES/django.po;
its compiled django.mo is committed, so a machine that serves the site needs no
gettext tools. See docs/i18n.md for how to add strings.
"""

from __future__ import annotations

import gettext
import io
import re
import shutil
from collections.abc import Callable, Iterable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from consensus.declarations.services import (
    amendment_propose,
    declaration_create,
    version_create,
)
from positions.models import Measure, Position, State

LOCALE = Path(settings.BASE_DIR) / "locale"
PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "fr" / "LC_MESSAGES" / "django.mo"

NBSP = "\u00a0"
APOSTROPHE = "\u2019"  # the typographic apostrophe
FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# Python's %-placeholders: %(name)s, %(name)d, %s, %d, and a literal %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[sdifr]|%%")
TAG = re.compile(r"<[^>]+>")


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def msgstrs(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


# The catalogue ----------------------------------------------------------------------


def test_the_catalogue_has_no_untranslated_and_no_fuzzy_entry() -> None:
    po = catalogue()

    assert po.metadata.get("Language") == "fr"
    assert po.metadata.get("Plural-Forms") == "nplurals=2; plural=(n > 1);"
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    assert len(entries(po)) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    for entry in entries(po):
        assert all(msgstrs(entry)), f"a plural form of {entry.msgid!r} is empty"
        assert len(msgstrs(entry)) == (2 if entry.msgid_plural else 1), entry.msgid


def test_every_translation_keeps_the_placeholders_and_the_markup() -> None:
    for entry in entries(catalogue()):
        if entry.msgid_plural:
            allowed = set(PLACEHOLDER.findall(entry.msgid)) | set(
                PLACEHOLDER.findall(entry.msgid_plural)
            )
            for text in msgstrs(entry):
                # The singular may leave out the count; it may not invent a name.
                assert set(PLACEHOLDER.findall(text)) <= allowed, entry.msgid
            assert sorted(PLACEHOLDER.findall(msgstrs(entry)[-1])) == sorted(
                PLACEHOLDER.findall(entry.msgid_plural)
            ), entry.msgid_plural
        else:
            assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(
                PLACEHOLDER.findall(entry.msgid)
            ), entry.msgid
        for text in msgstrs(entry):
            assert TAG.findall(text) == TAG.findall(entry.msgid), entry.msgid
            if "python-format" in entry.flags:
                # Formatting with the msgid's own names must work in French too.
                named = re.findall(r"%\(([^)]+)\)", f"{entry.msgid} {entry.msgid_plural or ''}")
                names = dict.fromkeys(named, 1)
                text % names


def test_the_typography_is_french_and_consistent() -> None:
    """A no-break space before : ; ? ! and inside « », and the typographic apostrophe."""
    for entry in entries(catalogue()):
        for text in msgstrs(entry):
            words = TAG.sub("", PLACEHOLDER.sub("x", text))
            assert not re.search(r"[ \t][:;?!»]|«[ \t]", words), f"ordinary space: {text!r}"
            assert not re.search(r"[^\s\d\u00a0][:;?!»]|«[^\u00a0]", words), (
                f"no no-break space: {text!r}"
            )
            assert "'" not in words, f"use the typographic apostrophe ({APOSTROPHE}): {text!r}"
            assert not re.search("[\u201c\u201d]", words), f"use « » quotes: {text!r}"


def test_the_committed_mo_is_the_compiled_po() -> None:
    """django.mo is committed: it must say exactly what django.po says."""
    po = catalogue()
    with MO.open("rb") as committed_file:
        committed = gettext.GNUTranslations(committed_file)
    compiled = gettext.GNUTranslations(io.BytesIO(po.to_binary()))

    def messages(translations: gettext.GNUTranslations) -> dict[Any, str]:
        catalog: dict[Any, str] = translations._catalog  # type: ignore[attr-defined]
        return {key: value for key, value in catalog.items() if key != ""}

    assert messages(committed) == messages(compiled), (
        "django.mo is out of date: run `manage.py compilemessages -l fr --ignore=.venv`"
    )
    assert committed.info().get("plural-forms") == compiled.info().get("plural-forms")
    assert committed.ngettext("x", "y", 2) == "y"  # no accidental catch-all entry


# Every string of the sources is in the catalogue ------------------------------------

SOURCE_IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "locale",
    "tests",
    "test-artifacts",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "node_modules",
    "*.sqlite3",
    "*.png",
    "*.pyc",
)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext's xgettext")
def test_makemessages_finds_no_string_missing_from_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Run makemessages on a copy of the sources, merging into a copy of the catalogue."""
    sources = tmp_path / "project"
    shutil.copytree(settings.BASE_DIR, sources, ignore=SOURCE_IGNORED, symlinks=True)
    (sources / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO, sources / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    settings.LOCALE_PATHS = [sources / "locale"]
    monkeypatch.chdir(sources)

    call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)

    merged = polib.pofile(str(sources / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in merged.untranslated_entries() + merged.fuzzy_entries()]
    assert missing == [], (
        "strings missing from the French catalogue: run makemessages, translate, "
        "compilemessages (docs/i18n.md)"
    )


# The pages in French ----------------------------------------------------------------


class _VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes, and the labels given in attributes."""

    SPOKEN = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        values = dict(attrs)
        for name in self.SPOKEN:
            if values.get(name):
                self.chunks.append(f"\n{values[name]}\n")
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.chunks.append(f"\n{values['value']}\n")
        if tag in ("br", "p", "div", "li", "td", "th", "tr", "dt", "dd", "option", "h1", "h2"):
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden = max(0, self._hidden - 1)
        self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.chunks.append(data)


def visible_text(content: str, data: Iterable[str] = ()) -> str:
    """The page's text, one space between words, with the given data strings blanked out."""
    parser = _VisibleText()
    parser.feed(content)
    text = "".join(parser.chunks)
    for value in sorted(data, key=len, reverse=True):
        if value:
            text = text.replace(value, "\n")
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def english_patterns(min_words: int = 2) -> dict[str, re.Pattern[str]]:
    """Every msgid whose French differs, as a pattern over the visible text.

    Placeholders match anything on the line; tags are dropped, as in the visible text.
    Phrases of fewer than ``min_words`` literal words are left to the per-page lists:
    one English word ("by", "at", "with") also turns up in data.
    """
    patterns: dict[str, re.Pattern[str]] = {}
    for entry in entries(catalogue()):
        for msgid, text in zip(
            [entry.msgid, entry.msgid_plural or entry.msgid], msgstrs(entry)[-2:], strict=False
        ):
            if " ".join(text.split()) == " ".join(msgid.split()):
                continue
            plain = TAG.sub("", msgid)
            literal = PLACEHOLDER.sub(" ", plain)
            if len(re.findall(r"[A-Za-z]{2,}", literal)) < min_words:
                continue
            parts = [re.escape(" ".join(p.split())) for p in PLACEHOLDER.split(plain)]
            body = r"[^\n]*?".join(parts).replace(r"\ ", r"\s+")
            patterns[msgid] = re.compile(rf"(?<![A-Za-z]){body}(?![A-Za-z])")
    return patterns


def english_found(text: str, words: Iterable[str] = ()) -> list[str]:
    found = [msgid for msgid, pattern in english_patterns().items() if pattern.search(text)]
    found += [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
    return found


# Single words of the interface that should never show in French (case-sensitive).
ENGLISH_WORDS = [
    "Measures",
    "Measure",
    "Declarations",
    "Status",
    "Category",
    "Sponsor",
    "Lead",
    "Language",
    "Reservations",
    "Stances",
    "Support",
    "Oppose",
    "Abstain",
    "Undecided",
    "Blocked",
    "Open",
    "Draft",
    "Adopted",
    "Agreed",
    "Reached",
    "Changes",
    "Search",
    "Compare",
    "Summit",
    "Year",
    "Author",
    "Paragraph",
    "Paragraphs",
    "Brackets",
    "Amendments",
    "Recorded",
    "Username",
    "Password",
    "State",
    "Who",
    "When",
    "Bilateral",
    "recommended",
    "undecided",
    "restricted",
]


@pytest.fixture
def french(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


@pytest.fixture
def scene(
    coordinator: User,
    delegate_fra: User,
    delegate_deu: User,
    measure: Measure,
    record: Callable[..., Any],
) -> dict[str, Any]:
    """A measure with France's position, a declaration with two versions."""
    record(
        delegate_fra,
        measure,
        "FRA",
        stances={"alliance": "conditional", "bilateral": "support", "eu": "oppose"},
        reservations="Only in wartime",
        note="Instructions of 9 July",
        source="web",
    )
    declaration = declaration_create(
        actor=coordinator, title="Washington Summit Declaration", summit="Washington", year=2024
    )
    for text in (
        "The PRC is a matter of serious concern.\n\nWe stand with Ukraine.",
        "The PRC is a matter of grave concern.\n\nWe stand with [Ukraine].",
    ):
        version_create(actor=coordinator, declaration=declaration, text=text, note="")
    amendment_propose(
        actor=delegate_deu,
        declaration=declaration,
        version_number=2,
        paragraph=2,
        text="We stand with Ukraine.",
        rationale="Agreed language of Vilnius.",
    )
    return {"measure": measure, "declaration": declaration}


def data_strings(*extra: str) -> list[str]:
    """What the pages show as data, never translated: state names and codes, titles, users."""
    values = list(extra)
    for name, code in State.objects.values_list("name", "code"):
        values += [name, code]
    values += list(Measure.objects.values_list("title", flat=True))
    values += list(User.objects.values_list("username", flat=True))
    return values


DECLARATION_DATA = [
    "Washington Summit Declaration",
    "Washington",
    "The PRC is a matter of serious concern.",
    "The PRC is a matter of grave concern.",
    "We stand with Ukraine.",
    "We stand with",
    "Ukraine",
    "PRC",
    "serious",
    "grave",
    "The PRC is a matter of",
    "concern.",
    "Only in wartime",
    "Instructions of 9 July",
    "Agreed language of Vilnius.",
]


def french_page(client: Client, url: str, *expected: str) -> str:
    response = client.get(url, follow=True)  # the start page redirects
    assert response.status_code in (200, 404), (url, response.status_code)
    content = response.content.decode()
    assert '<html lang="fr"' in content, url
    text = visible_text(content, data_strings(*DECLARATION_DATA))
    for phrase in (" ".join(p.split()) for p in expected):
        assert phrase in text, f"{url}: {phrase!r} not in the page:\n{text}"
    english = english_found(text, ENGLISH_WORDS)
    assert english == [], f"{url} shows English: {english}\n{text}"
    return text


def reverse_page(name: str, *args: object) -> str:
    return reverse(name, args=args)


def test_the_login_page_is_in_french(french: Client, db: None) -> None:
    french_page(
        french,
        reverse("login"),
        "Se connecter",
        f"Nom d{APOSTROPHE}utilisateur",
        "Mot de passe",
        "Langue",
        "Changer de langue",
        "Aller au contenu principal",
    )


def test_accept_language_fr_chooses_french(client: Client) -> None:
    content = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content
    assert "Se connecter" in content.decode()


def test_the_language_switch_sets_french_and_back(client: Client, delegate_fra: User) -> None:
    client.force_login(delegate_fra)

    response = client.post(reverse("set_language"), {"language": "fr", "next": reverse("my-state")})

    assert response.status_code == 302
    assert response["Location"] == reverse("my-state")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    content = client.get(reverse("my-state")).content.decode()
    assert "Mon État" in content
    assert '<option value="fr" lang="fr" selected>' in content

    client.post(reverse("set_language"), {"language": "en", "next": reverse("my-state")})
    assert "My state" in client.get(reverse("my-state")).content.decode()


def test_my_state_is_in_french(french: Client, delegate_fra: User, scene: dict[str, Any]) -> None:
    french.force_login(delegate_fra)
    text = french_page(
        french,
        reverse("my-state"),
        "Mon État",
        "Enregistrer la position",
        "Où en est la mesure",
        "Se déconnecter",
        "Connecté en tant que",
        "Déclarations",
        "Soutien conditionnel",
        f"Amendement en attente du soutien ou de l{APOSTROPHE}objection de votre État (1)",
    )
    assert "(Délégué)" in text


def test_the_position_form_is_in_french_with_a_french_date(
    french: Client, delegate_fra: User, scene: dict[str, Any], edit_url: Callable[..., str]
) -> None:
    french.force_login(delegate_fra)
    text = french_page(
        french,
        edit_url(scene["measure"], "FRA"),
        "Position actuelle",
        "Enregistrer la position",
        "Réserves",
        "Soutien conditionnel",
        "Abstention",
        "Indécis",
        "Opposition",
        "Historique des modifications",
        f"Voie de l{APOSTROPHE}Alliance",
        "Formulaire web",
    )
    updated = Position.objects.get(state="FRA").updated_at
    assert isinstance(updated, datetime)
    # Django's French DATETIME_FORMAT, "j F Y H:i", in UTC (TIME_ZONE).
    assert f"{updated.day} {FRENCH_MONTHS[updated.month - 1]} {updated.year} " in text
    assert f"{updated:%H:%M}" in text
    assert not any(month in text for month in ENGLISH_MONTHS)


def test_a_submitted_position_is_confirmed_in_french(
    french: Client, delegate_fra: User, scene: dict[str, Any], edit_url: Callable[..., str]
) -> None:
    french.force_login(delegate_fra)
    url = edit_url(scene["measure"], "FRA")
    position = Position.objects.get(state="FRA")
    form = {
        "version": position.version,
        "alliance": "support",
        "bilateral": "support",
        "eu": "oppose",
        "reservations": "",
        "note": "",
    }

    response = french.post(url, form, follow=True)

    content = response.content.decode()
    assert "Position enregistrée (version 2)." in content, content
    assert "Position recorded" not in content


def test_the_measure_page_is_in_french(
    french: Client, coordinator: User, scene: dict[str, Any]
) -> None:
    french.force_login(coordinator)
    french_page(
        french,
        reverse("measure-positions", args=[scene["measure"].pk]),
        "Soutien par voie",
        "Niveau de soutien",
        "Positions",
        "Soutien conditionnel",
        "Opposition",
    )


def test_the_start_page_is_in_french(
    french: Client, coordinator: User, scene: dict[str, Any]
) -> None:
    french.force_login(coordinator)
    french_page(french, reverse("home"), "Catégorie", "Statut", "Déclarations")


def test_the_declaration_pages_are_in_french(
    french: Client, coordinator: User, scene: dict[str, Any]
) -> None:
    french.force_login(coordinator)
    declaration = scene["declaration"]
    french_page(
        french, reverse("declaration-list"), "Déclarations", "Sommet", "Année", "Dernière version"
    )
    text = french_page(
        french,
        reverse("declaration-detail", args=[declaration.pk]),
        "Versions",
        "Comparer deux versions au choix",
    )
    when = declaration.versions.get(number=1).created_at
    assert f"{when.day} {FRENCH_MONTHS[when.month - 1]} {when.year}" in text
    french_page(
        french,
        reverse("declaration-version", args=[declaration.pk, 2]),
        "Enregistrée le",
        "1\u00a0crochet ouvert",
    )
    french_page(
        french,
        reverse("declaration-diff", args=[declaration.pk]) + "?from=1&to=2",
        "Version 1 comparée à la version 2",
        "Légende\u00a0:",
        "le texte barré a été supprimé",
    )
    french_page(
        french,
        reverse("declaration-phrases") + "?q=matter",
        f"Historique d{APOSTROPHE}une expression",
        "«\u00a0matter\u00a0»",
    )


def test_a_missing_page_says_so_in_french(french: Client, coordinator: User) -> None:
    french.force_login(coordinator)
    french_page(french, reverse("measure-positions", args=[999_999]), "Page introuvable")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dashboard", ["Tableau de bord", "Statut des voies", "Toutes les modifications"]),
        ("matrix", ["Matrice de soutien", "Légende", "Soutien conditionnel", "Pour"]),
        ("changes", ["Modifications", "Filtrer", "Formulaire web"]),
    ],
)
def test_the_overview_pages_are_in_french(
    french: Client, coordinator: User, scene: dict[str, Any], name: str, expected: list[str]
) -> None:
    french.force_login(coordinator)
    text = french_page(french, reverse_page(name), "Déclarations", *expected)
    if name != "matrix":
        when = Position.objects.get(state="FRA").updated_at
        assert f"{when.day} {FRENCH_MONTHS[when.month - 1]} {when.year}" in text
