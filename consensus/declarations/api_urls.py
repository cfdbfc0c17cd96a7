"""The declarations' API routes, spliced into the API's flat list (consensus/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
