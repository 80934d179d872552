"""Issue 25: a catalog editor builds a small form in the builder (two steps, a condition,
a fee rule, an upload) at 320 px by keyboard, axe on every page, previews and publishes
it; then a citizen fills and submits it and pays: the fee shown is the fee charged."""

import re

import pytest

from rathaus.applications.models import Application, FormDefinition, Payment
from tests.browser.keyboard import NO_SIDEWAYS_SCROLL

from .conftest import PDF_BYTES, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "sondernutzung-beantragen"


def check(page):
    page.wait_for_load_state()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"sideways scrolling on {page.url}"
    page.check_axe()


def by_label(page, label):
    """An input by its label; optional ones say so after the label ("– optional")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( – optional)?$"))


def fill(page, label, value):
    by_label(page, label).fill(value)


def press(page, role, name):
    """Focus a button or link and press Enter: the keyboard path, then check the page.
    A name "Text: context" matches the visible text plus its visually hidden context."""
    if ": " in name:
        head, tail = name.split(": ", 1)
        wanted = re.compile(rf"^{re.escape(head)}\s*:\s*{re.escape(tail)}$")
        page.get_by_role(role, name=wanted).first.focus()
    else:
        page.get_by_role(role, name=name, exact=True).first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check(page)


def space(page, label):
    by_label(page, label).focus()
    page.keyboard.press("Space")


def login(page, email):
    page.goto("/anmelden/")
    fill(page, "E-Mail-Adresse", email)
    fill(page, "Passwort", "geheim-123!")
    press(page, "button", "Anmelden")


def logout(page):
    press(page, "button", "Abmelden")


def test_editor_builds_and_publishes_then_citizen_submits_and_pays(
    page, town_a, editor_a, citizen, tmp_path, settings
):
    settings.APPLICATIONS_DEMO_PAY_WEBHOOKS = False  # the return page asks the provider
    make_service(town_a, SLUG, name="Sondernutzung beantragen")
    page.set_viewport_size({"width": 320, "height": 800})

    # --- the catalog editor builds the form ------------------------------------------------
    login(page, editor_a.email)
    page.goto("/verwaltung/")
    press(page, "link", "Online-Formulare bauen")
    press(page, "button", "Formular anlegen: Sondernutzung beantragen")
    assert "Neues Formular" in page.content()

    # step 1: rename, two fields (a choice and a number)
    press(page, "link", "Schritt bearbeiten und Felder hinzufügen: Ihre Angaben")
    fill(page, "Titel des Schritts", "Ihr Vorhaben")
    press(page, "button", "Schritt speichern")
    press(page, "link", "Schritt bearbeiten und Felder hinzufügen: Ihr Vorhaben")
    fill(page, "Beschriftung des neuen Felds", "Art der Nutzung")
    page.get_by_label("Feldtyp").select_option("radio")
    press(page, "button", "Feld hinzufügen")
    fill(page, "Auswahlwerte", "stand = Infostand\ngeruest = Gerüst")
    press(page, "button", "Feld speichern")
    fill(page, "Beschriftung des neuen Felds", "Tage")
    page.get_by_label("Feldtyp").select_option("number")
    press(page, "button", "Feld hinzufügen")
    fill(page, "Beschriftung", "Wie viele Tage?")
    fill(page, "Kleinster Wert", "5")
    fill(page, "Größter Wert", "1")  # wrong on purpose: the error summary
    press(page, "button", "Feld speichern")
    assert "Bitte korrigieren Sie Ihre Angaben" in page.content()
    page.get_by_role("link", name=re.compile("Der größte Wert liegt unter dem kleinsten")).focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_max"
    fill(page, "Kleinster Wert", "1")
    fill(page, "Größter Wert", "30")
    press(page, "button", "Feld speichern")
    press(page, "link", "Zurück zum Formular")

    # step 2: an upload, shown only for scaffolding (a condition)
    fill(page, "Titel des neuen Schritts", "Nachweise")
    press(page, "button", "Schritt hinzufügen")
    fill(page, "Beschriftung des neuen Felds", "Lageplan")
    page.get_by_label("Feldtyp").select_option("file")
    press(page, "button", "Feld hinzufügen")
    by_label(page, "Nur zeigen, wenn diese Antwort …").select_option("art_der_nutzung")
    fill(page, "… einen dieser Werte hat", "geruest")
    press(page, "button", "Feld speichern")
    press(page, "link", "Zurück zum Formular")
    assert "nur wenn „art_der_nutzung“ = geruest" in page.content()

    # the fee rule: 4.50 € per day, for scaffolding only
    press(page, "link", "Gebühren und Regeln bearbeiten")
    fill(page, "Bezeichnung", "Gerüst je Tag")
    fill(page, "Betrag in Euro", "4,50")
    by_label(page, "Gilt nur, wenn die Antwort …").select_option("art_der_nutzung")
    fill(page, "… einen dieser Werte hat", "geruest")
    by_label(page, "Je Einheit der Zahl").select_option("tage")
    fill(page, "abzüglich", "0")
    press(page, "button", "Gebühren speichern")
    assert "Gerüst je Tag: 4.50 €" in page.content()

    # settings: guests may apply, the documents to bring
    space(page, "Antrag ohne Konto möglich")
    fill(page, "Erforderliche Unterlagen", "Lageplan des Gerüsts")
    press(page, "button", "Einstellungen speichern")

    # preview as a citizen: the citizen renderer, the fee computed from the rule
    press(page, "link", "Vorschau als Bürgerin oder Bürger")
    space(page, "Gerüst")
    fill(page, "Wie viele Tage?", "3")
    press(page, "button", "Weiter")
    upload = tmp_path / "lageplan.pdf"
    upload.write_bytes(PDF_BYTES)
    by_label(page, "Lageplan").set_input_files(upload)
    press(page, "button", "Weiter")
    assert "Gerüst je Tag (× 3)" in page.content() and "13,50 €" in page.content()
    press(page, "link", "Zurück zum Formular")

    press(page, "button", "Als neue Version veröffentlichen")
    assert "Version 1 ist veröffentlicht" in page.content()
    form = FormDefinition.objects.get(service__slug=SLUG, state="published")
    assert [s["key"] for s in form.schema["steps"]] == ["angaben", "nachweise"]
    logout(page)

    # --- a citizen fills and submits it ------------------------------------------------------
    login(page, citizen.email)
    page.goto(f"/antraege/{SLUG}/")
    check(page)
    press(page, "button", "Antrag beginnen")
    space(page, "Gerüst")
    fill(page, "Wie viele Tage?", "3")
    press(page, "button", "Weiter")
    by_label(page, "Lageplan").set_input_files(upload)
    press(page, "button", "Weiter")
    content = page.content()
    assert "Prüfen Sie Ihre Angaben" in content
    shown = re.search(r"Zu zahlen.*?(\d+,\d\d) €", content, re.S).group(1)
    assert shown == "13,50"
    press(page, "button", "Absenden und bezahlen")
    press(page, "button", "Jetzt bezahlen")
    fill(page, "Kartennummer", "4444 3333 2222 1111")
    fill(page, "Gültig bis (MM/JJ)", "12/30")
    fill(page, "Name auf der Karte", "Erika Mustermann")
    fill(page, "Prüfnummer (CVC)", "123")
    press(page, "button", "Jetzt bezahlen")
    assert "Ihr Antrag ist eingegangen" in page.content()
    app = Application.objects.get()
    payment = Payment.objects.get()
    assert app.form_id == form.pk and app.state == "submitted"
    assert app.fee_cents == 1350 == payment.amount_cents
    assert payment.status == "success"
