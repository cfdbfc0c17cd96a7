"""Users with a role, and API tokens stored only as hashes."""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person or an API consumer, with exactly one role.

    A delegate speaks for exactly one state; coordinators and readers for none.
    """

    class Role(models.TextChoices):
        DELEGATE = "delegate", _("Delegate")
        COORDINATOR = "coordinator", _("Coordinator")
        READER = "reader", _("Reader")

    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.READER)
    state = models.ForeignKey(
        "positions.State",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegates",
        verbose_name=_("state"),
        help_text=_("The state a delegate speaks for; empty for other roles."),
    )
    # The dashboard's "what changed since your last visit": the newest position
    # change id there was when the user last looked, and when that was.
    last_seen_change_id = models.PositiveBigIntegerField(_("last seen change"), default=0)
    dashboard_seen_at = models.DateTimeField(_("dashboard last seen at"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(role="delegate", state__isnull=False)
                | (~Q(role="delegate") & Q(state__isnull=True)),
                name="user_delegate_has_exactly_one_state",
            ),
        ]

    @property
    def is_delegate(self) -> bool:
        return self.role == self.Role.DELEGATE

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.Role.COORDINATOR


class _HasUser(Protocol):
    user: Any


def request_user(request: _HasUser) -> User:
    """The signed-in user of a request (a page's or the API's) behind a login requirement."""
    user = request.user
    assert isinstance(user, User)  # every caller sits behind a login or the API's permission
    return user


def token_digest(raw: str) -> str:
    """The stored form of a token: its SHA-256 digest (tokens are long and random)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token. Only its digest is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(
        _("prefix"), max_length=8, help_text=_("The first characters, to tell tokens apart.")
    )
    read_only = models.BooleanField(_("read-only"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        scope = "read-only" if self.read_only else "read-write"
        return f"{self.prefix}… ({self.user.username}, {scope})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
