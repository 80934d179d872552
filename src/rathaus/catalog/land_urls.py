"""The Land catalog template's operator pages (/land/vorlage/), see land_views."""

from django.urls import path

from . import land_views

app_name = "land_catalog"
urlpatterns = [
    path("", land_views.index, name="index"),
    path("import/", land_views.import_set, name="import"),
    path("kommunen/<slug:town>/", land_views.adopt, name="adopt"),
    path("<str:land>/<slug:slug>/", land_views.edit, name="edit"),
]
