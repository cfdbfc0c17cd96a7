"""Writes on accounts: creating users with their rights, issuing and revoking tokens."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import ApiToken, User, token_digest
from consensus.errors import InvalidInput
from positions.models import State


def account_create(
    *, username: str, password: str, role: str, state_code: str | None = None
) -> User:
    """Create a user with a role; a delegate gets the right to record their state's positions.

    Raises ``InvalidInput`` (nothing written) for an unknown role or state,
    a delegate without a state, a state given for another role, a taken
    username or a password the validators refuse.
    """
    if role not in User.Role.values:
        raise InvalidInput({"role": f"unknown role {role!r}: use one of {User.Role.values}"})
    state: State | None = None
    if role == User.Role.DELEGATE:
        if not state_code:
            raise InvalidInput({"state": "a delegate needs a state (--state CODE)"})
        state = State.objects.filter(code=state_code.upper()).first()
        if state is None:
            raise InvalidInput({"state": f"unknown state {state_code!r}"})
    elif state_code:
        raise InvalidInput({"state": "only delegates have a state"})
    if User.objects.filter(username=username).exists():
        raise InvalidInput({"username": f"the username {username!r} is taken"})

    # Coordinators use the admin to correct state facts such as population figures.
    user = User(username=username, role=role, state=state, is_staff=role == User.Role.COORDINATOR)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput({"password": error.messages}) from None
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise InvalidInput.from_validation_error(error) from None
    with transaction.atomic():
        user.save()
        permissions.grant_role_rights(user)
    return user


def token_issue(*, user: User, read_only: bool = False) -> tuple[ApiToken, str]:
    """Issue a new token; returns it with the raw value, which is never stored."""
    # Hexadecimal: 256 random bits, and never a leading "-" that a command line
    # would take for an option (``revoke_token <prefix>``).
    raw = secrets.token_hex(32)
    token = ApiToken.objects.create(
        user=user, digest=token_digest(raw), prefix=raw[:8], read_only=read_only
    )
    return token, raw


def token_revoke(*, token: ApiToken) -> None:
    """Revoke a token for good; revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])


def dashboard_visit_record(*, user: User, last_change_id: int) -> None:
    """Remember that the user saw the changes up to ``last_change_id`` on the dashboard.

    The marker never moves back: a dashboard opened earlier in another tab and
    reloaded late cannot undo a later visit. One query.
    """
    now = timezone.now()
    User.objects.filter(pk=user.pk, last_seen_change_id__lte=last_change_id).update(
        last_seen_change_id=last_change_id, dashboard_seen_at=now
    )
    if last_change_id >= user.last_seen_change_id:
        user.last_seen_change_id = last_change_id
        user.dashboard_seen_at = now
