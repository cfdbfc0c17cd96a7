"""The asset pages."""

from django.urls import URLPattern, URLResolver, path

from assets import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.asset_list, name="asset-list-page"),
    path("<int:asset_id>/", views.asset_detail, name="asset-page"),
]
