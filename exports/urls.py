"""The exports page."""

from django.urls import URLPattern, URLResolver, path

from exports import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.exports_page, name="exports"),
]
