"""The overview pages: the dashboard, the support matrix and its CSV, the changes feed."""

from django.urls import URLPattern, URLResolver, path

from consensus import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("matrix/", views.support_matrix, name="matrix"),
    path("matrix/csv/", views.support_matrix_csv, name="matrix-csv"),
    path("changes/", views.changes_feed, name="changes"),
]
