"""Hostile text stored through the API is kept exactly and shown as text on every page.

Markup (a script, an image with an error handler, a bold element), quotes,
ampersands and SQL go into a measure's title and summary, a position's
reservations and note, a declaration's title and paragraphs (one bracketed, so
the bracket marking runs over it), an amendment's text and rationale, a silence
break's reason, and an asset's name and owner. The database holds each exactly
as sent; each page that shows one shows its characters, and no page gets an
element or a dialog from them.
The Content-Security-Policy would block an inline script anyway, so the test
looks at the document itself, not only at whether anything ran.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, Page

from assets.models import Asset
from consensus.models import Amendment, Declaration, DeclarationVersion, SilenceProcedure
from positions.models import Measure, Position, PositionChange

pytestmark = pytest.mark.django_db(transaction=True)

MARKUP = '<script>alert("s")</script><img src=x onerror=alert("i")><b class=pwned>bold</b>'
QUOTES = "\"double\" 'single' `back` &amp; &lt;"
SQL = "'; DROP TABLE positions_positionchange; --"
HOSTILE = f"{MARKUP} {QUOTES} {SQL}"

TEXTS = {
    "title": f"T {HOSTILE}",
    "summary": f"summary {HOSTILE}",
    "reservations": f"reservations {HOSTILE}",
    "note": f"note {HOSTILE}",
    "declaration": f"D {HOSTILE}",
    "paragraph": f"paragraph [{HOSTILE}] end",
    "amended": f"amended {HOSTILE}",
    "rationale": f"rationale {HOSTILE}",
    "reason": f"reason {HOSTILE}",
    "asset": f"A {HOSTILE}",
    "owner": f"owner {HOSTILE}",
}

# Elements the hostile text would create if a page did not escape it.
INJECTED = """() => ({
    scripts: [...document.scripts].filter(s => s.textContent.includes('alert("s")')).length,
    images: document.querySelectorAll('img[src="x"], img[onerror]').length,
    bold: document.querySelectorAll('b.pwned').length,
})"""


def test_hostile_text_is_stored_exactly_and_shown_as_text(
    live_server: Any,
    new_page: Callable[..., Page],
    log_in: Callable[[Page, str], None],
    api: Callable[..., Any],
    coordinator: Any,
    delegate_fra: Any,
    delegate_deu: Any,
) -> None:
    coord, fra, deu = api(coordinator), api(delegate_fra), api(delegate_deu)
    measure = coord.post(
        "/api/v1/measures/",
        {
            "title": TEXTS["title"],
            "summary": TEXTS["summary"],
            "category": "ports",
            "sponsor": "USA",
            "status": "open",
        },
        format="json",
    )
    assert measure.status_code == 201, measure.content
    measure_id = measure.json()["id"]
    put = fra.put(
        f"/api/v1/measures/{measure_id}/positions/FRA/",
        {
            "stances": {"alliance": "conditional"},
            "reservations": TEXTS["reservations"],
            "note": TEXTS["note"],
        },
        format="json",
    )
    assert put.status_code == 200, put.content
    declaration = coord.post(
        "/api/v1/declarations/",
        {"title": TEXTS["declaration"], "summit": "Washington", "year": 2024},
        format="json",
    )
    assert declaration.status_code == 201, declaration.content
    declaration_id = declaration.json()["id"]
    version = coord.post(
        f"/api/v1/declarations/{declaration_id}/versions/",
        {"text": f"We met.\n\n{TEXTS['paragraph']}"},
        format="json",
    )
    assert version.status_code == 201, version.content
    amendment = fra.post(
        f"/api/v1/declarations/{declaration_id}/amendments/",
        {"version": 1, "paragraph": 1, "text": TEXTS["amended"], "rationale": TEXTS["rationale"]},
        format="json",
    )
    assert amendment.status_code == 201, amendment.content
    accepted = coord.post(
        f"/api/v1/declarations/{declaration_id}/amendments/{amendment.json()['id']}/decide/",
        {"decision": "accept"},
        format="json",
    )
    assert accepted.status_code == 200, accepted.content
    started = coord.post(
        f"/api/v1/measures/{measure_id}/silence/",
        {"deadline": (timezone.now() + timedelta(days=2)).isoformat()},
        format="json",
    )
    assert started.status_code == 201, started.content
    broken = deu.post(
        f"/api/v1/measures/{measure_id}/silence/break/", {"reason": TEXTS["reason"]}, format="json"
    )
    assert broken.status_code == 200, broken.content
    asset = coord.post(
        "/api/v1/assets/",
        {
            "name": TEXTS["asset"],
            "kind": "port_terminal",
            "host": "NLD",
            "host_source": "Port authority",
            "owner": TEXTS["owner"],
            "owner_country": "CHN",
            "owner_source": "Annual report",
            "criticality": 5,
            "criticality_source": "Coordinators' assessment",
        },
        format="json",
    )
    assert asset.status_code == 201, asset.content
    asset_id = asset.json()["id"]
    covered = coord.put(
        f"/api/v1/measures/{measure_id}/assets/", {"assets": [asset_id]}, format="json"
    )
    assert covered.status_code == 200, covered.content

    # Stored exactly, character for character.
    stored = Measure.objects.get(pk=measure_id)
    assert (stored.title, stored.summary) == (TEXTS["title"], TEXTS["summary"])
    position = Position.objects.get(measure=stored, state="FRA")
    assert (position.reservations, position.note) == (TEXTS["reservations"], TEXTS["note"])
    change = PositionChange.objects.get(measure=stored, state="FRA")
    assert (change.reservations, change.note) == (TEXTS["reservations"], TEXTS["note"])
    assert Declaration.objects.get(pk=declaration_id).title == TEXTS["declaration"]
    versions = DeclarationVersion.objects.filter(declaration=declaration_id).order_by("number")
    assert [v.text for v in versions] == [
        f"We met.\n\n{TEXTS['paragraph']}",
        f"{TEXTS['amended']}\n\n{TEXTS['paragraph']}",
    ]
    stored_amendment = Amendment.objects.get(declaration=declaration_id)
    assert (stored_amendment.text, stored_amendment.rationale) == (
        TEXTS["amended"],
        TEXTS["rationale"],
    )
    assert SilenceProcedure.objects.get(measure=stored).reason == TEXTS["reason"]
    stored_asset = Asset.objects.get(pk=asset_id)
    assert (stored_asset.name, stored_asset.owner) == (TEXTS["asset"], TEXTS["owner"])
    assert PositionChange.objects.count() == 1  # the SQL ran nowhere

    # Each page, and the texts it must show as text.
    pages = {
        "/dashboard/": ["title"],
        "/matrix/": ["title"],
        "/changes/": ["title"],
        f"/measures/{measure_id}/": ["title", "summary", "reservations", "note", "reason"],
        f"/measures/{measure_id}/positions/FRA/": ["title", "reservations", "note"],
        "/my-state/": ["title"],
        "/declarations/": ["declaration"],
        f"/declarations/{declaration_id}/": ["declaration", "amended", "rationale"],
        f"/declarations/{declaration_id}/versions/1/": ["declaration", "paragraph"],
        f"/declarations/{declaration_id}/versions/2/": ["amended", "paragraph"],
        f"/declarations/{declaration_id}/diff/": ["declaration"],
        "/declarations/phrases/?q=DROP+TABLE": ["declaration"],
        "/assets/": ["asset"],
        f"/assets/{asset_id}/": ["asset", "owner", "title"],
    }
    # The detector's control: the same text as markup, unescaped, is found.
    control = new_page()
    control.on("dialog", lambda dialog: dialog.dismiss())
    control.set_content(f"<body><p>{HOSTILE}</p></body>")
    assert control.evaluate(INJECTED) == {"scripts": 1, "images": 1, "bold": 1}

    page = new_page()
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    log_in(page, "delegate-fra")
    missing: list[str] = []
    for path, shown in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 200, path
        assert page.evaluate(INJECTED) == {"scripts": 0, "images": 0, "bold": 0}, path
        text = page.locator("body").inner_text()
        for key in shown:
            # The paragraph's brackets are marked up: its words are shown, the brackets kept.
            if TEXTS[key] not in text:
                missing.append(f"{path}: {key}")
    assert dialogs == []
    assert missing == [], "\n".join(missing)
