from django.urls import path

from . import feeds, oparl, views_public, views_staff

app_name = "council"

staff = [
    path("verwaltung/", views_staff.dashboard, name="staff"),
    path("verwaltung/vorlagen/neu/", views_staff.paper_create, name="staff_paper_create"),
    path("verwaltung/vorlagen/<int:pk>/", views_staff.paper_edit, name="staff_paper"),
    path(
        "verwaltung/vorlagen/<int:pk>/beratungsfolge/",
        views_staff.consultation_add,
        name="staff_consultation_add",
    ),
    path("verwaltung/vorlagen/<int:pk>/datei/", views_staff.paper_file, name="staff_paper_file"),
    path("verwaltung/sitzungen/neu/", views_staff.meeting_create, name="staff_meeting_create"),
    path("verwaltung/sitzungen/<int:pk>/", views_staff.meeting_manage, name="staff_meeting"),
    path(
        "verwaltung/sitzungen/<int:pk>/veroeffentlichen/",
        views_staff.meeting_publish,
        name="staff_meeting_publish",
    ),
    path(
        "verwaltung/sitzungen/<int:pk>/anwesenheit/",
        views_staff.attendance,
        name="staff_attendance",
    ),
    path(
        "verwaltung/sitzungen/<int:pk>/niederschrift/",
        views_staff.minutes_generate,
        name="staff_minutes",
    ),
    path(
        "verwaltung/sitzungen/<int:pk>/absagen/",
        views_staff.meeting_cancel,
        name="staff_meeting_cancel",
    ),
    path(
        "verwaltung/vorlagen/<int:pk>/loeschen/",
        views_staff.paper_delete,
        name="staff_paper_delete",
    ),
    path("verwaltung/top/<int:pk>/", views_staff.item_result, name="staff_item"),
    path("verwaltung/top/<int:pk>/entfernen/", views_staff.item_remove, name="staff_item_remove"),
    path("verwaltung/top/<int:pk>/anlage/", views_staff.item_file, name="staff_item_file"),
    path("verwaltung/top/<int:pk>/verschieben/", views_staff.item_move, name="staff_item_move"),
    path("verwaltung/auftraege/<int:pk>/", views_staff.task_update, name="staff_task"),
    path(
        "verwaltung/vorlagen/<int:pk>/antwort/",
        views_staff.inquiry_answer,
        name="staff_inquiry_answer",
    ),
]

public = [
    path("", views_public.index, name="index"),
    path("sitzungen/", views_public.calendar, name="calendar"),
    path("sitzungen.ics", feeds.meetings_ical, name="ical"),
    path("sitzungen/<int:pk>/", views_public.meeting_detail, name="meeting"),
    path("sitzungen/<int:pk>/niederschrift/", views_public.minutes, name="minutes"),
    path("vorlagen/", views_public.paper_list, name="papers"),
    path("vorlagen/feed/", feeds.NewPapersFeed(), name="paper_feed"),
    path("vorlagen/<int:pk>/", views_public.paper_detail, name="paper"),
    path("suche/", views_public.search, name="search"),
    path("gremien/", views_public.organization_list, name="organizations"),
    path(
        "beiraete/",
        views_public.organization_list,
        {"advisory_boards": True},
        name="advisory_boards",
    ),
    path("gremien/<int:pk>/", views_public.organization_detail, name="organization"),
    path("personen/", views_public.person_list, name="persons"),
    path("personen/<int:pk>/", views_public.person_detail, name="person"),
    path("dateien/<int:pk>/", views_public.file_access, name="file"),
    path("dateien/<int:pk>/download/", views_public.file_download, name="file_download"),
    path("beschluesse/", views_public.tasks, name="tasks"),
    path("anfragen/", views_public.inquiries, name="inquiries"),
    path("benachrichtigung/", views_public.alert_subscribe, name="alert"),
    path(
        "benachrichtigung/bestaetigen/<str:token>/",
        views_public.alert_confirm,
        name="alert_confirm",
    ),
    path(
        "benachrichtigung/abbestellen/<str:token>/",
        views_public.alert_unsubscribe,
        name="alert_unsubscribe",
    ),
]

urlpatterns = public + staff + oparl.urlpatterns
