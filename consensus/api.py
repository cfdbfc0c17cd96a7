"""How domain refusals become API answers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from consensus.errors import InvalidInput


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: bad input from a service is a 400 with field errors."""
    if isinstance(exc, DjangoValidationError):
        exc = InvalidInput.from_validation_error(exc)
    if isinstance(exc, InvalidInput):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
