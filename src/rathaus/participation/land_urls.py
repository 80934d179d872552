"""The operator's page for a town's address list (/land/adressen/<town>/, ADR 0223)."""

from django.urls import path

from .reports import address_views

app_name = "land_addresses"
urlpatterns = [
    path("<slug:town>/", address_views.operator_page, name="upload"),
]
