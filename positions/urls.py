"""The web pages for delegates, coordinators and readers."""

from django.urls import path

from positions import views

urlpatterns = [
    path("", views.home, name="home"),
    path("my-state/", views.my_state, name="my-state"),
    path("measures/<int:measure_id>/", views.measure_positions, name="measure-positions"),
    path(
        "measures/<int:measure_id>/positions/<str:code>/",
        views.position_edit,
        name="position-edit",
    ),
]
