"""Apply for a Bewohnerparkausweis as a new user, keyboard only, axe on every page:
register → confirm e-mail → log in → form → check answers → pay (demo provider, real
webhook over HTTP) → confirmation → clerk decides → notice in the Postfach."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from rathaus.applications.models import Application, Payment

from .conftest import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_webhooks(settings):
    settings.APPLICATIONS_DEMO_PAY_WEBHOOKS = True


def fill(page, label, value):
    page.get_by_label(label, exact=True).fill(value)


def press_space_on(page, label):
    page.get_by_label(label, exact=True).focus()
    page.keyboard.press("Space")


def press_button(page, name):
    page.get_by_role("button", name=name, exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check_axe()


def test_new_user_applies_pays_and_receives_notice(
    page, parking, clerk_a, live_webhooks, tmp_path, town_a, live_server
):
    # Mailed links use the town's configured address, never the request's host (issue 14).
    town_a.base_url = live_server.url
    town_a.save()
    page.goto("/antraege/")
    page.check_axe()
    page.goto("/antraege/bewohnerparkausweis-beantragen/")
    page.check_axe()
    link = page.get_by_role("link", name="Konto erstellen")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check_axe()
    fill(page, "Vorname", "Paula")
    fill(page, "Nachname", "Parker")
    fill(page, "E-Mail-Adresse", "paula@example.org")
    fill(page, "Passwort", "Zone-B-Parken-2026")
    fill(page, "Passwort wiederholen", "Zone-B-Parken-2026")
    press_space_on(page, "Ich habe die Datenschutzhinweise gelesen. (Datenschutz)")
    press_button(page, "Konto erstellen")
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in page.content()

    confirm = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    # The link names the town's configured address, never the request's host.
    assert confirm.startswith(town_a.base_url + "/")
    page.goto(urlsplit(confirm).path)
    page.check_axe()
    fill(page, "E-Mail-Adresse", "paula@example.org")
    fill(page, "Passwort", "Zone-B-Parken-2026")
    press_button(page, "Anmelden")

    page.goto("/antraege/bewohnerparkausweis-beantragen/")
    press_button(page, "Antrag beginnen")
    assert page.get_by_label("Vorname", exact=True).input_value() == "Paula"  # prefilled
    page.get_by_label("Anrede").select_option("frau")
    fill(page, "Geburtsdatum", "1985-03-14")
    press_button(page, "Weiter")
    fill(page, "Straße und Hausnummer", "Lindenstraße 5")
    fill(page, "Postleitzahl", "1446")  # wrong on purpose: error summary
    fill(page, "Ort", "Musterstadt")
    press_button(page, "Weiter")
    assert "Bitte korrigieren Sie Ihre Angaben" in page.content()
    fill(page, "Postleitzahl", "14467")
    press_button(page, "Weiter")
    fill(page, "Amtliches Kennzeichen", "p ab 123")
    page.get_by_label("Bewohnerparkzone").select_option("B")
    press_space_on(page, "Ich selbst")
    document = tmp_path / "fahrzeugschein.pdf"
    document.write_bytes(PDF_BYTES)
    page.get_by_label("Zulassungsbescheinigung Teil I (Fahrzeugschein)").set_input_files(document)
    press_button(page, "Weiter")
    press_space_on(page, "12 Monate")
    fill(page, "Gültig ab", (timezone.localdate() + timedelta(days=2)).isoformat())
    press_button(page, "Weiter")
    press_button(page, "Weiter")  # contact step: e-mail prefilled
    assert "Prüfen Sie Ihre Angaben" in page.content()
    assert "P-AB 123" in page.content()
    press_button(page, "Absenden und bezahlen")
    press_button(page, "Jetzt bezahlen")
    assert "Demo-Zahlungsdienst" in page.content()
    fill(page, "Kartennummer", "4444 3333 2222 1111")
    fill(page, "Gültig bis (MM/JJ)", "12/30")
    fill(page, "Name auf der Karte", "Paula Parker")
    fill(page, "Prüfnummer (CVC)", "123")
    press_button(page, "Jetzt bezahlen")
    assert "Ihr Antrag ist eingegangen" in page.content()
    app = Application.objects.get()
    assert app.reference in page.content()
    payment = Payment.objects.get()
    assert payment.status == "success"
    assert set(payment.events.values_list("source", flat=True)) >= {"webhook"}

    # the clerk decides
    page.goto("/")
    page.get_by_role("button", name="Abmelden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto("/anmelden/?next=/antraege/verwaltung/")
    fill(page, "E-Mail-Adresse", clerk_a.email)
    fill(page, "Passwort", "geheim-123!")
    press_button(page, "Anmelden")
    assert app.reference in page.content()
    page.get_by_role("link", name=app.reference).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check_axe()
    press_space_on(page, "bewilligt")
    fill(page, "Begründung und Nebenbestimmungen", "Der Ausweis gilt in Zone B.")
    press_button(page, "Bescheid erstellen und zustellen")
    assert "Bescheid erstellt" in page.content()

    # the citizen finds the notice in the Postfach
    page.get_by_role("button", name="Abmelden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto("/anmelden/?next=/antraege/postfach/")
    fill(page, "E-Mail-Adresse", "paula@example.org")
    fill(page, "Passwort", "Zone-B-Parken-2026")
    press_button(page, "Anmelden")
    page.get_by_role("link", name=re.compile("Bescheid zu Ihrem Antrag")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check_axe()
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Bescheid-{app.reference}.pdf").focus()
        page.keyboard.press("Enter")
    assert download.value.path().read_bytes()[:4] == b"%PDF"


STAFF_PAGES = ["/antraege/verwaltung/", "/antraege/verwaltung/?open=all&q=x"]
CITIZEN_PAGES = [
    "/antraege/",
    "/antraege/postfach/",
    "/antraege/konto/",
    "/antraege/konto/zweiter-faktor/einrichten/",
]
PUBLIC_PAGES = [
    "/antraege/konto/registrieren/",
    "/antraege/konto/passwort-vergessen/",
    "/antraege/sperrmuell-anmelden/",
    "/anmelden/",
]


def _login(page, email, password):
    page.goto("/anmelden/")
    fill(page, "E-Mail-Adresse", email)
    fill(page, "Passwort", password)
    press_button(page, "Anmelden")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_axe_clean(page, bulky, path):
    page.goto(path)
    page.check_axe()


def test_citizen_and_clerk_pages_axe_clean(page, citizen, clerk_a, parking, bulky):
    _login(page, citizen.email, "geheim-123!")
    for path in CITIZEN_PAGES:
        page.goto(path)
        page.check_axe()
    # a step with radios, checkboxes and a conditional field (guest flow of Sperrmüll)
    page.goto("/antraege/sperrmuell-anmelden/")
    press_button(page, "Antrag beginnen")
    press_button(page, "Weiter")  # name prefilled from the account
    fill(page, "Straße und Hausnummer", "Lindenstraße 5")
    fill(page, "Postleitzahl", "14467")
    fill(page, "Ort", "Musterstadt")
    press_button(page, "Weiter")
    assert page.url.endswith("/abholung/")
    # the conditional field appears only when "Elektrogroßgeräte" is ticked
    assert page.get_by_label("Anzahl Kühl- und Gefriergeräte").is_hidden()
    press_space_on(page, "Elektrogroßgeräte (Kühlschrank, Waschmaschine)")
    assert page.get_by_label("Anzahl Kühl- und Gefriergeräte").is_visible()
    page.get_by_role("button", name="Abmelden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _login(page, clerk_a.email, "geheim-123!")
    for path in STAFF_PAGES:
        page.goto(path)
        page.check_axe()
