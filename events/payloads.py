"""What each kind of event says: built from the rows the change wrote, JSON-ready.

Each payload names the measure (or the declaration) by id, so a consumer can
fetch the rest through the API with its own rights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from consensus.rules import Route

if TYPE_CHECKING:
    from consensus.models import Amendment, SilenceProcedure
    from positions.models import MeasureStatusChange, PositionChange


def position_changed(change: PositionChange) -> dict[str, Any]:
    """A state's position changed: each route's stance before and after, as in the feed."""
    return {
        "change": change.pk,
        "measure": change.measure_id,
        "state": change.state_id,
        "at": change.at.isoformat(),
        "version": change.version,
        "source": change.source,
        "by": change.by.username if change.by else None,
        "changes": {
            route.value: [before.value, after.value]
            for route, (before, after) in change.transitions().items()
        },
        "stances": {
            route.value: getattr(change, f"{route.value}_after")
            for route in Route
            if getattr(change, f"{route.value}_after") is not None
        },
        "reservations": change.reservations,
        "note": change.note,
    }


def measure_status_changed(change: MeasureStatusChange) -> dict[str, Any]:
    """A measure's status changed (by hand, by a transfer motion, by the silence procedure)."""
    return {
        "measure": change.measure_id,
        "at": change.at.isoformat(),
        "before": change.before,
        "after": change.after,
        "reason": change.reason,
        "by": change.by.username if change.by else None,
        "motion": change.motion_id,
    }


def silence(procedure: SilenceProcedure) -> dict[str, Any]:
    """A silence procedure started, was broken or closed: its state after the change."""
    return {
        "measure": procedure.measure_id,
        "procedure": procedure.pk,
        "state": procedure.state,
        "deadline": procedure.deadline.isoformat(),
        "started_at": procedure.started_at.isoformat(),
        "broken_by": procedure.broken_by_state_id,
        "reason": procedure.reason or None,
        "closed_at": procedure.closed_at.isoformat() if procedure.closed_at else None,
        "adopted": procedure.adopted,
    }


def amendment_decided(amendment: Amendment) -> dict[str, Any]:
    """A coordinator accepted or rejected an amendment to a declaration."""
    return {
        "declaration": amendment.declaration_id,
        "amendment": amendment.pk,
        "paragraph": amendment.paragraph,
        "sponsor": amendment.sponsor_id,
        "decision": amendment.status,
        "version": amendment.accepted_version.number if amendment.accepted_version else None,
        "decided_at": amendment.decided_at.isoformat() if amendment.decided_at else None,
    }
