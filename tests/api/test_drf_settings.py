"""The project's REST_FRAMEWORK settings are in force.

Importing DRF while the settings load would freeze its defaults (AllowAny, no token auth).
"""

from rest_framework.settings import api_settings

from accounts.authentication import BearerTokenAuthentication
from accounts.permissions import IsAuthenticatedWithinTokenScope


def test_drf_uses_the_project_settings(db):
    assert [IsAuthenticatedWithinTokenScope] == api_settings.DEFAULT_PERMISSION_CLASSES
    assert BearerTokenAuthentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES


def test_an_anonymous_caller_gets_401(client):
    assert client.get("/api/v1/states/").status_code == 401
