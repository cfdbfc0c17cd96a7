"""The project's URLs plus two trivial JSON endpoints: the limit of the stack itself.

``/bench/trivial/`` is a plain Django view behind the whole middleware stack;
``/bench/trivial-api/`` is a DRF view with the API's own authentication (the
bearer-token lookup) and permission, answering a constant. The support
endpoint's figures are ratios to these, measured in the same run.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from consensus.urls import urlpatterns as project_urlpatterns


def trivial(_request: HttpRequest) -> JsonResponse:
    """A constant JSON answer: no query, no authentication."""
    return JsonResponse({"ok": True})


class TrivialAuthenticated(APIView):
    """A constant JSON answer behind the API's authentication and permission."""

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [
    path("bench/trivial/", trivial, name="bench-trivial"),
    path("bench/trivial-api/", TrivialAuthenticated.as_view(), name="bench-trivial-api"),
    *project_urlpatterns,
]
