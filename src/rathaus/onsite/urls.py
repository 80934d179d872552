from django.urls import path

from . import staff, statistics, views

app_name = "onsite"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("signal.wav", views.signal_sound, name="signal"),
    path("schalter/", staff.home, name="staff_home"),
    path("statistik/", statistics.statistics, name="statistics"),
    path("statistik/kennzahlen.csv", statistics.statistics_csv, name="statistics_csv"),
    path("bericht/", statistics.report, name="report"),
    path("bericht/bericht-terminvergabe.pdf", statistics.report_pdf, name="report_pdf"),
    path("<slug:slug>/kiosk/", views.kiosk, name="kiosk"),
    path("<slug:slug>/kiosk/geraet/", staff.kiosk_activation, name="kiosk_activation"),
    path("<slug:slug>/kiosk/nummer/", views.kiosk_draw, name="kiosk_draw"),
    path("<slug:slug>/kiosk/anmelden/", views.kiosk_check_in, name="kiosk_check_in"),
    path("<slug:slug>/wartenummer/<str:token>/", views.ticket, name="ticket"),
    path("<slug:slug>/anzeige/", views.display, name="display"),
    path("<slug:slug>/anzeige/aufrufe/", views.display_calls, name="display_calls"),
    path("<slug:slug>/schalter/<int:number>/", staff.workstation, name="workstation"),
    path("<slug:slug>/schalter/<int:number>/warteschlange/", staff.queue, name="queue"),
    path("<slug:slug>/schalter/<int:number>/<slug:name>/", staff.action, name="action"),
]
