"""The Land operator's area (/land/), see land_views."""

from django.urls import path

from . import land_views

app_name = "land"
urlpatterns = [
    path("", land_views.index, name="index"),
    path("kommunen/neu/", land_views.town_new, name="town_new"),
    path("kommunen/<slug:slug>/", land_views.town_detail, name="town"),
    path("kommunen/<slug:slug>/bearbeiten/", land_views.town_edit, name="town_edit"),
    path("kommunen/<slug:slug>/aemter/<str:pk>/", land_views.office_edit, name="office_edit"),
    path(
        "kommunen/<slug:slug>/standorte/<str:pk>/",
        land_views.location_edit,
        name="location_edit",
    ),
]
