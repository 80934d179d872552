from django.urls import path, re_path

from .budget import views as budget
from .dialogues import views as dialogues
from .neighbourhood import views as neighbourhood
from .reports import address_views, open311
from .reports import views as reports
from .reports import views_alerts as area_alerts
from .trees import views as trees
from .views import index, open311_docs, staff_overview

app_name = "participation"

FMT = r"\.(?P<fmt>json|xml)$"


urlpatterns = [
    path("", index, name="index"),
    path("verwaltung/", staff_overview, name="staff"),
    path("verwaltung/adressen/", address_views.town_page, name="addresses"),
    # Mängelmelder
    path("maengel/", reports.report_list, name="report_list"),
    path("maengel/karte.json", reports.report_geojson, name="report_geojson"),
    path("maengel/melden/", reports.report_start, name="report_start"),
    path("maengel/melden/beschreibung/", reports.report_details, name="report_details"),
    path("maengel/melden/pruefen/", reports.report_check, name="report_check"),
    path("maengel/melden/fertig/", reports.report_done, name="report_done"),
    path("maengel/wieder-oeffnen/<str:token>/", reports.report_reopen, name="report_reopen"),
    path("maengel/<int:pk>/", reports.report_detail, name="report_detail"),
    path("maengel/<int:pk>/hinweis/", reports.report_update, name="report_update"),
    path("maengel/benachrichtigung/", area_alerts.subscribe, name="area_alert"),
    path(
        "maengel/benachrichtigung/bestaetigen/<str:token>/",
        area_alerts.confirm,
        name="area_alert_confirm",
    ),
    path(
        "maengel/benachrichtigung/abbestellen/<str:token>/",
        area_alerts.unsubscribe,
        name="area_alert_unsubscribe",
    ),
    path("maengel/gebiet.rss", area_alerts.AreaFeed(), name="area_feed"),
    # Nachbarschafts-Abo (one weekly digest for a street or an area)
    path("nachbarschaft/", neighbourhood.subscribe, name="neighbourhood"),
    path(
        "nachbarschaft/bestaetigen/<str:token>/",
        neighbourhood.confirm,
        name="neighbourhood_confirm",
    ),
    path("nachbarschaft/abo/<str:token>/", neighbourhood.manage, name="neighbourhood_manage"),
    path(
        "nachbarschaft/abbestellen/<str:token>/",
        neighbourhood.unsubscribe,
        name="neighbourhood_unsubscribe",
    ),
    path("nachbarschaft/strasse.atom", neighbourhood.StreetFeed(), name="neighbourhood_feed"),
    path("verwaltung/maengel/", reports.inbox, name="inbox"),
    path("verwaltung/maengel/<int:pk>/", reports.staff_report, name="staff_report"),
    path(
        "verwaltung/maengel/<int:pk>/<slug:action>/",
        reports.staff_action,
        name="staff_action",
    ),
    # Bürgerhaushalt
    path("buergerhaushalt/", budget.budget_home, name="budget_home"),
    path("buergerhaushalt/<slug:slug>/", budget.round_detail, name="budget_round"),
    path("buergerhaushalt/<slug:slug>/vorschlagen/", budget.proposal_new, name="budget_new"),
    path("buergerhaushalt/<slug:slug>/abstimmen/", budget.vote, name="budget_vote"),
    path("buergerhaushalt/<slug:slug>/abstimmen/fertig/", budget.vote_done, name="budget_done"),
    path("buergerhaushalt/<slug:slug>/code/", budget.vote_with_code, name="budget_code_vote"),
    path(
        "buergerhaushalt/<slug:slug>/code/anfordern/",
        budget.request_code,
        name="budget_code_request",
    ),
    path(
        "verwaltung/buergerhaushalt/<slug:slug>/codes/",
        budget.staff_codes,
        name="budget_staff_codes",
    ),
    path("buergerhaushalt/<slug:slug>/ergebnis/", budget.result, name="budget_result"),
    path(
        "buergerhaushalt/<slug:slug>/<int:number>/", budget.proposal_detail, name="budget_proposal"
    ),
    path(
        "buergerhaushalt/<slug:slug>/<int:number>/unterstuetzen/",
        budget.proposal_support,
        name="budget_support",
    ),
    path("verwaltung/buergerhaushalt/<slug:slug>/", budget.staff_round, name="budget_staff"),
    path(
        "verwaltung/buergerhaushalt/<slug:slug>/<slug:action>/",
        budget.staff_action,
        name="budget_staff_action",
    ),
    path(
        "verwaltung/buergerhaushalt/<slug:slug>/<slug:action>/<int:number>/",
        budget.staff_action,
        name="budget_staff_proposal",
    ),
    # Baumgießen
    path("baeume/", trees.tree_list, name="tree_list"),
    path("baeume/karte.json", trees.tree_geojson, name="tree_geojson"),
    path("baeume/summen/", trees.totals, name="tree_totals"),
    path("baeume/strasse/<str:street>/", trees.street_group, name="tree_street"),
    path("baeume/wasserbedarf/", trees.explanation, name="tree_explanation"),
    path("baeume/<int:pk>/", trees.tree_detail, name="tree_detail"),
    path("baeume/<int:pk>/giessen/", trees.tree_water, name="tree_water"),
    path("baeume/<int:pk>/schild/", trees.tree_sign, name="tree_sign"),
    path("baeume/<int:pk>/pate/", trees.tree_adopt, name="tree_adopt"),
    path("verwaltung/baeume/patenschaften/", trees.staff_grants, name="tree_grants"),
    # Dialoge und Bürgersprechstunden
    path("dialoge/", dialogues.event_list, name="event_list"),
    path("dialoge/anmeldung/<str:token>/", dialogues.registration, name="registration"),
    path("dialoge/jahr/<str:year>/", dialogues.dialogue_year, name="dialogue_year"),
    path(
        "verwaltung/dialoge/jahresplan/<str:year>/",
        dialogues.dialogue_year_staff,
        name="dialogue_year_staff",
    ),
    path(
        "verwaltung/dialoge/jahresplan/<str:year>/plan.pdf",
        dialogues.dialogue_year_pdf,
        name="dialogue_year_pdf",
    ),
    path(
        "verwaltung/dialoge/jahresplan/<str:year>/drucksache/",
        dialogues.dialogue_year_paper,
        name="dialogue_year_paper",
    ),
    path("dialoge/<slug:slug>/", dialogues.event_detail, name="event_detail"),
    path("dialoge/<slug:slug>/termin.ics", dialogues.event_ics, name="event_ics"),
    path("dialoge/<slug:slug>/anmelden/", dialogues.event_register, name="event_register"),
    path("dialoge/<slug:slug>/hinweis/", dialogues.event_hint, name="event_hint"),
    path("verwaltung/dialoge/<slug:slug>/", dialogues.staff_event, name="event_staff"),
    path("verwaltung/dialoge/<slug:slug>/hinweise/", dialogues.staff_publish, name="event_publish"),
    path("verwaltung/dialoge/<slug:slug>/termine/", dialogues.staff_slots, name="event_slots"),
    path(
        "verwaltung/dialoge/<slug:slug>/hinweis/<int:pk>/",
        dialogues.staff_hint,
        name="event_hint_review",
    ),
    # Open311 GeoReport v2
    re_path(r"^open311/discovery" + FMT, open311.discovery, name="open311_discovery"),
    path("open311/v2/", open311_docs, name="open311_root"),
    re_path(r"^open311/v2/services" + FMT, open311.service_list, name="open311_services"),
    re_path(
        r"^open311/v2/services/(?P<code>[\w-]+)" + FMT,
        open311.service_definition,
        name="open311_service",
    ),
    re_path(r"^open311/v2/requests" + FMT, open311.requests_collection, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<request_id>[^/.]+)" + FMT,
        open311.request_detail,
        name="open311_request",
    ),
    re_path(
        r"^open311/v2/tokens/(?P<token>[\w-]+)" + FMT, open311.token_detail, name="open311_token"
    ),
]
