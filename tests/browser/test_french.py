"""The French interface shows no English string on the main pages, in a real browser.

The English strings looked for are the catalogue's own msgids (locale/fr/LC_MESSAGES/
django.po): every run of more than three words between placeholders whose French
differs. Data (state names, measure and declaration titles, user names) is English
on purpose and blanked out first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import polib
import pytest
from django.conf import settings
from playwright.sync_api import Page

from accounts.models import User
from consensus.declarations.services import declaration_create, version_create
from positions.models import Measure, State
from positions.services import position_record
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PO = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[sdifr]|%%")
TAG = re.compile(r"<[^>]+>")
MIN_WORDS = 4  # "longer than three words": shorter runs also turn up in data

# Everything a person sees or hears: the rendered text and the labels in attributes.
VISIBLE_TEXT_JS = """() => {
  const spoken = [];
  for (const el of document.querySelectorAll("[aria-label], [title], [alt], [placeholder]")) {
    for (const name of ["aria-label", "title", "alt", "placeholder"]) {
      const value = el.getAttribute(name);
      if (value) spoken.push(value);
    }
  }
  return [document.title, document.body.innerText, ...spoken].join("\\n");
}"""

DATA = [
    "Washington Summit Declaration",
    "Washington",
    "The PRC is a matter of serious concern.",
    "The PRC is a matter of grave concern.",
    "We stand with Ukraine.",
    "Only in wartime",
    "Instructions of 9 July",
]


def normal(text: str) -> str:
    return " ".join(text.split())


def english_runs() -> list[str]:
    """The catalogue's English runs of more than three words that French does not share."""
    runs: set[str] = set()
    for entry in polib.pofile(str(PO)):
        if entry.obsolete:
            continue
        french = normal(
            " ".join(entry.msgstr_plural.values()) if entry.msgid_plural else entry.msgstr
        )
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            for run in PLACEHOLDER.split(TAG.sub(" ", msgid)):
                run = normal(run).strip(" ,.:;()")
                if len(re.findall(r"[A-Za-z\u2019']+", run)) >= MIN_WORDS and run not in french:
                    runs.add(run)
    return sorted(runs)


def data_strings() -> list[str]:
    values = list(DATA)
    for name, code in State.objects.values_list("name", "code"):
        values += [name, code]
    values += list(Measure.objects.values_list("title", flat=True))
    values += list(User.objects.values_list("username", flat=True))
    return sorted(values, key=len, reverse=True)


def english_on(page: Page, runs: Iterable[str], data: Iterable[str]) -> list[str]:
    text = page.evaluate(VISIBLE_TEXT_JS)
    for value in data:
        text = text.replace(value, "\n")
    text = normal(text)
    return [run for run in runs if run in text]


@pytest.fixture
def scene(coordinator: User, delegate_fra: User, measure: Measure, state) -> dict[str, object]:
    position_record(
        actor=delegate_fra,
        measure=measure,
        state=state("FRA"),
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
    return {"measure": measure, "declaration": declaration}


def test_the_french_interface_shows_no_english_string_on_the_main_pages(
    live_server,
    new_page: Callable[..., Page],
    log_in: Callable[[Page, str], None],
    screenshot: Callable[[Page, str], None],
    scene: dict[str, object],
) -> None:
    measure = scene["measure"]
    declaration = scene["declaration"]
    assert isinstance(measure, Measure)
    runs, data = english_runs(), data_strings()
    assert len(runs) > 50
    assert "Skip to main content" in runs

    page = new_page()  # an English browser: the user picks French in the footer
    log_in(page, "coordinator")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Language").select_option("fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Change language").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("button", name="Se déconnecter").wait_for()

    pages = {
        "fr-measure": f"/measures/{measure.pk}/",
        "fr-declarations": "/declarations/",
        "fr-declaration": f"/declarations/{declaration.pk}/",  # type: ignore[attr-defined]
        "fr-declaration-diff": f"/declarations/{declaration.pk}/diff/?from=1&to=2",  # type: ignore[attr-defined]
        "fr-dashboard": "/dashboard/",
        "fr-matrix": "/matrix/",
        "fr-changes": "/changes/",
    }
    shown: dict[str, list[str]] = {}
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None, path
        assert response.status == 200, (path, response.status)
        assert page.locator("html").get_attribute("lang") == "fr", path
        screenshot(page, name)
        shown[name] = english_on(page, runs, data)
    assert shown == {name: [] for name in pages}

    # The choice lasts: the start page, later, is still French.
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert english_on(page, runs, data) == []


def test_a_french_browser_gets_french_and_a_delegate_records_a_position_in_french(
    live_server,
    new_page: Callable[..., Page],
    screenshot: Callable[[Page, str], None],
    scene: dict[str, object],
) -> None:
    measure = scene["measure"]
    assert isinstance(measure, Measure)
    runs, data = english_runs(), data_strings()

    page = new_page(locale="fr-FR")  # Accept-Language: fr-FR
    page.goto(f"{live_server.url}/accounts/login/")
    assert english_on(page, runs, data) == []
    screenshot(page, "fr-login")
    page.get_by_label("Nom d\u2019utilisateur").fill("delegate-fra")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()

    assert page.get_by_role("heading", level=1).inner_text().startswith("Mon État")
    screenshot(page, "fr-my-state")
    assert english_on(page, runs, data) == []

    page.goto(f"{live_server.url}/measures/{measure.pk}/positions/FRA/")
    screenshot(page, "fr-position-form")
    assert english_on(page, runs, data) == []
    page.get_by_role("group", name="Alliance").get_by_label("Soutien", exact=True).check()
    page.get_by_role("button", name="Enregistrer la position").click()

    page.get_by_text("Position enregistrée (version 2).").wait_for()
    assert english_on(page, runs, data) == []
