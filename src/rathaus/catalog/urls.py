from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("leistungen/<slug:slug>/", views.service_detail, name="service"),
    path("themen/<slug:slug>/", views.topic_detail, name="topic"),
    path("lebenslagen/<slug:slug>/", views.life_situation_detail, name="life_situation"),
]
