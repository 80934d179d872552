"""Fair release (issue 4): the citizens' lottery and waiting-list pages and the lottery API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.appointments.models import Lottery, LotteryEntry, WaitlistEntry

from .conftest import at
from .test_fair_release import closed_lottery, deadlock

pytestmark = pytest.mark.django_db


# --- Citizen pages and API of the lottery ------------------------------------------------------


def open_lottery(town, offer, day):
    draw = closed_lottery(town, offer, day)
    now = timezone.now()
    Lottery.objects.filter(pk=draw.pk).update(
        opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(minutes=14)
    )
    draw.refresh_from_db()
    return draw


def lottery_form(offer, day, **extra):
    return {
        "service": offer.service.slug,
        "locations": [str(offer.resource_id)],
        "days": [day.isoformat()],
        "time_of_day": "any",
        "name": "Erika Mustermann",
        "email": "erika@example.org",
        "phone": "",
        **extra,
    }


def test_lottery_pages_form_check_confirmation(client_a, town_a, offer_a, day):
    draw = open_lottery(town_a, offer_a, day)
    assert "Terminverlosung" in client_a.get("/termine/").content.decode()
    url = f"/termine/verlosung/{draw.pk}/"
    assert "An der Terminverlosung teilnehmen" in client_a.get(url).content.decode()
    invalid = client_a.post(url, {**lottery_form(offer_a, day), "email": "kaputt", "name": ""})
    text = invalid.content.decode()
    assert (
        "Bitte korrigieren Sie Ihre Angaben" in text and "Bitte geben Sie Ihren Namen an." in text
    )
    check = client_a.post(url, {**lottery_form(offer_a, day), "action": "check"})
    text = check.content.decode()
    assert "Bitte prüfen Sie Ihre Angaben" in text and "altcha-widget" in text
    assert 'name="langsam"' in text
    done = client_a.post(url, {**lottery_form(offer_a, day), "action": "submit"})
    assert done.status_code == 302
    assert "Ihre Teilnahme ist eingegangen" in client_a.get(done["Location"]).content.decode()
    again = client_a.post(
        url, {**lottery_form(offer_a, day), "email": "Erika+2@example.org", "action": "submit"}
    )
    assert again.status_code == 409 and "bereits teil" in again.content.decode()
    assert LotteryEntry.objects.filter(lottery=draw).count() == 1


def test_lottery_of_another_town_is_not_found(client_b, town_a, offer_a, day):
    draw = open_lottery(town_a, offer_a, day)
    assert client_b.get(f"/termine/verlosung/{draw.pk}/").status_code == 404
    response = client_b.post(
        f"/api/v1/appointments/lotteries/{draw.pk}/entries",
        {"service": offer_a.service.slug, "name": "A", "email": "a@example.org"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_lottery_form_without_javascript_waits(client_a, town_a, offer_a, day, real_proof):
    draw = open_lottery(town_a, offer_a, day)
    url = f"/termine/verlosung/{draw.pk}/"
    check = client_a.post(url, {**lottery_form(offer_a, day), "action": "check"})
    token = check.context["slow_token"]
    early = client_a.post(url, {**lottery_form(offer_a, day), "action": "submit", "langsam": token})
    assert early.status_code == 400 and "Sekunden" in early.content.decode()
    assert early.context["slow_token"] == token  # the wait counts from the first view
    assert not LotteryEntry.objects.exists()


def test_lottery_api(client_a, town_a, offer_a, day):
    draw = open_lottery(town_a, offer_a, day)
    listed = client_a.get("/api/v1/appointments/lotteries").json()
    assert listed[0]["id"] == draw.pk and offer_a.service.slug in listed[0]["services"]
    body = {
        "service": offer_a.service.slug,
        "resources": [offer_a.resource.slug],
        "days": [day.isoformat()],
        "time_of_day": "afternoon",
        "name": "Max",
        "email": "max@example.org",
    }
    url = f"/api/v1/appointments/lotteries/{draw.pk}/entries"
    assert client_a.post(url, body, content_type="application/json").status_code == 201
    second = client_a.post(url, body, content_type="application/json")
    assert second.status_code == 409 and second.json()["reason"] == "already_entered"
    entry = LotteryEntry.objects.get()
    assert entry.resource_ids == [offer_a.resource_id] and entry.time_of_day == "afternoon"


def test_html_hold_busy_page(client_a, offer_a, day, monkeypatch):
    from rathaus.appointments.services import booking as booking_module

    monkeypatch.setattr(booking_module, "_store", lambda *a, **k: (_ for _ in ()).throw(deadlock()))
    url = f"/termine/leistung/{offer_a.service.slug}/schalter/buchen/"
    response = client_a.post(
        url,
        {
            "start": at(day, 9).isoformat(),
            "personen": 1,
            "name": "Erika",
            "email": "erika@example.org",
            "action": "reserve",
        },
    )
    assert response.status_code == 503 and response["Retry-After"]
    assert "Gerade ist viel los" in response.content.decode()


def test_waitlist_page_join_check_done(client_a, town_b, offer_a):
    url = f"/termine/leistung/{offer_a.service.slug}/warteliste/"
    assert "Warteliste" in client_a.get(url).content.decode()
    assert client_a.get(url, HTTP_HOST="b.test").status_code == 404
    data = {"locations": [str(offer_a.resource_id)], "name": "Max", "email": "max@example.org"}
    check = client_a.post(url, {**data, "action": "check"})
    assert "Bitte prüfen Sie Ihre Angaben" in check.content.decode()
    done = client_a.post(url, {**data, "action": "submit"})
    assert done.status_code == 302
    assert "auf Platz 1" in client_a.get(done["Location"]).content.decode()
    client_a.post(url, {**data, "email": "MAX@example.org", "action": "submit"})
    assert WaitlistEntry.objects.filter(status="waiting").count() == 1  # one place per person


def test_lottery_api_refuses_control_characters(client_a, town_a, offer_a, day):
    """A NUL or a lone surrogate cannot be stored or looked up: 400 with the field, no 500."""
    draw = open_lottery(town_a, offer_a, day)
    url = f"/api/v1/appointments/lotteries/{draw.pk}/entries"
    body = {"service": offer_a.service.slug, "name": "Max", "email": "max@example.org"}
    client_a.raise_request_exception = False
    for field, value in (("name", "Max\x00"), ("email", "\ud800@x.org"), ("resources", ["\x00"])):
        answer = client_a.post(url, {**body, field: value}, content_type="application/json")
        assert answer.status_code == 400, (field, answer.content[:200])
        assert answer.json()["field"] == field and answer.json()["reason"] == "control_characters"
    assert not LotteryEntry.objects.exists()
