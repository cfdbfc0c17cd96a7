"""Reads of declarations, versions, diffs, amendments and phrases, in a fixed number of queries."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.db.models import Exists, F, Max, OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext as _

from consensus.declarations import text as declaration_text
from consensus.errors import InvalidInput
from consensus.models import Amendment, AmendmentStance, Declaration, DeclarationVersion
from positions.models import State


def declarations_list() -> QuerySet[Declaration]:
    """Every declaration, the latest year first, each with ``latest_version`` (or ``None``)."""
    return (
        Declaration.objects.annotate(latest_version=Max("versions__number"))
        .select_related("created_by")
        .order_by("-year", "id")
    )


def declaration_get(*, declaration_id: int) -> Declaration | None:
    """The declaration with ``latest_version``, or ``None``. One query."""
    return declarations_list().filter(pk=declaration_id).first()


def versions_list(*, declaration: Declaration) -> QuerySet[DeclarationVersion]:
    """A declaration's versions, by number, with their author and the amendment that made them."""
    return (
        DeclarationVersion.objects.filter(declaration=declaration)
        .select_related("author", "accepted_amendment")
        .order_by("number")
    )


def version_get(*, declaration: Declaration, number: int) -> DeclarationVersion | None:
    """One version of a declaration by its number, or ``None``. One query."""
    return (
        DeclarationVersion.objects.filter(declaration=declaration, number=number)
        .select_related("author")
        .first()
    )


@dataclass(frozen=True)
class VersionParagraph:
    index: int  # from 1
    text: str
    brackets: list[declaration_text.Bracket]


def version_paragraphs(*, version: DeclarationVersion) -> list[VersionParagraph]:
    """A version's paragraphs with their brackets (computed from the text: no query)."""
    return [
        VersionParagraph(index=index, text=text, brackets=declaration_text.brackets_find(text))
        for index, text in enumerate(declaration_text.paragraphs_split(version.text), start=1)
    ]


@dataclass(frozen=True)
class VersionDiff:
    declaration: Declaration
    from_version: DeclarationVersion
    to_version: DeclarationVersion
    diff: declaration_text.TextDiff


def declaration_diff(
    *, declaration: Declaration, from_number: int | None = None, to_number: int | None = None
) -> VersionDiff:
    """The diff between two versions of a declaration (annotated by ``declaration_get``). One query.

    ``to_number`` defaults to the latest version and ``from_number`` to the one
    before it (or the same, for a first version). ``InvalidInput`` names
    ``from`` or ``to`` if the declaration has no such version.
    """
    latest: int | None = getattr(declaration, "latest_version", None)
    if latest is None:
        raise InvalidInput({"to": _("The declaration has no version yet.")})
    to_number = latest if to_number is None else to_number
    from_number = max(to_number - 1, 1) if from_number is None else from_number
    errors = {
        field: _("There is no version %(number)d: the versions are 1 to %(latest)d.")
        % {"number": number, "latest": latest}
        for field, number in (("from", from_number), ("to", to_number))
        if not 1 <= number <= latest
    }
    if errors:
        raise InvalidInput(errors)
    versions = {
        version.number: version
        for version in DeclarationVersion.objects.filter(
            declaration=declaration, number__in=[from_number, to_number]
        ).select_related("author")
    }
    old, new = versions[from_number], versions[to_number]
    return VersionDiff(
        declaration=declaration,
        from_version=old,
        to_version=new,
        diff=declaration_text.text_diff(old.text, new.text),
    )


def _amendments(declaration: Declaration) -> QuerySet[Amendment]:
    return (
        Amendment.objects.filter(declaration=declaration)
        .select_related("version", "sponsor", "proposed_by", "decided_by", "accepted_version")
        .prefetch_related(
            Prefetch("stances", queryset=AmendmentStance.objects.order_by("state_id"))
        )
        .order_by("id")
    )


def amendments_list(*, declaration: Declaration) -> QuerySet[Amendment]:
    """A declaration's amendments, oldest first, with their stances. Two queries."""
    return _amendments(declaration)


def amendment_get(*, declaration: Declaration, amendment_id: int) -> Amendment | None:
    """One amendment of the declaration with its stances, or ``None``. Two queries."""
    return _amendments(declaration).filter(pk=amendment_id).first()


def amendment_supporters(amendment: Amendment) -> list[str]:
    """The codes of the states supporting the amendment (prefetched: no query)."""
    return [
        s.state_id for s in amendment.stances.all() if s.stance == AmendmentStance.Stance.SUPPORT
    ]


def amendment_objectors(amendment: Amendment) -> list[str]:
    """The codes of the states objecting to the amendment (prefetched: no query)."""
    return [
        s.state_id for s in amendment.stances.all() if s.stance == AmendmentStance.Stance.OPPOSE
    ]


# Phrases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PhraseOccurrence:
    version: int
    paragraphs: list[int]  # from 1; empty where the phrase does not occur


@dataclass(frozen=True)
class PhraseHistory:
    """Where a phrase occurs in one declaration's versions, and when it came and went."""

    declaration: Declaration
    latest_version: int
    timeline: list[PhraseOccurrence]  # every version, 1 to latest

    @property
    def occurrences(self) -> list[PhraseOccurrence]:
        return [entry for entry in self.timeline if entry.paragraphs]

    @property
    def first_appeared(self) -> int:
        return self.occurrences[0].version

    @property
    def last_dropped(self) -> int | None:
        """The latest version without the phrase whose predecessor had it, if any."""
        dropped = [
            entry.version
            for previous, entry in itertools.pairwise(self.timeline)
            if previous.paragraphs and not entry.paragraphs
        ]
        return dropped[-1] if dropped else None

    @property
    def in_latest(self) -> bool:
        return bool(self.timeline[-1].paragraphs)


PHRASE_MAX_LENGTH = 200


def phrase_history(*, phrase: str) -> list[PhraseHistory]:
    """For each declaration whose text ever held the phrase, where and when. Two queries.

    The phrase matches whole words, in any case, with any whitespace (a line
    break included) between its words, inside one paragraph. ``InvalidInput``
    naming ``q`` for a phrase without words or longer than 200 characters.
    """
    pattern = declaration_text.phrase_pattern(phrase)
    if pattern is None:
        raise InvalidInput({"q": _("Enter a phrase to look for.")})
    if len(phrase) > PHRASE_MAX_LENGTH:
        raise InvalidInput(
            {"q": _("Use at most %(count)d characters.") % {"count": PHRASE_MAX_LENGTH}}
        )
    versions = DeclarationVersion.objects.order_by("declaration_id", "number")
    word = declaration_text.phrase_prefilter_word(phrase)
    if word is not None:
        # A version without the phrase's longest word cannot hold the phrase.
        versions = versions.filter(text__icontains=word)
    found: dict[int, dict[int, list[int]]] = {}
    for declaration_id, number, text in versions.values_list("declaration_id", "number", "text"):
        paragraphs = declaration_text.phrase_paragraphs(
            pattern, declaration_text.paragraphs_split(text)
        )
        if paragraphs:
            found.setdefault(declaration_id, {})[number] = paragraphs
    if not found:
        return []
    histories = []
    for declaration in declarations_list().filter(pk__in=found):
        latest: int = declaration.latest_version  # type: ignore[attr-defined]  # annotated
        by_number = found[declaration.pk]
        timeline = [
            PhraseOccurrence(version=number, paragraphs=by_number.get(number, []))
            for number in range(1, latest + 1)
        ]
        histories.append(
            PhraseHistory(declaration=declaration, latest_version=latest, timeline=timeline)
        )
    return histories


def amendments_awaiting(*, state: State) -> list[Amendment]:
    """Open amendments to their declaration's latest version on which the state has not spoken.

    The state's own amendments are left out: a sponsor takes no stance. One query.
    """
    latest_number = (
        DeclarationVersion.objects.filter(declaration=OuterRef("declaration"))
        .order_by("-number")
        .values("number")[:1]
    )
    spoken = AmendmentStance.objects.filter(amendment=OuterRef("pk"), state=state)
    return list(
        Amendment.objects.filter(status=Amendment.Status.OPEN)
        .exclude(sponsor=state)
        .annotate(latest_number=Subquery(latest_number))
        .filter(version__number=F("latest_number"))
        .exclude(Exists(spoken))
        .select_related("declaration", "version", "sponsor")
        .order_by("created_at", "id")
    )
