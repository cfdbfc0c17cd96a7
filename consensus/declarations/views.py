"""The declarations' pages: parse, call one selector, render. Writes go through the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django_stubs_ext import StrPromise

from consensus.declarations import selectors
from consensus.declarations.markup import ops_marked, text_marked
from consensus.declarations.text import ParagraphDiff, bracket_count
from consensus.errors import InvalidInput
from consensus.models import Amendment, Declaration, DeclarationVersion


def _declaration_or_404(declaration_id: int) -> Declaration:
    declaration = selectors.declaration_get(declaration_id=declaration_id)
    if declaration is None:
        raise Http404
    return declaration


@login_required
@require_GET
def declaration_list(request: HttpRequest) -> HttpResponse:
    """Every declaration with its latest version."""
    declarations = selectors.declarations_list()
    return render(request, "declarations/list.html", {"declarations": declarations})


@dataclass(frozen=True)
class AmendmentRow:
    amendment: Amendment
    text_html: SafeString
    supporters: list[str]
    objectors: list[str]


def _amendment_rows(amendments: list[Amendment]) -> list[AmendmentRow]:
    return [
        AmendmentRow(
            amendment=amendment,
            text_html=text_marked(amendment.text),
            supporters=selectors.amendment_supporters(amendment),
            objectors=selectors.amendment_objectors(amendment),
        )
        for amendment in amendments
    ]


@login_required
@require_GET
def declaration_detail(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """A declaration: its versions, and the amendments to its latest version and to earlier ones."""
    declaration = _declaration_or_404(declaration_id)
    versions = list(selectors.versions_list(declaration=declaration))
    latest: DeclarationVersion | None = versions[-1] if versions else None
    amendments = list(selectors.amendments_list(declaration=declaration))
    context = {
        "declaration": declaration,
        "versions": versions,
        "latest": latest,
        "latest_amendments": _amendment_rows(
            [a for a in amendments if latest is not None and a.version_id == latest.pk]
        ),
        "earlier_amendments": _amendment_rows(
            [a for a in amendments if latest is None or a.version_id != latest.pk]
        ),
    }
    return render(request, "declarations/detail.html", context)


@dataclass(frozen=True)
class ParagraphView:
    index: int
    html: SafeString
    bracket_count: int


@login_required
@require_GET
def version_detail(request: HttpRequest, declaration_id: int, number: int) -> HttpResponse:
    """One version's text, paragraph by paragraph, brackets marked."""
    declaration = _declaration_or_404(declaration_id)
    version = selectors.version_get(declaration=declaration, number=number)
    if version is None:
        raise Http404
    paragraphs = [
        ParagraphView(
            index=paragraph.index,
            html=text_marked(paragraph.text),
            bracket_count=bracket_count(paragraph.brackets),
        )
        for paragraph in selectors.version_paragraphs(version=version)
    ]
    context = {"declaration": declaration, "version": version, "paragraphs": paragraphs}
    return render(request, "declarations/version.html", context)


class DiffForm(forms.Form):
    """Pick two versions; the field names are those of the API (``from`` and ``to``)."""

    def __init__(self, data: Any, *, latest: int) -> None:
        super().__init__(data)
        choices = [(str(n), _("Version %(number)d") % {"number": n}) for n in range(1, latest + 1)]
        # "from" is a Python keyword, so the fields are added here.
        self.fields["from"] = forms.TypedChoiceField(
            label=gettext_lazy("Compare"),
            choices=choices,
            coerce=int,
            required=False,
            empty_value=None,
        )
        self.fields["to"] = forms.TypedChoiceField(
            label=gettext_lazy("with"),
            choices=choices,
            coerce=int,
            required=False,
            empty_value=None,
        )


STATUS_LABELS: dict[str, StrPromise] = {
    "same": gettext_lazy("Unchanged"),
    "changed": gettext_lazy("Changed"),
    "added": gettext_lazy("Added"),
    "removed": gettext_lazy("Removed"),
}


@dataclass(frozen=True)
class DiffRow:
    paragraph: ParagraphDiff
    label: StrPromise
    old_html: SafeString | None
    new_html: SafeString | None


def _diff_rows(paragraphs: tuple[ParagraphDiff, ...]) -> list[DiffRow]:
    return [
        DiffRow(
            paragraph=paragraph,
            label=STATUS_LABELS[paragraph.status],
            old_html=ops_marked(paragraph.ops, side="old")
            if paragraph.from_index is not None
            else None,
            new_html=ops_marked(paragraph.ops, side="new")
            if paragraph.to_index is not None
            else None,
        )
        for paragraph in paragraphs
    ]


@login_required
@require_GET
def declaration_diff(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """Two versions side by side: insertions and deletions marked, brackets marked."""
    declaration = _declaration_or_404(declaration_id)
    latest: int | None = getattr(declaration, "latest_version", None)
    if latest is None:
        raise Http404
    form = DiffForm(request.GET or None, latest=latest)
    context: dict[str, Any] = {"declaration": declaration, "form": form}
    if form.is_bound and not form.is_valid():
        return render(request, "declarations/diff.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    try:
        diff = selectors.declaration_diff(
            declaration=declaration, from_number=data.get("from"), to_number=data.get("to")
        )
    except InvalidInput as refusal:  # only for a declaration without versions, checked above
        raise Http404 from refusal
    # An unbound form shows the versions compared by default.
    form.fields["from"].initial = diff.from_version.number
    form.fields["to"].initial = diff.to_version.number
    context |= {"diff": diff, "rows": _diff_rows(diff.diff.paragraphs)}
    return render(request, "declarations/diff.html", context)


class PhraseForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Phrase"),
        max_length=selectors.PHRASE_MAX_LENGTH,
        help_text=gettext_lazy("Whole words, in any case; line breaks and spaces count alike."),
    )


@login_required
@require_GET
def phrase_search(request: HttpRequest) -> HttpResponse:
    """When a phrase entered and left each declaration's text."""
    form = PhraseForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "histories": None}
    if form.is_bound:
        if not form.is_valid():
            return render(request, "declarations/phrases.html", context, status=400)
        try:
            context["histories"] = selectors.phrase_history(phrase=form.cleaned_data["q"])
        except InvalidInput as refusal:
            for message in refusal.errors.get("q", []):
                form.add_error("q", message)
            return render(request, "declarations/phrases.html", context, status=400)
    return render(request, "declarations/phrases.html", context)
