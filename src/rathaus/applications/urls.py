from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from rathaus.core.ratelimit import ratelimit

from . import (
    account_privacy,
    accounts,
    booking_fees,
    builder_views,
    clerk,
    demopay,
    pickup_views,
    views,
)
from .accounts_forms import KernPasswordResetForm, KernSetPasswordForm

app_name = "applications"

account_urls = [
    path("konto/", views.account, name="account"),
    path("konto/registrieren/", accounts.register, name="register"),
    path("konto/bestaetigen/<uidb64>/<token>/", accounts.activate, name="activate"),
    path("konto/zweiter-faktor/", accounts.two_factor, name="two_factor"),
    path("konto/zweiter-faktor/einrichten/", accounts.two_factor_setup, name="two_factor_setup"),
    path(
        "konto/zweiter-faktor/ausschalten/", accounts.two_factor_disable, name="two_factor_disable"
    ),
    path("konto/meine-daten.json", account_privacy.data_export_json, name="data_export"),
    path("konto/meine-daten.zip", account_privacy.data_export_zip, name="data_export_zip"),
    path("konto/loeschen/", account_privacy.delete_account, name="delete_account"),
    path("konto/geloescht/", account_privacy.account_deleted, name="account_deleted"),
    path("konto/oidc/<slug:slug>/", accounts.oidc_login, name="oidc_login"),
    path("konto/oidc-rueckkehr/", accounts.oidc_callback, name="oidc_callback"),
    path(
        "konto/passwort-vergessen/",
        ratelimit("password-reset", 10, 3600)(
            accounts.TownPasswordResetView.as_view(
                template_name="applications/konto/password_reset.html",
                email_template_name="applications/email/password_reset.txt",
                subject_template_name="applications/email/password_reset_subject.txt",
                form_class=KernPasswordResetForm,
                success_url=reverse_lazy("applications:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "konto/passwort-vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="applications/konto/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "konto/passwort-neu/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="applications/konto/password_reset_confirm.html",
            form_class=KernSetPasswordForm,
            success_url=reverse_lazy("applications:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "konto/passwort-neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="applications/konto/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

citizen_urls = [
    path("", views.index, name="index"),
    path("postfach/", views.mailbox, name="mailbox"),
    path("postfach/<int:pk>/", views.message_detail, name="message"),
    path("datei/<int:pk>/", views.download, name="download"),
    path("antrag/<uuid:key>/schritt/<slug:step_key>/", views.step, name="step"),
    path("antrag/<uuid:key>/pruefen/", views.check, name="check"),
    path("antrag/<uuid:key>/absenden/", views.ratelimited_submit, name="submit"),
    path("antrag/<uuid:key>/verwerfen/", views.discard_draft, name="discard"),
    path("antrag/<uuid:key>/bezahlen/", views.pay, name="pay"),
    path("antrag/<uuid:key>/bezahlen/zurueck/", views.pay_return, name="pay_return"),
    path("antrag/<uuid:key>/bestaetigung/", views.confirmation, name="confirmation"),
    path("antrag/<uuid:key>/", views.detail, name="detail"),
    path("zahlung/webhook/<slug:provider>/", views.payment_webhook, name="payment_webhook"),
    path("termingebuehr/<str:token>/", booking_fees.pay, name="booking_fee"),
    path("abholung/<str:token>/", pickup_views.page, name="pickup"),
    path("termingebuehr/<str:token>/zurueck/", booking_fees.pay_return, name="booking_fee_return"),
    path("demo-pay/<str:token>/", demopay.hosted_page, name="demo_pay"),
]

clerk_urls = [
    path("verwaltung/", clerk.inbox, name="inbox"),
    path("verwaltung/vorgang/<str:reference>/", clerk.case_detail, name="case"),
    path("verwaltung/vorgang/<str:reference>/uebernehmen/", clerk.my_assign, name="take"),
    path(
        "verwaltung/vorgang/<str:reference>/abholbereit/",
        clerk.ready_for_pickup,
        name="case_pickup",
    ),
    path(
        "verwaltung/vorgang/<str:reference>/<slug:action>/", clerk.case_action, name="case_action"
    ),
]

B = "verwaltung/formulare/"
builder_urls = [
    path(B, builder_views.index, name="builder_index"),
    path(B + "<slug:slug>/", builder_views.edit, name="builder"),
    path(B + "<slug:slug>/anlegen/", builder_views.open_draft, name="builder_open"),
    path(B + "<slug:slug>/aendern/", builder_views.action, name="builder_action"),
    path(B + "<slug:slug>/schritt/<slug:key>/", builder_views.step, name="builder_step"),
    path(B + "<slug:slug>/feld/<slug:name>/", builder_views.field, name="builder_field"),
    path(B + "<slug:slug>/gebuehren/", builder_views.fees, name="builder_fees"),
    path(B + "<slug:slug>/vorschau/", builder_views.preview, name="builder_preview"),
    path(
        B + "<slug:slug>/vorschau/pruefen/",
        builder_views.preview_check,
        name="builder_preview_check",
    ),
    path(
        B + "<slug:slug>/vorschau/<slug:key>/",
        builder_views.preview,
        name="builder_preview_step",
    ),
    path(B + "<slug:slug>/veroeffentlichen/", builder_views.publish, name="builder_publish"),
    path(B + "<slug:slug>/verwerfen/", builder_views.discard, name="builder_discard"),
]

urlpatterns = [
    *builder_urls,
    *account_urls,
    *citizen_urls,
    *clerk_urls,
    # last: the start page of a service's form, by the catalog slug
    path("<slug:slug>/", views.start, name="start"),
]
