"""Domain refusals that every interface (API, pages, commands) maps to its own answer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class InvalidInput(Exception):
    """Bad input; nothing was written.

    ``errors`` maps each bad field to a list of messages, or to a nested map
    for a structured field (``{"stances": {"eu": ["..."]}}``), in the shape of
    Django REST framework's field errors.
    """

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(errors)
        self.errors = {
            field: value if isinstance(value, dict | list) else [value]
            for field, value in errors.items()
        }

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> InvalidInput:
        if hasattr(error, "error_dict"):
            return cls(error.message_dict)
        return cls({"non_field_errors": error.messages})
