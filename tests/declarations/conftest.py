"""Declarations and versions made through the services, and a record of what was written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from consensus.declarations.services import (
    amendment_propose,
    declaration_create,
    version_create,
)
from consensus.models import Amendment, AmendmentStance, Declaration, DeclarationVersion

Written = dict[str, Any]


def paragraphs(*texts: str) -> str:
    """A declaration text: the paragraphs separated by blank lines."""
    return "\n\n".join(texts)


V1 = paragraphs(
    "We, the Heads of State and Government, have met in Washington.",
    "Russia remains the most significant and direct threat to Allies' security.",
    "The PRC's partnership with Russia is of [serious][profound] concern.",
    "We will screen foreign investment in ports and rail links.",
)
V2 = paragraphs(
    "We, the Heads of State and Government, have met in Washington.",
    "Russia remains the most significant and direct threat to Allies' security.",
    "The PRC has become a [decisive][key] enabler of Russia's war.",
    "We will screen foreign investment in ports, rail links and undersea cables.",
    "We will deter hybrid threats wherever they come from.",
)


@pytest.fixture
def make_declaration(coordinator: User) -> Callable[..., Declaration]:
    def make(**fields: Any) -> Declaration:
        fields.setdefault("title", "Washington Summit Declaration")
        fields.setdefault("summit", "Washington Summit")
        fields.setdefault("year", 2024)
        return declaration_create(actor=coordinator, **fields)

    return make


@pytest.fixture
def declaration(make_declaration: Callable[..., Declaration]) -> Declaration:
    return make_declaration()


@pytest.fixture
def add_version(coordinator: User) -> Callable[..., DeclarationVersion]:
    def add(declaration: Declaration, text: str, note: str = "") -> DeclarationVersion:
        return version_create(actor=coordinator, declaration=declaration, text=text, note=note)

    return add


@pytest.fixture
def drafted(
    declaration: Declaration, add_version: Callable[..., DeclarationVersion]
) -> Declaration:
    """A declaration with two versions, V1 and V2."""
    add_version(declaration, V1, "First draft")
    add_version(declaration, V2, "Second reading")
    return declaration


@pytest.fixture
def propose() -> Callable[..., Amendment]:
    def make(actor: User, declaration: Declaration, **fields: Any) -> Amendment:
        if "version_number" not in fields:
            latest = DeclarationVersion.objects.filter(declaration=declaration).order_by("-number")
            fields["version_number"] = latest[0].number
        fields.setdefault("paragraph", 3)
        fields.setdefault("text", "The PRC has become a decisive enabler of Russia's war.")
        fields.setdefault("rationale", "The evidence supports it.")
        return amendment_propose(actor=actor, declaration=declaration, **fields)

    return make


@pytest.fixture
def written() -> Callable[[], Written]:
    """What the declarations' services could have written: compare before and after a refusal."""

    def snapshot() -> Written:
        return {
            "declarations": list(Declaration.objects.order_by("id").values()),
            "versions": list(
                DeclarationVersion.objects.order_by("id").values_list(
                    "declaration_id", "number", "text", "note"
                )
            ),
            "amendments": list(Amendment.objects.order_by("id").values()),
            "stances": list(AmendmentStance.objects.order_by("id").values()),
        }

    return snapshot
