from django.contrib.auth import views as auth_views
from django.urls import path

from . import embedding_views, staff_views, views, walkin_views
from .ops import views as ops_views

app_name = "core"
urlpatterns = [
    path("theme.css", views.theme_css, name="theme_css"),
    path("aemter/", views.office_list, name="offices"),
    path("aemter/<slug:slug>/", views.office_detail, name="office"),
    path("standorte/<slug:slug>/", views.location_detail, name="location"),
    path("sprechzeiten/", walkin_views.page, name="walk_in_hours"),
    path("sprechzeiten/sprechzeiten.pdf", walkin_views.pdf, name="walk_in_hours_pdf"),
    path("sprechzeiten/sprechzeiten.txt", walkin_views.text, name="walk_in_hours_text"),
    path("sprechzeiten/sprechzeiten.ics", walkin_views.ical, name="walk_in_hours_ical"),
    path("sprechzeiten/feed.rss", walkin_views.WalkInFeed(), name="walk_in_hours_rss"),
    path("barrierefreiheit/", views.accessibility, name="accessibility"),
    path("leichte-sprache/", views.easy_language, name="easy_language"),
    path("datenschutz/", views.privacy, name="privacy"),
    path("impressum/", views.imprint, name="imprint"),
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("verwaltung/", views.staff_home, name="staff_home"),
    path("verwaltung/verarbeitungen.csv", views.processing_record, name="processing_record"),
    path(
        "verwaltung/verarbeitungen.pdf", views.processing_record_pdf, name="processing_record_pdf"
    ),
    path("verwaltung/personal/", staff_views.staff, name="staff"),
    path("verwaltung/personal/<str:pk>/entziehen/", staff_views.revoke, name="staff_revoke"),
    path("verwaltung/standorte/", staff_views.locations, name="staff_locations"),
    path("verwaltung/standorte/<str:pk>/", staff_views.location_edit, name="staff_location_edit"),
    path("verwaltung/aemter/<str:pk>/", staff_views.office_edit, name="staff_office_edit"),
    path("verwaltung/betrieb/", ops_views.operations, name="operations"),
    path("verwaltung/einbetten/", embedding_views.page, name="embedding"),
    path("verwaltung/betrieb/modus/", ops_views.service_mode, name="service_mode"),
    path("hinweis/", ops_views.notice, name="notice"),
    path(
        "verwaltung/betrieb/aufgaben/<str:task_id>/wiederholen/",
        ops_views.retry_task,
        name="retry_task",
    ),
]
