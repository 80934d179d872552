"""Pick-up appointments (ADR 0029): "ready" mail with a signed link, a short slot at the
right location, linked to the case; walk-in hours as the alternative; wrong ways in."""

import re
from datetime import time

import pytest
from django.core import mail, signing
from django.utils import timezone

from rathaus.applications import pickup, services
from rathaus.applications.models import Application, CaseEvent, FormDefinition
from rathaus.appointments.models import Booking
from rathaus.core.models import Location, Office, OpeningHours, Role
from tests.appointments.conftest import make_offer
from tests.conftest import make_staff

from .helpers import fill_parking

pytestmark = pytest.mark.django_db


@pytest.fixture
def pickup_service(town_a, parking, verkehr_a):
    """An "Abholung" service with 5-minute slots at the Verkehr office's own location and,
    as a decoy, at the Bürgerbüro; the parking form names it as its pick-up service."""
    from tests.appointments.conftest import make_service as make_appointment_service

    service = make_appointment_service(town_a, "abholung", "Abholung von Dokumenten")
    buergerbuero = Location.objects.for_municipality(town_a).get(slug="a-mitte")
    own = Location.objects.create(
        municipality=town_a,
        office=verkehr_a,
        slug="a-verkehr-haus",
        name="Verkehrsamt Haus 2",
        street="Amtsweg 2",
        postcode="14999",
        city="Musterstadt-A",
    )
    for day in range(5):  # pick-up without appointment: Mon–Fri 07:30–08:30
        OpeningHours.objects.create(
            location=own, kind=OpeningHours.Kind.WALK_IN, weekday=day, opens=time(7, 30),
            closes=time(8, 30),
        )  # fmt: skip
    make_offer(town_a, service, location=buergerbuero, slug="bb-abholung", duration_units=1)
    offer = make_offer(town_a, service, location=own, slug="va-abholung", duration_units=1)
    FormDefinition.objects.filter(service=parking).update(pickup_service=service)
    return offer


@pytest.fixture
def case(client_a, citizen, parking):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    app.refresh_from_db()
    client_a.logout()
    return app


def link_from_mail() -> str:
    return re.search(r"http://\S+/antraege/abholung/(\S+)/", mail.outbox[-1].body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_marking_ready_sends_one_mail_with_a_link_from_the_town(
    client_a, case, clerk_a, pickup_service, town_a
):
    town_a.base_url = "https://rathaus.musterstadt-a.de"
    town_a.mail_sender = "buergerservice@musterstadt-a.de"
    town_a.save()
    mail.outbox.clear()
    client_a.force_login(clerk_a)
    url = f"/antraege/verwaltung/vorgang/{case.reference}/abholbereit/"
    client_a.post(url)
    client_a.post(url)  # a double click, or a colleague: still one mail
    assert services.mark_ready_for_pickup(case, actor=clerk_a) is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert case.reference in message.subject
    assert "buergerservice@musterstadt-a.de" in message.from_email
    assert "https://rathaus.musterstadt-a.de/antraege/abholung/" in message.body
    assert "07:30–08:30 Uhr" in message.body  # the walk-in hours at the pick-up location
    assert "Verkehrsamt Haus 2, Amtsweg 2" in message.body
    assert CaseEvent.objects.filter(application=case, text__startswith="Liegt zur").count() == 1


def test_the_link_books_a_slot_at_the_right_location_linked_to_the_case(
    client_a, case, clerk_a, citizen, pickup_service
):
    services.mark_ready_for_pickup(case, actor=clerk_a)
    path = path_of(link_from_mail())
    page = client_a.get(path)  # a guest browser: the link itself is the key
    html = page.content.decode()
    assert page.status_code == 200 and case.reference in html
    assert "Verkehrsamt Haus 2" in html  # the office's own location, not the Bürgerbüro
    start = re.search(r'name="beginn" value="([^"]+)"', html).group(1)
    response = client_a.post(path, {"beginn": start})
    assert response.status_code == 302
    case.refresh_from_db()
    booking = case.pickup_booking
    assert booking.status == "confirmed" and booking.resource.slug == "va-abholung"
    assert booking.email == citizen.email and booking.name == "Erika Mustermann"
    assert booking.units == 1
    # single purpose: the page now shows the booking; a second post books nothing more
    html = client_a.get(path).content.decode()
    assert booking.code in html and 'name="beginn"' not in html
    client_a.post(path, {"beginn": start})
    assert Booking.objects.filter(service=pickup_service.service).count() == 1
    # the clerk sees it on the case
    client_a.force_login(clerk_a)
    view = client_a.get(f"/antraege/verwaltung/vorgang/{case.reference}/").content.decode()
    assert booking.code in view and "Verkehrsamt Haus 2" in view


def test_without_a_pick_up_service_the_page_shows_the_walk_in_hours(
    client_a, case, clerk_a, verkehr_a, town_a
):
    Location.objects.filter(slug="a-mitte").update(office=verkehr_a)
    services.mark_ready_for_pickup(case, actor=clerk_a)
    html = client_a.get(path_of(link_from_mail())).content.decode()
    assert "Abholen ohne Termin" in html and "08:00–09:00 Uhr" in html
    assert 'name="beginn"' not in html


@pytest.mark.parametrize(
    "bad",
    ["", "morgen", "2026-13-45T10:00", "２０２６-01-01T10:00+01:00", "1999-01-01T10:00+01:00"],
)
def test_a_bad_or_taken_time_is_a_german_message_not_a_500(
    client_a, case, clerk_a, pickup_service, bad
):
    services.mark_ready_for_pickup(case, actor=clerk_a)
    path = path_of(link_from_mail())
    response = client_a.post(path, {"beginn": bad})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert Application.objects.get(pk=case.pk).pickup_booking is None


def test_wrong_ways_in_are_404(client_a, client, case, clerk_a, pickup_service, town_b):
    services.mark_ready_for_pickup(case, actor=clerk_a)
    path = path_of(link_from_mail())
    token = path.rstrip("/").rsplit("/", 1)[1]
    # a tampered signature
    assert client_a.get(path.replace(token, token[:-2] + "xy")).status_code == 404
    # a token signed for another purpose (same key, other salt)
    other = signing.dumps({"k": str(case.key), "m": case.municipality_id}, salt="x", compress=True)
    assert client_a.get(f"/antraege/abholung/{other}/").status_code == 404
    # another town's host
    client.defaults["HTTP_HOST"] = "b.test"
    assert client.get(path).status_code == 404
    client.defaults["HTTP_HOST"] = "a.test"
    # another citizen, logged in, with this citizen's link
    other_citizen = make_staff(town_b, "nachbar@example.org", Role.CLERK)
    other_citizen.is_staff = False
    other_citizen.save()
    client_a.force_login(other_citizen)
    assert client_a.get(path).status_code == 404
    assert client_a.post(path, {"beginn": "2030-01-01T10:00+01:00"}).status_code == 404
    assert Application.objects.get(pk=case.pk).pickup_booking is None


def test_a_link_for_a_case_not_ready_or_anonymised_is_404(client_a, case, clerk_a, pickup_service):
    token = pickup.make_token(case)  # signed, but the case was never marked ready
    assert client_a.get(f"/antraege/abholung/{token}/").status_code == 404
    services.mark_ready_for_pickup(case, actor=clerk_a)
    assert client_a.get(f"/antraege/abholung/{token}/").status_code == 200
    Application.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())
    assert client_a.get(f"/antraege/abholung/{token}/").status_code == 404


def test_the_mail_task_carries_only_the_id_and_skips_anonymised_cases(
    case, clerk_a, pickup_service, settings
):
    from django_tasks_db.models import DBTaskResult

    from rathaus.applications.tasks import send_pickup_mail

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    services.mark_ready_for_pickup(case, actor=clerk_a)
    rows = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    assert any(path.endswith("send_pickup_mail") for path, _ in rows)
    assert all(case.contact_email not in str(args) for _, args in rows)
    services.anonymise(case)
    mail.outbox.clear()
    send_pickup_mail.call(case.pk)  # what the worker would run now
    assert mail.outbox == []


def test_a_draft_cannot_be_marked_ready(client_a, citizen, parking, clerk_a):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    with pytest.raises(services.ApplicationError):
        services.mark_ready_for_pickup(app, actor=clerk_a)
    assert Office.objects.exists()
