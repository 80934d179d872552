from django.urls import path

from . import views

app_name = "assistant"
urlpatterns = [
    path("", views.chat, name="chat"),
    path("offene-fragen/", views.open_questions, name="open_questions"),
    path("offene-fragen/<int:pk>/erledigt/", views.resolve_question, name="resolve_question"),
    path("rueckmeldung/<int:message_id>/", views.feedback, name="feedback"),
    path("rueckmeldungen/", views.feedback_list, name="feedback_list"),
    path("rueckmeldungen/<int:pk>/lernen/", views.teach, name="teach"),
    path("rueckmeldungen/<int:pk>/erledigt/", views.resolve_feedback, name="resolve_feedback"),
]
