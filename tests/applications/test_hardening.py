"""Issue 14 hardening of the applications module: no demo payments outside demo mode,
registration costs the same for known and new addresses, uploads checked by content."""

import re

import pytest

from rathaus.applications.models import Payment

from .helpers import fill_parking

pytestmark = pytest.mark.django_db


def test_without_a_payment_provider_paying_explains_instead_of_failing(
    client_a, citizen, parking, settings
):
    settings.APPLICATIONS_PAYMENT_PROVIDER = ""  # the production default
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    response = client_a.post(f"/antraege/antrag/{app.key}/bezahlen/")
    assert response.status_code == 200
    assert "Online-Zahlung ist derzeit nicht eingerichtet" in response.content.decode()
    assert not Payment.objects.filter(application=app).exists()


def test_demo_webhook_is_rejected_without_the_demo_provider(client_a, settings):
    settings.APPLICATIONS_PAYMENT_PROVIDERS = {}
    response = client_a.post(
        "/antraege/zahlung/webhook/demo/", b"{}", content_type="application/json"
    )
    assert response.status_code in (400, 403)


# --- registration: known and new addresses cost the same ---------------------------------

REGISTRATION = {
    "first_name": "Max",
    "last_name": "Muster",
    "password1": "Sommer-Regen-2026",
    "password2": "Sommer-Regen-2026",
    "privacy": "on",
}


def _work_of_registration(client, email, monkeypatch):
    """What one registration does: password hashes computed, mails queued after commit."""
    from django.contrib.auth.hashers import get_hasher
    from django.db import transaction

    hasher_class = type(get_hasher("default"))
    original_encode = hasher_class.encode
    work = {"hashes": 0, "after_commit": 0}

    def counting_encode(self, password, salt, *args, **kwargs):
        work["hashes"] += 1
        return original_encode(self, password, salt, *args, **kwargs)

    def counting_on_commit(fn, using=None, robust=False):
        work["after_commit"] += 1
        fn()

    monkeypatch.setattr(hasher_class, "encode", counting_encode)
    monkeypatch.setattr(transaction, "on_commit", counting_on_commit)
    page = client.post("/antraege/konto/registrieren/", {**REGISTRATION, "email": email})
    monkeypatch.undo()
    return work, page.content.decode()


def same_page(page: str, email: str) -> str:
    """The page without the address itself and the (per-response masked) CSRF token."""
    return re.sub(r'value="[A-Za-z0-9]{64}"', "", page.replace(email, "X"))


def test_known_and_new_addresses_do_the_same_work(client_a, citizen, monkeypatch):
    from django.core import mail

    new_work, new_page = _work_of_registration(client_a, "neu@example.org", monkeypatch)
    known_work, known_page = _work_of_registration(client_a, citizen.email, monkeypatch)
    assert new_work == known_work == {"hashes": 1, "after_commit": 1}
    assert same_page(new_page, "neu@example.org") == same_page(known_page, citizen.email)
    assert len(mail.outbox) == 2


# --- application uploads ------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, reason",
    [
        ("jpeg_html_polyglot", "HTML oder Skript"),
        ("png_bomb", "zu viele Bildpunkte"),
        ("broken_pdf", "PDF-Datei ist beschädigt"),
    ],
)
def test_application_upload_fields_refuse_polyglots_bombs_and_broken_pdfs(make, reason):
    from django import forms as django_forms
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rathaus.applications import formengine
    from rathaus.applications.views import MultipleFileField
    from tests.core import test_uploads

    data = (
        b"%PDF-1.7\nnur der Anfang\n%%EOF"
        if make == "broken_pdf"
        else getattr(test_uploads, make)()
    )
    single = formengine.FileField(accept=["application/pdf", "image/jpeg", "image/png"])
    for field in (single, MultipleFileField()):
        with pytest.raises(django_forms.ValidationError) as info:
            field.clean(SimpleUploadedFile("nachweis.jpg", data, "image/jpeg"))
        assert reason in " ".join(info.value.messages)
