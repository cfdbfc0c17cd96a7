"""Who may do what. The only module that talks to django-guardian.

Per-object rights live on two kinds of objects (never on positions or history
rows):
- a **state**: its delegation group holds ``positions.record_position`` on it,
  and every delegate of the state belongs to that group;
- a **restricted measure**: the delegation groups of its participant states
  hold ``positions.view_measure`` on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db.models import Q, QuerySet
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, remove_perm
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import ApiToken, User
from positions.models import (
    Measure,
    MeasureGroupObjectPermission,
    MeasureUserObjectPermission,
    State,
)

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

RECORD_POSITION = "positions.record_position"
VIEW_MEASURE = "positions.view_measure"

AnyUser = User | AnonymousUser


def delegation_group(state: State) -> Group:
    """The group of a state's delegates, holding the right to record its positions."""
    group, created = Group.objects.get_or_create(name=f"delegation:{state.code}")
    if created:
        assign_perm(RECORD_POSITION, group, state)
    return group


# What coordinators may do in the admin: correct state facts, read the rest.
COORDINATOR_MODEL_PERMISSIONS = [
    ("positions", "view_state"),
    ("positions", "change_state"),
    ("positions", "view_measure"),
    ("positions", "view_position"),
    ("positions", "view_positionchange"),
    # The asset registry (saved through assets.services, which checks the role again).
    ("assets", "view_asset"),
    ("assets", "add_asset"),
    ("assets", "change_asset"),
]


def coordinators_group() -> Group:
    """The group whose model permissions let coordinators use the admin."""
    group, created = Group.objects.get_or_create(name="coordinators")
    if created:
        for app_label, codename in COORDINATOR_MODEL_PERMISSIONS:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return group


def grant_role_rights(user: User) -> None:
    """Give a new account the rights of its role."""
    user.__dict__.pop("_object_permissions", None)  # what it was refused before may change
    if user.is_delegate and user.state is not None:
        user.groups.add(delegation_group(user.state))
    elif user.is_coordinator:
        user.groups.add(coordinators_group())


def _active_coordinator(user: AnyUser) -> bool:
    """The right every coordinator-only predicate below grants."""
    return isinstance(user, User) and user.is_active and user.is_coordinator


def can_record_position(user: AnyUser, state: State) -> bool:
    """Whether the user may change this state's positions.

    A delegate may change only their own state's (through the delegation
    group's object permission). A coordinator records the stances of the EU
    states outside NATO, which have no delegates, and of no ally.
    """
    if not isinstance(user, User) or not user.is_active:
        return False
    if user.is_coordinator:
        return not state.nato_member
    if user.is_delegate:
        return _object_permissions(user).has_perm(RECORD_POSITION, state)
    return False


def _object_permissions(user: User) -> ObjectPermissionChecker:
    """guardian's checker for the user, kept on the user object: a request asks the same
    question in the view and again in the service, and pays for it once (as Django's
    ModelBackend caches model permissions on the user)."""
    checker: ObjectPermissionChecker | None = getattr(user, "_object_permissions", None)
    if checker is None:
        checker = ObjectPermissionChecker(user)
        user._object_permissions = checker  # type: ignore[attr-defined]
    return checker


def can_view_measure(user: AnyUser, measure: Measure) -> bool:
    """Whether the user may know that the measure exists."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if user.is_coordinator or not measure.restricted:
        return True
    return user.is_delegate and user.has_perm(VIEW_MEASURE, measure)


def measures_visible_to(
    user: AnyUser, queryset: QuerySet[Measure] | None = None
) -> QuerySet[Measure]:
    """The measures the user may see: a restricted one only by its participants and coordinators."""
    measures = Measure.objects.all() if queryset is None else queryset
    if not isinstance(user, User) or not user.is_active:
        return measures.none()
    if user.is_coordinator:
        return measures
    if user.is_delegate:
        # guardian's direct object-permission tables, read as subqueries so the
        # list stays one query (get_objects_for_user adds content-type lookups).
        via_groups = MeasureGroupObjectPermission.objects.filter(
            group__user=user, permission__codename="view_measure"
        ).values("content_object_id")
        via_user = MeasureUserObjectPermission.objects.filter(
            user=user, permission__codename="view_measure"
        ).values("content_object_id")
        return measures.filter(Q(restricted=False) | Q(pk__in=via_groups) | Q(pk__in=via_user))
    return measures.filter(restricted=False)


def can_manage_measures(user: AnyUser) -> bool:
    """Coordinators table and edit measures."""
    return _active_coordinator(user)


def can_manage_assets(user: AnyUser) -> bool:
    """Coordinators keep the asset registry and say which assets a measure covers.

    Every account may read the registry; which measures cover an asset is
    shown only for the measures the reader may see (``measures_visible_to``).
    """
    return _active_coordinator(user)


def sync_measure_visibility(measure: Measure) -> None:
    """Make the right to see a restricted measure match its participants."""
    wanted: set[str] = set()
    if measure.restricted:
        wanted = set(measure.participants.values_list("code", flat=True))
    held = MeasureGroupObjectPermission.objects.filter(
        content_object=measure, permission__codename="view_measure"
    ).select_related("group")
    held_codes = {p.group.name.removeprefix("delegation:"): p.group for p in held}
    for code, group in held_codes.items():
        if code not in wanted:
            remove_perm(VIEW_MEASURE, group, measure)
    for state in State.objects.filter(code__in=wanted - held_codes.keys()):
        assign_perm(VIEW_MEASURE, delegation_group(state), measure)


class IsAuthenticatedWithinTokenScope(BasePermission):
    """Every API call needs a user; a read-only token may only read."""

    message = "This token is read-only."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        token: Any = request.auth
        if isinstance(token, ApiToken) and token.read_only:
            return request.method in SAFE_METHODS
        return True


# Declarations and amendments ------------------------------------------------------


def can_manage_declarations(user: AnyUser) -> bool:
    """Coordinators keep the declaration drafts: new declarations and versions."""
    return _active_coordinator(user)


def can_propose_amendment(user: AnyUser) -> bool:
    """A delegate proposes amendments, always for their own state."""
    return (
        isinstance(user, User) and user.is_active and user.is_delegate and user.state_id is not None
    )


def can_take_amendment_stance(user: AnyUser, sponsor: State) -> bool:
    """A delegate of a state other than the sponsor supports or objects to an amendment."""
    return can_propose_amendment(user) and isinstance(user, User) and user.state_id != sponsor.code


def can_decide_amendment(user: AnyUser) -> bool:
    """Coordinators accept or reject amendments."""
    return _active_coordinator(user)


# The silence procedure ------------------------------------------------------------


def can_start_silence(user: AnyUser) -> bool:
    """Coordinators put a measure under silence."""
    return _active_coordinator(user)


def can_break_silence(user: AnyUser, measure: Measure) -> bool:
    """An active delegate of an ally who may see the measure breaks silence on it.

    The four EU states outside NATO take no part in the alliance route, so
    their (hypothetical) delegates may not.
    """
    return (
        isinstance(user, User)
        and user.is_active
        and user.is_delegate
        and user.state is not None
        and user.state.nato_member
        and can_view_measure(user, measure)
    )


# Exports --------------------------------------------------------------------------


def can_see_every_export(user: AnyUser) -> bool:
    """Coordinators see every export job; everyone else only their own."""
    return _active_coordinator(user)


# Webhooks -------------------------------------------------------------------------


def can_manage_webhooks(user: AnyUser) -> bool:
    """Coordinators and readers (API consumers) subscribe webhooks; delegates do not."""
    return (
        isinstance(user, User)
        and user.is_active
        and user.role in (User.Role.COORDINATOR, User.Role.READER)
    )


def can_receive_event(user: AnyUser, measure: Measure | None) -> bool:
    """Whether a webhook's owner may be sent an event: about a measure only if they may see it."""
    if not can_manage_webhooks(user):
        return False
    return measure is None or can_view_measure(user, measure)
