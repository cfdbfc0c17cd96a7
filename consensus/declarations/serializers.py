"""API input and output shapes for declarations, versions, diffs, amendments and phrases."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consensus.declarations.selectors import (
    PHRASE_MAX_LENGTH,
    PhraseHistory,
    VersionDiff,
    VersionParagraph,
    amendment_objectors,
    amendment_supporters,
    version_paragraphs,
)
from consensus.declarations.text import Bracket
from consensus.models import Amendment, AmendmentStance, Declaration, DeclarationVersion
from positions.serializers import StrictInputSerializer

NOTE_LIMIT = 10_000
TEXT_LIMIT = 200_000  # a long declaration is about 60,000 characters
PARAGRAPH_LIMIT = 20_000


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


# Declarations ---------------------------------------------------------------------


class DeclarationInput(StrictInputSerializer):
    title = serializers.CharField(max_length=200)
    summit = serializers.CharField(max_length=200)
    year = serializers.IntegerField(min_value=1949, max_value=2100)


class DeclarationOutput(serializers.ModelSerializer[Declaration]):
    latest_version = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = Declaration
        fields = ["id", "title", "summit", "year", "latest_version", "created_by", "created_at"]

    def get_latest_version(self, declaration: Declaration) -> int | None:
        # Annotated by the selectors; a declaration just made has none yet.
        latest: int | None = getattr(declaration, "latest_version", None)
        return latest

    def get_created_by(self, declaration: Declaration) -> str | None:
        return _username(declaration.created_by)


# Versions -------------------------------------------------------------------------


class VersionInput(StrictInputSerializer):
    text = serializers.CharField(max_length=TEXT_LIMIT)
    note = serializers.CharField(max_length=NOTE_LIMIT, allow_blank=True, required=False)


class BracketOutput(serializers.Serializer[Bracket]):
    start = serializers.IntegerField(help_text="Offset of the first “[” in the paragraph, from 0.")
    end = serializers.IntegerField(help_text="Offset just after the last “]”.")
    depth = serializers.IntegerField(help_text="1 for outermost brackets, 2 inside them...")
    text = serializers.CharField(help_text="The paragraph from start to end, brackets included.")
    alternatives = serializers.ListField(
        child=serializers.CharField(),
        help_text="The text inside each bracket of the group: [decisive][key] has two.",
    )


class ParagraphOutput(serializers.Serializer[VersionParagraph]):
    index = serializers.IntegerField(help_text="From 1.")
    text = serializers.CharField()
    brackets = BracketOutput(many=True)


class VersionSummaryOutput(serializers.ModelSerializer[DeclarationVersion]):
    author = serializers.SerializerMethodField()
    amendment = serializers.SerializerMethodField()

    class Meta:
        model = DeclarationVersion
        fields = [
            "number",
            "note",
            "author",
            "created_at",
            "paragraph_count",
            "bracket_count",
            "amendment",
        ]

    def get_author(self, version: DeclarationVersion) -> str | None:
        return _username(version.author)

    def get_amendment(self, version: DeclarationVersion) -> int | None:
        """The amendment whose acceptance made this version, if one did."""
        amendment = getattr(version, "accepted_amendment", None)
        return amendment.pk if amendment is not None else None


class VersionOutput(serializers.ModelSerializer[DeclarationVersion]):
    author = serializers.SerializerMethodField()
    paragraphs = serializers.SerializerMethodField()

    class Meta:
        model = DeclarationVersion
        fields = ["number", "text", "note", "author", "created_at", "paragraphs", "bracket_count"]

    def get_author(self, version: DeclarationVersion) -> str | None:
        return _username(version.author)

    @extend_schema_field(ParagraphOutput(many=True))
    def get_paragraphs(self, version: DeclarationVersion) -> Any:
        return [
            ParagraphOutput(paragraph).data for paragraph in version_paragraphs(version=version)
        ]


# The diff -------------------------------------------------------------------------


class DiffQuery(serializers.Serializer[Any]):
    """``?from=a&to=b``: both optional (the latest version, and the one before ``to``)."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "from" is a Python keyword, so the field cannot be a class attribute.
        return {
            "from": serializers.IntegerField(min_value=1, required=False),
            "to": serializers.IntegerField(min_value=1, required=False),
        }


class ParagraphDiffOutput(serializers.Serializer[Any]):
    # A plain string in the schema: enums named "status" exist elsewhere with other values.
    status = serializers.CharField(help_text="same, changed, added or removed.")
    from_index = serializers.IntegerField(allow_null=True)
    to_index = serializers.IntegerField(allow_null=True)
    ops = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2),
        help_text='Pairs ["equal"|"insert"|"delete", text].',
    )


class DiffSummaryOutput(serializers.Serializer[Any]):
    same = serializers.IntegerField()
    changed = serializers.IntegerField()
    added = serializers.IntegerField()
    removed = serializers.IntegerField()


class DiffOutput(serializers.Serializer[VersionDiff]):
    to = serializers.IntegerField(source="to_version.number")
    paragraphs = ParagraphDiffOutput(many=True, source="diff.paragraphs")
    summary = DiffSummaryOutput(source="diff.summary")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        return {"from": serializers.IntegerField(source="from_version.number"), **fields}


# Amendments -----------------------------------------------------------------------


class AmendmentInput(StrictInputSerializer):
    version = serializers.IntegerField(min_value=1, help_text="The latest version's number.")
    paragraph = serializers.IntegerField(min_value=1, help_text="The paragraph, from 1.")
    text = serializers.CharField(max_length=PARAGRAPH_LIMIT, help_text="The new paragraph.")
    rationale = serializers.CharField(max_length=NOTE_LIMIT)


class AmendmentStanceInput(StrictInputSerializer):
    stance = serializers.ChoiceField(choices=AmendmentStance.Stance.values)


class AmendmentDecisionInput(StrictInputSerializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])


class AmendmentOutput(serializers.ModelSerializer[Amendment]):
    declaration = serializers.IntegerField(source="declaration_id")
    version = serializers.IntegerField(source="version.number", help_text="The base version.")
    sponsor = serializers.CharField(source="sponsor_id")
    proposed_by = serializers.SerializerMethodField()
    supporters = serializers.SerializerMethodField()
    objectors = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    accepted_version = serializers.SerializerMethodField()
    # A plain string in the schema: enums named "status" exist elsewhere with other values.
    status = serializers.CharField(help_text="open, accepted or rejected.")

    class Meta:
        model = Amendment
        fields = [
            "id",
            "declaration",
            "version",
            "paragraph",
            "text",
            "rationale",
            "sponsor",
            "proposed_by",
            "created_at",
            "status",
            "supporters",
            "objectors",
            "decided_by",
            "decided_at",
            "accepted_version",
        ]

    def get_proposed_by(self, amendment: Amendment) -> str | None:
        return _username(amendment.proposed_by)

    def get_supporters(self, amendment: Amendment) -> list[str]:
        return amendment_supporters(amendment)

    def get_objectors(self, amendment: Amendment) -> list[str]:
        return amendment_objectors(amendment)

    def get_decided_by(self, amendment: Amendment) -> str | None:
        return _username(amendment.decided_by)

    def get_accepted_version(self, amendment: Amendment) -> int | None:
        """The number of the version made by accepting it."""
        version = amendment.accepted_version
        return version.number if version is not None else None


# Phrases --------------------------------------------------------------------------


class PhraseQuery(serializers.Serializer[Any]):
    q = serializers.CharField(max_length=PHRASE_MAX_LENGTH, help_text="The phrase to look for.")


class PhraseOccurrenceOutput(serializers.Serializer[Any]):
    version = serializers.IntegerField()
    paragraphs = serializers.ListField(child=serializers.IntegerField())


class PhraseHistoryOutput(serializers.Serializer[PhraseHistory]):
    id = serializers.IntegerField(source="declaration.pk")
    title = serializers.CharField(source="declaration.title")
    summit = serializers.CharField(source="declaration.summit")
    year = serializers.IntegerField(source="declaration.year")
    latest_version = serializers.IntegerField()
    occurrences = PhraseOccurrenceOutput(many=True)
    first_appeared = serializers.IntegerField()
    last_dropped = serializers.IntegerField(allow_null=True)
    in_latest = serializers.BooleanField()


class PhraseOutput(serializers.Serializer[Any]):
    q = serializers.CharField()
    declarations = PhraseHistoryOutput(many=True)
