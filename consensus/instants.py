"""Reading an instant (``as_of``, a deadline) from ISO 8601: one parser for every interface."""

from __future__ import annotations

from datetime import UTC, datetime


class InstantError(ValueError):
    """Not an ISO 8601 instant, or one without a time zone where a zone is required."""

    def __init__(self, raw: str, *, missing_zone: bool) -> None:
        super().__init__(raw)
        self.missing_zone = missing_zone


def instant_parse(raw: str, *, naive_as_utc: bool = False) -> datetime:
    """The instant ``raw`` names; without a zone it is refused, or read as UTC if asked.

    Refused: anything but printable ASCII (``fromisoformat`` lets a NUL through),
    what ``fromisoformat`` refuses, and instants outside the years 1 to 9999 in
    UTC (``2024-...+01:00`` near either end overflows on conversion).
    """
    if not (raw.isascii() and raw.isprintable()):
        raise InstantError(raw, missing_zone=False)
    try:
        instant = datetime.fromisoformat(raw)
    except ValueError:
        raise InstantError(raw, missing_zone=False) from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        if not naive_as_utc:
            raise InstantError(raw, missing_zone=True)
        instant = instant.replace(tzinfo=UTC)
    try:
        instant.astimezone(UTC)
    except OverflowError:
        raise InstantError(raw, missing_zone=False) from None
    return instant
