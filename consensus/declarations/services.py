"""The write paths for declarations, their versions and the amendments states propose.

Every write checks the actor's rights, checks its input (``InvalidInput``,
nothing written) and writes in one transaction. A version's number is taken
while the declaration's row is locked, so numbers start at 1 and have no gaps
however many writers there are; accepting an amendment takes the same lock.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from consensus.declarations import text as declaration_text
from consensus.errors import InvalidInput
from consensus.models import Amendment, AmendmentStance, Declaration, DeclarationVersion
from events import payloads
from events.models import EventKind
from events.services import event_record
from positions.models import State

YEAR_MIN = 1949  # the North Atlantic Treaty
YEAR_MAX = 2100


class AmendmentConflict(Exception):
    """The amendment cannot take this step in its present state; nothing was written."""


def _bracket_messages(problems: list[declaration_text.BracketProblem]) -> list[str]:
    return [
        (
            _("Paragraph %(paragraph)d, character %(position)d: this “]” closes no “[”.")
            if problem.closing
            else _("Paragraph %(paragraph)d, character %(position)d: this “[” is never closed.")
        )
        % {"paragraph": problem.paragraph, "position": problem.position}
        for problem in problems
    ]


def declaration_create(*, actor: User, title: str, summit: str, year: int) -> Declaration:
    """Start a declaration (coordinators); its versions follow with ``version_create``."""
    if not permissions.can_manage_declarations(actor):
        raise PermissionDenied(_("Only coordinators start declarations."))
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("A declaration needs a title.")
    if not summit.strip():
        errors["summit"] = _("Name the summit or meeting.")
    if not YEAR_MIN <= year <= YEAR_MAX:
        errors["year"] = _("Give a year from %(min)d to %(max)d.") % {
            "min": YEAR_MIN,
            "max": YEAR_MAX,
        }
    if errors:
        raise InvalidInput(errors)
    return Declaration.objects.create(
        title=title.strip(), summit=summit.strip(), year=year, created_by=actor
    )


def _version_append(
    *, declaration: Declaration, text: str, paragraphs: list[str], note: str, author: User
) -> DeclarationVersion:
    """The next version, numbered under the declaration's row lock. Call inside a transaction."""
    Declaration.objects.select_for_update().filter(pk=declaration.pk).get()
    latest = DeclarationVersion.objects.filter(declaration=declaration).order_by("-number").first()
    if latest is not None and declaration_text.paragraphs_split(latest.text) == paragraphs:
        raise InvalidInput(
            {
                "text": _("The text is the same as version %(number)d: nothing to record.")
                % {"number": latest.number}
            }
        )
    brackets = [declaration_text.brackets_find(paragraph) for paragraph in paragraphs]
    return DeclarationVersion.objects.create(
        declaration=declaration,
        number=(latest.number if latest else 0) + 1,
        text=text,
        note=note,
        author=author,
        paragraph_count=len(paragraphs),
        bracket_count=sum(declaration_text.bracket_count(found) for found in brackets),
    )


def version_create(
    *, actor: User, declaration: Declaration, text: str, note: str = ""
) -> DeclarationVersion:
    """Record the next version of a declaration (coordinators); numbers start at 1, no gaps.

    Line endings are normalised to ``\\n``; the rest of the text is kept as
    given. Refuses, writing nothing: a text without a paragraph, unbalanced
    brackets (naming each paragraph and character), or the same paragraphs as
    the latest version.
    """
    if not permissions.can_manage_declarations(actor):
        raise PermissionDenied(_("Only coordinators record versions of a declaration."))
    text = declaration_text.newlines_normalize(text)
    paragraphs = declaration_text.paragraphs_split(text)
    if not paragraphs:
        raise InvalidInput({"text": _("A version needs at least one paragraph.")})
    problems = declaration_text.brackets_check(paragraphs)
    if problems:
        raise InvalidInput({"text": _bracket_messages(problems)})
    with transaction.atomic():
        return _version_append(
            declaration=declaration,
            text=text,
            paragraphs=paragraphs,
            note=note.strip(),
            author=actor,
        )


def amendment_propose(
    *,
    actor: User,
    declaration: Declaration,
    version_number: int,
    paragraph: int,
    text: str,
    rationale: str,
) -> Amendment:
    """A delegate proposes new text for one paragraph of the latest version, for their state.

    Refuses, writing nothing: a version that is not the latest, a paragraph it
    does not have, a text that is empty, holds more than one paragraph, has
    unbalanced brackets or changes nothing, and an empty rationale.
    """
    if not permissions.can_propose_amendment(actor) or actor.state is None:
        raise PermissionDenied(_("Only delegates propose amendments, for their own state."))
    state: State = actor.state
    versions = DeclarationVersion.objects.filter(declaration=declaration)
    latest = versions.order_by("-number").first()
    if latest is None or latest.number != version_number:
        message = (
            _("The declaration has no version yet.")
            if latest is None
            else _("Amend the latest version, %(latest)d.") % {"latest": latest.number}
        )
        raise InvalidInput({"version": message})
    paragraphs = declaration_text.paragraphs_split(latest.text)
    if not 1 <= paragraph <= len(paragraphs):
        raise InvalidInput(
            {
                "paragraph": _("Version %(number)d has paragraphs 1 to %(count)d.")
                % {"number": latest.number, "count": len(paragraphs)}
            }
        )
    errors: dict[str, list[str]] = {}
    new = declaration_text.newlines_normalize(text).strip()
    new_paragraphs = declaration_text.paragraphs_split(new)
    if not new_paragraphs:
        errors["text"] = [_("Propose the paragraph's new text.")]
    elif len(new_paragraphs) > 1:
        errors["text"] = [_("An amendment replaces one paragraph: leave out blank lines.")]
    elif new == paragraphs[paragraph - 1]:
        errors["text"] = [_("The text is the same as the paragraph: nothing to amend.")]
    else:
        problems = declaration_text.brackets_check(new_paragraphs)
        # Name the paragraph the amendment is for, not the first of its one-paragraph text.
        errors["text"] = _bracket_messages(
            [declaration_text.BracketProblem(paragraph, p.position, p.closing) for p in problems]
        )
    if not rationale.strip():
        errors["rationale"] = [_("Give the reasons for the amendment.")]
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise InvalidInput(errors)
    return Amendment.objects.create(
        declaration=declaration,
        version=latest,
        paragraph=paragraph,
        text=new,
        rationale=rationale.strip(),
        sponsor=state,
        proposed_by=actor,
    )


def amendment_stance_record(*, actor: User, amendment: Amendment, stance: str) -> AmendmentStance:
    """A delegate of another state than the sponsor supports or objects to an open amendment.

    Each state speaks once on an amendment. ``AmendmentConflict`` (nothing
    written) if the amendment is decided or the state has spoken already.
    """
    if stance not in AmendmentStance.Stance.values:
        raise InvalidInput(
            {
                "stance": _("Use one of: %(choices)s.")
                % {"choices": ", ".join(AmendmentStance.Stance.values)}
            }
        )
    if not permissions.can_take_amendment_stance(actor, amendment.sponsor) or actor.state is None:
        raise PermissionDenied(
            _("Only delegates of states other than the sponsor support or object to it.")
        )
    state: State = actor.state
    try:
        with transaction.atomic():
            current = Amendment.objects.select_for_update().get(pk=amendment.pk)
            if current.status != Amendment.Status.OPEN:
                raise AmendmentConflict(
                    _("The amendment was %(status)s: it takes no more stances.")
                    % {"status": current.get_status_display().lower()}
                )
            if AmendmentStance.objects.filter(amendment=current, state=state).exists():
                raise AmendmentConflict(
                    _("%(state)s has already taken a stance on this amendment.")
                    % {"state": state.code}
                )
            return AmendmentStance.objects.create(
                amendment=current, state=state, stance=stance, by=actor
            )
    except IntegrityError:
        # Two delegates of one state at once: the unique constraint keeps the first.
        raise AmendmentConflict(
            _("%(state)s has already taken a stance on this amendment.") % {"state": state.code}
        ) from None


def amendment_decide(*, actor: User, amendment: Amendment, decision: str) -> Amendment:
    """A coordinator accepts or rejects an open amendment, once.

    Accepting makes the next version: the latest text with the paragraph
    replaced, the amendment named in the version's note. ``AmendmentConflict``
    (nothing written) if the amendment was decided already, or if its
    paragraph in the latest version is no longer the text of its base version.
    """
    if decision not in ("accept", "reject"):
        raise InvalidInput({"decision": _("Use one of: accept, reject.")})
    if not permissions.can_decide_amendment(actor):
        raise PermissionDenied(_("Only coordinators accept or reject amendments."))
    with transaction.atomic():
        # The declaration's lock first, as for every new version: a version made
        # meanwhile cannot slip between the check below and the new version.
        Declaration.objects.select_for_update().filter(pk=amendment.declaration_id).get()
        current = (
            Amendment.objects.select_for_update(of=("self",))
            .select_related("version", "sponsor", "declaration")
            .get(pk=amendment.pk)
        )
        if current.status != Amendment.Status.OPEN:
            raise AmendmentConflict(
                _("The amendment was already %(status)s.")
                % {"status": current.get_status_display().lower()}
            )
        now = timezone.now()
        if decision == "reject":
            current.status = Amendment.Status.REJECTED
        else:
            current.accepted_version = _amendment_apply(current, actor)
            current.status = Amendment.Status.ACCEPTED
        current.decided_by = actor
        current.decided_at = now
        current.save(update_fields=["status", "decided_by", "decided_at", "accepted_version"])
        event_record(
            kind=EventKind.AMENDMENT_DECIDED,
            measure=None,
            payload=payloads.amendment_decided(current),
        )
    return current


def _amendment_apply(amendment: Amendment, actor: User) -> DeclarationVersion:
    latest = (
        DeclarationVersion.objects.filter(declaration=amendment.declaration_id)
        .order_by("-number")
        .first()
    )
    assert latest is not None  # the amendment's base version exists
    index = amendment.paragraph
    base = declaration_text.paragraphs_split(amendment.version.text)
    now = declaration_text.paragraphs_split(latest.text)
    if index > len(now) or now[index - 1] != base[index - 1]:
        raise AmendmentConflict(
            _(
                "Paragraph %(paragraph)d changed after version %(base)d, on which the amendment "
                "is based (the latest is %(latest)d): nothing was written; propose it again."
            )
            % {"paragraph": index, "base": amendment.version.number, "latest": latest.number}
        )
    text = declaration_text.paragraph_replace(latest.text, index, amendment.text)
    note = (
        f"Amendment {amendment.pk} by {amendment.sponsor_id} accepted: paragraph {index} replaced."
    )
    return _version_append(
        declaration=amendment.declaration,
        text=text,
        paragraphs=declaration_text.paragraphs_split(text),
        note=note,
        author=actor,
    )
