"""The declarations' pages, under /declarations/."""

from django.urls import URLPattern, URLResolver, path

from consensus.declarations import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.declaration_list, name="declaration-list"),
    path("phrases/", views.phrase_search, name="declaration-phrases"),
    path("<int:declaration_id>/", views.declaration_detail, name="declaration-detail"),
    path(
        "<int:declaration_id>/versions/<int:number>/",
        views.version_detail,
        name="declaration-version",
    ),
    path("<int:declaration_id>/diff/", views.declaration_diff, name="declaration-diff"),
]
