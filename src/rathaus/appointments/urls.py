from django.urls import path

from . import lottery_views, offer_staff, releases_staff, staff, views, waitlist_views

app_name = "appointments"
urlpatterns = [
    path("", views.index, name="index"),
    path("leistung/<slug:slug>/", views.service_locations, name="service"),
    # Before the calendar: "warteliste" would otherwise be read as a resource slug.
    path("leistung/<slug:slug>/warteliste/", waitlist_views.join, name="waitlist_join"),
    path("leistung/<slug:slug>/warteliste/eingetragen/", waitlist_views.done, name="waitlist_done"),
    path("leistung/<slug:slug>/<slug:resource_slug>/", views.calendar, name="calendar"),
    path("leistung/<slug:slug>/<slug:resource_slug>/buchen/", views.details, name="details"),
    path("reserviert/", views.pending, name="pending"),
    path("bestaetigen/<str:token>/", views.confirm, name="confirm"),
    path("t/<str:token>/", views.manage, name="manage"),
    path("t/<str:token>/termin.ics", views.manage_ics, name="manage_ics"),
    path("t/<str:token>/absagen/", views.manage_cancel, name="cancel"),
    path("t/<str:token>/verschieben/", views.manage_rebook, name="rebook"),
    path("t/<str:token>/zu-meinen-terminen/", views.manage_claim, name="claim"),
    path("meine/", views.my_bookings, name="mine"),
    path("verlosung/", lottery_views.index, name="lottery_index"),
    path("verlosung/<int:pk>/", lottery_views.enter, name="lottery_enter"),
    path("verlosung/<int:pk>/teilgenommen/", lottery_views.done, name="lottery_done"),
    path("pruefung/altcha/", lottery_views.altcha_challenge, name="altcha_challenge"),
    # Staff
    path("verwaltung/freigaben/", releases_staff.overview, name="staff_releases"),
    path("verwaltung/angebote/", offer_staff.index, name="staff_offers"),
    path("verwaltung/angebote/<slug:slug>/", offer_staff.edit, name="staff_offer"),
    path("verwaltung/angebote/<slug:slug>/beenden/", offer_staff.stop, name="staff_offer_stop"),
    path("verwaltung/", staff.home, name="staff_home"),
    path("verwaltung/suche/", staff.search, name="staff_search"),
    path("verwaltung/buchen/", staff.book_for_caller, name="staff_book"),
    path("verwaltung/export.csv", staff.export_csv, name="staff_export"),
    path("verwaltung/termin/<str:code>/", staff.booking_detail, name="staff_booking"),
    path("verwaltung/termin/<str:code>/status/", staff.booking_action, name="staff_booking_action"),
    path("verwaltung/<slug:slug>/tag/", staff.day_view, name="staff_day"),
    path("verwaltung/<slug:slug>/woche/", staff.week_view, name="staff_week"),
    path("verwaltung/<slug:slug>/sperren/", staff.block, name="staff_block"),
    path("verwaltung/<slug:slug>/zusaetzlich/", staff.extra_slots, name="staff_extra"),
]
