from django.urls import path

from . import satisfaction_views, views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("leistungen/", views.service_list, name="services"),
    path("leistungen/<slug:slug>/", views.service_detail, name="service"),
    path("themen/<slug:slug>/", views.topic_detail, name="topic"),
    path("lebenslagen/<slug:slug>/", views.life_situation_detail, name="life_situation"),
    path("suche/", views.search_results, name="search"),
    path("ozg-dashboard/", views.dashboard_page, name="dashboard"),
    path("ozg-dashboard/ozg-dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
    path("ozg-dashboard/ozg-bericht.pdf", views.dashboard_pdf, name="dashboard_pdf"),
    path("zufriedenheit/", satisfaction_views.answer, name="satisfaction"),
    path("zufriedenheit/danke/", satisfaction_views.thanks, name="satisfaction_thanks"),
    path(
        "verwaltung/zufriedenheit/",
        satisfaction_views.staff_figures,
        name="staff_satisfaction",
    ),
]
