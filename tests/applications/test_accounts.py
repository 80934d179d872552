"""Citizen account: registration with e-mail confirmation, 2FA with recovery codes, reset."""

import re

import pyotp
import pytest
from django.core import mail
from django.utils import timezone

from rathaus.applications.models import RecoveryCode, TotpDevice
from rathaus.core.models import User

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "first_name": "Max",
    "last_name": "Muster",
    "email": "Max@Example.org",
    "password1": "Sommer-Regen-2026",
    "password2": "Sommer-Regen-2026",
    "privacy": "on",
}


def _link(body):
    return re.search(r"https?://[^/\s]+(/\S+)", body).group(1)


def test_register_confirm_and_login(client_a):
    response = client_a.post("/antraege/konto/registrieren/", REGISTRATION)
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in response.content.decode()
    user = User.objects.get(email="max@example.org")
    assert not user.is_active
    assert client_a.login(username="max@example.org", password="Sommer-Regen-2026") is False
    link = _link(mail.outbox[-1].body)
    assert client_a.get(link)["Location"] == "/anmelden/"
    user.refresh_from_db()
    assert user.is_active
    assert client_a.get(link).status_code == 400  # used once
    response = client_a.post(
        "/anmelden/", {"username": "max@example.org", "password": "Sommer-Regen-2026"}
    )
    assert response.status_code == 302


def test_tampered_activation_link_reveals_nothing(client_a):
    client_a.post("/antraege/konto/registrieren/", REGISTRATION)
    link = _link(mail.outbox[-1].body)
    assert client_a.get(link[:-3] + "xyz/").status_code == 400
    assert client_a.get("/antraege/konto/bestaetigen/Zm9v/abc-def/").status_code == 400


def test_registration_errors_in_german_and_no_account_enumeration(client_a, citizen):
    page = client_a.post(
        "/antraege/konto/registrieren/", {**REGISTRATION, "password2": "x", "privacy": ""}
    ).content.decode()
    assert "Die Passwörter stimmen nicht überein." in page
    assert "Bitte bestätigen Sie die Datenschutzhinweise." in page
    mail.outbox.clear()
    page = client_a.post(
        "/antraege/konto/registrieren/", {**REGISTRATION, "email": citizen.email}
    ).content.decode()
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in page  # same answer as for a new address
    assert mail.outbox[-1].subject == "Sie haben bereits ein Konto"


def test_password_reset_in_german(client_a, citizen):
    page = client_a.get("/antraege/konto/passwort-vergessen/").content.decode()
    assert "Passwort zurücksetzen" in page
    client_a.post("/antraege/konto/passwort-vergessen/", {"email": citizen.email})
    assert mail.outbox[-1].subject == "Passwort zurücksetzen"
    link = _link(mail.outbox[-1].body)
    response = client_a.get(link)
    response = client_a.post(
        response["Location"],
        {"new_password1": "Neues-Passwort-77", "new_password2": "Neues-Passwort-77"},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("Neues-Passwort-77")


def _enable_2fa(client, user):
    client.force_login(user)
    client.get("/antraege/konto/zweiter-faktor/einrichten/")
    device = TotpDevice.objects.get(user=user)
    page = client.post(
        "/antraege/konto/zweiter-faktor/einrichten/", {"code": pyotp.TOTP(device.secret).now()}
    ).content.decode()
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", page)
    assert len(codes) == 10
    client.logout()
    device.refresh_from_db()
    return device, codes


def _password_step(client, user):
    response = client.post("/anmelden/", {"username": user.email, "password": "geheim-123!"})
    assert response["Location"] == "/antraege/konto/zweiter-faktor/"
    assert "_auth_user_id" not in client.session  # not logged in yet


def test_second_factor_with_totp_and_no_replay(client_a, citizen):
    device, _ = _enable_2fa(client_a, citizen)
    _password_step(client_a, citizen)
    page = client_a.post("/antraege/konto/zweiter-faktor/", {"code": "000000"}).content.decode()
    assert "Der Code ist falsch oder abgelaufen." in page
    # a fresh code (the setup used the current one, which may not be replayed)
    step = int(timezone.now().timestamp() // 30) + 1
    code = pyotp.TOTP(device.secret).at(step * 30)
    response = client_a.post("/antraege/konto/zweiter-faktor/", {"code": code})
    assert response.status_code == 302
    assert "_auth_user_id" in client_a.session
    client_a.logout()
    _password_step(client_a, citizen)
    response = client_a.post("/antraege/konto/zweiter-faktor/", {"code": code})
    assert response.status_code == 200  # replay refused


def test_recovery_code_works_once(client_a, citizen):
    _, codes = _enable_2fa(client_a, citizen)
    _password_step(client_a, citizen)
    assert client_a.post("/antraege/konto/zweiter-faktor/", {"code": codes[0]}).status_code == 302
    client_a.logout()
    _password_step(client_a, citizen)
    assert client_a.post("/antraege/konto/zweiter-faktor/", {"code": codes[0]}).status_code == 200
    assert RecoveryCode.objects.filter(user=citizen, used_at__isnull=True).count() == 9


def test_second_factor_step_is_rate_limited(client_a, citizen):
    _enable_2fa(client_a, citizen)
    _password_step(client_a, citizen)
    for _ in range(5):
        client_a.post("/antraege/konto/zweiter-faktor/", {"code": "111111"})
    assert client_a.post("/antraege/konto/zweiter-faktor/", {"code": "111111"}).status_code == 429


def test_data_export_contains_own_data_only(client_a, citizen, parking):
    from .helpers import fill_parking

    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    response = client_a.get("/antraege/konto/meine-daten.json")
    data = response.json()["sections"]
    assert data["core.account"]["records"][0]["E-Mail-Adresse"] == citizen.email
    answers = data["applications.cases"]["records"][0]["Angaben"]
    assert answers["kennzeichen"] == "P-AB 123"
    other = User.objects.create_user("x@example.org", "geheim-123!")
    client_a.force_login(other)
    data = client_a.get("/antraege/konto/meine-daten.json").json()["sections"]
    assert data["applications.cases"]["records"] == []
