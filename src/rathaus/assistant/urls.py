from django.urls import path

from . import views

app_name = "assistant"
urlpatterns = [
    path("", views.chat, name="chat"),
    path("offene-fragen/", views.open_questions, name="open_questions"),
    path("offene-fragen/<int:pk>/erledigt/", views.resolve_question, name="resolve_question"),
]
