"""The demo scenario's two declarations: several versions, amendments in every state, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from consensus.declarations.demo import VILNIUS_TITLE, WASHINGTON_TITLE
from consensus.declarations.selectors import phrase_history
from consensus.declarations.text import brackets_check, paragraphs_split, text_diff
from consensus.models import Amendment, AmendmentStance, Declaration, DeclarationVersion


@pytest.fixture
def demo_mode(settings, monkeypatch):
    settings.DEBUG = True
    settings.DEMO_MODE = True
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Declaration.objects.count(),
        DeclarationVersion.objects.count(),
        Amendment.objects.count(),
        AmendmentStance.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_has_two_declarations_with_several_versions(demo_mode):
    output = load()

    vilnius = Declaration.objects.get(title=VILNIUS_TITLE)
    washington = Declaration.objects.get(title=WASHINGTON_TITLE)
    assert (vilnius.year, washington.year) == (2023, 2024)
    assert vilnius.versions.count() == 3
    assert washington.versions.count() == 4
    assert "2 declarations created, 0 already there" in output
    for version in DeclarationVersion.objects.all():
        assert brackets_check(paragraphs_split(version.text)) == []


@pytest.mark.django_db
def test_the_washington_drafts_hold_every_kind_of_change_and_amendment(demo_mode):
    load()

    washington = Declaration.objects.get(title=WASHINGTON_TITLE)
    versions = {v.number: v for v in washington.versions.all()}
    assert text_diff(versions[1].text, versions[2].text).summary["added"] == 1
    assert any(p.moved for p in text_diff(versions[3].text, versions[4].text).paragraphs)
    accepted = Amendment.objects.get(declaration=washington, status="accepted")
    assert (accepted.sponsor_id, accepted.accepted_version) == ("USA", versions[3])
    assert Amendment.objects.get(declaration=washington, status="rejected").sponsor_id == "HUN"
    open_one = Amendment.objects.get(declaration=washington, status="open")
    assert (open_one.sponsor_id, open_one.version) == ("FRA", versions[4])
    assert set(open_one.stances.values_list("state_id", "stance")) == {
        ("DEU", "support"),
        ("BEL", "support"),
        ("TUR", "oppose"),
    }
    assert versions[4].bracket_count < versions[1].bracket_count


@pytest.mark.django_db
def test_the_demo_phrases_enter_and_leave_the_drafts(demo_mode):
    load()

    (decisive,) = phrase_history(phrase="decisive enabler")
    assert decisive.declaration.title == WASHINGTON_TITLE
    assert (decisive.first_appeared, decisive.last_dropped, decisive.in_latest) == (3, None, True)
    systemic = {h.declaration.title: h for h in phrase_history(phrase="systemic challenges")}
    assert systemic[WASHINGTON_TITLE].last_dropped == 2
    assert systemic[VILNIUS_TITLE].in_latest


@pytest.mark.django_db
def test_loading_the_demo_again_writes_no_declaration(demo_mode):
    load()
    before = counts()

    output = load()

    assert counts() == before
    assert "0 declarations created, 2 already there" in output
