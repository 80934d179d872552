"""Dialogues: double opt-in, capacity, waiting list and promotion, hints published afterwards."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.core.models import Role
from rathaus.participation.dialogues import services
from rathaus.participation.dialogues.models import DialogueEvent, EventTopic, Hint, Registration
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(town_a):
    start = timezone.now() + timedelta(days=7)
    event = DialogueEvent.objects.create(
        municipality=town_a,
        kind="dialogue",
        slug="drewitz",
        title="Stadtteildialog Drewitz",
        venue="Begegnungszentrum",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=2,
    )
    EventTopic.objects.create(event=event, title="Wohnen", position=1)
    EventTopic.objects.create(event=event, title="Ordnung & Sicherheit", position=2)
    return event


def link(mail):
    return re.search(r"(/beteiligung/dialoge/anmeldung/[^/\s]+/)", mail.body).group(1)


def test_double_opt_in_capacity_waiting_list(client_a, event, mailoutbox):
    for n in range(3):
        response = client_a.post(
            "/beteiligung/dialoge/drewitz/anmelden/",
            {"name": f"Person {n}", "email": f"p{n}@example.org"},
        )
        assert "bestätigen" in response.content.decode()
    assert Registration.objects.filter(status="unconfirmed").count() == 3
    links = [link(m) for m in mailoutbox]
    for url in links:
        assert client_a.get(url).status_code == 200  # viewing does not confirm (mail scanners)
    assert not Registration.objects.exclude(status="unconfirmed").exists()
    for url in links:
        client_a.post(url, {"action": "confirm"})
        client_a.post(url, {"action": "confirm"})  # double click changes nothing
    statuses = list(Registration.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert "Warteliste" in mailoutbox[-1].body
    client_a.post(links[0], {"action": "cancel"})
    statuses = list(Registration.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["cancelled", "confirmed", "confirmed"]
    assert mailoutbox[-1].to == ["p2@example.org"] and "angemeldet" in mailoutbox[-1].body


def test_same_address_twice_is_one_registration(event):
    services.register(event, name="A", email="a@example.org")
    services.register(event, name="A", email="A@example.org ")
    assert Registration.objects.count() == 1


def test_no_registration_after_start(event):
    event.starts_at = timezone.now() - timedelta(hours=1)
    event.save()
    with pytest.raises(Exception, match="keine Anmeldung"):
        services.register(event, name="A", email="a@example.org")


def test_tampered_or_foreign_token(client_a, event, town_b):
    registration = services.register(event, name="A", email="a@example.org")
    assert client_a.get("/beteiligung/dialoge/anmeldung/falsch/").status_code == 404
    other = Client(HTTP_HOST="b.test")
    assert other.get(f"/beteiligung/dialoge/anmeldung/{registration.token}/").status_code == 404


def test_hints_published_only_after_review(client_a, event, town_a):
    topic = event.topics.first()
    response = client_a.post(
        "/beteiligung/dialoge/drewitz/hinweis/", {"topic": topic.pk, "text": "Mehr Bänke am Platz"}
    )
    assert response.status_code == 302
    client_a.post("/beteiligung/dialoge/drewitz/hinweis/", {"topic": topic.pk, "text": "Spam"})
    assert "Mehr Bänke" not in client_a.get("/beteiligung/dialoge/drewitz/").content.decode()
    staff = Client(HTTP_HOST="a.test")
    staff.force_login(make_staff(town_a, "m@a.test", Role.MODERATOR))
    good, spam = Hint.objects.order_by("id")
    staff.post(
        f"/beteiligung/verwaltung/dialoge/drewitz/hinweis/{good.pk}/",
        {"status": "accepted", "answer": "Bänke sind bestellt."},
    )
    staff.post(f"/beteiligung/verwaltung/dialoge/drewitz/hinweis/{spam.pk}/", {"status": "hidden"})
    staff.post("/beteiligung/verwaltung/dialoge/drewitz/hinweise/", {"summary": "42 Hinweise"})
    page = client_a.get("/beteiligung/dialoge/drewitz/").content.decode()
    assert "Mehr Bänke" in page and "Bänke sind bestellt." in page and "Spam" not in page


def test_staff_page_needs_moderator(client_a, event, citizen):
    client_a.force_login(citizen)
    assert client_a.get("/beteiligung/verwaltung/dialoge/drewitz/").status_code == 403


def test_event_calendar_file(client_a, event):
    response = client_a.get("/beteiligung/dialoge/drewitz/termin.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:Stadtteildialog Drewitz" in body
    assert "LOCATION:Begegnungszentrum" in body
