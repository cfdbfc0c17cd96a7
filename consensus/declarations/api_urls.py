"""The declarations' API routes, spliced into the API's flat list (consensus/urls.py)."""

from django.urls import URLPattern, path

from consensus.declarations import api

urlpatterns: list[URLPattern] = [
    path("declarations/", api.DeclarationListCreate.as_view(), name="declaration-list"),
    path(
        "declarations/<int:declaration_id>/",
        api.DeclarationDetail.as_view(),
        name="declaration-detail",
    ),
    path(
        "declarations/<int:declaration_id>/versions/",
        api.VersionListCreate.as_view(),
        name="declaration-version-list",
    ),
    path(
        "declarations/<int:declaration_id>/versions/<int:number>/",
        api.VersionDetail.as_view(),
        name="declaration-version-detail",
    ),
    path(
        "declarations/<int:declaration_id>/diff/",
        api.DeclarationDiff.as_view(),
        name="declaration-diff",
    ),
    path(
        "declarations/<int:declaration_id>/amendments/",
        api.AmendmentListCreate.as_view(),
        name="amendment-list",
    ),
    path(
        "declarations/<int:declaration_id>/amendments/<int:amendment_id>/",
        api.AmendmentDetail.as_view(),
        name="amendment-detail",
    ),
    path(
        "declarations/<int:declaration_id>/amendments/<int:amendment_id>/stance/",
        api.AmendmentStanceCreate.as_view(),
        name="amendment-stance",
    ),
    path(
        "declarations/<int:declaration_id>/amendments/<int:amendment_id>/decide/",
        api.AmendmentDecide.as_view(),
        name="amendment-decide",
    ),
    path("phrases/", api.PhraseSearch.as_view(), name="phrase-search"),
]
