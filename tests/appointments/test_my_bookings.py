"""„Meine Termine“: bookings made while logged in, or claimed from the e-mail's link."""

import re

import pytest

from rathaus.appointments import services, tokens
from rathaus.appointments.models import Booking
from rathaus.core.models import AuditEntry, User

from .conftest import at
from .test_views import capture, reserve  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.django_db


def test_a_booking_made_while_logged_in_is_in_my_bookings(
    client_a,
    offer_a,
    day,
    capture,  # noqa: F811 - the fixture imported from test_views
    citizen,
):
    client_a.force_login(citizen)
    reserve(client_a, offer_a, at(day, 9), capture)
    booking = Booking.objects.get()
    assert booking.account == citizen and booking.booked_by is None
    page = client_a.get("/termine/meine/").content.decode()
    assert booking.code in page and "Personalausweis beantragen" in page
    # The token carries a time stamp, so compare what it names, not its text.
    links = re.findall(r"/termine/t/([^/\"]+)/absagen/", page)
    assert [tokens.booking_for_manage(t, booking.municipality) for t in links] == [booking]


def test_a_guest_booking_is_claimed_from_its_link(client_a, offer_a, day, citizen):
    booking = services.hold(offer_a, at(day, 9), name="Erika", email="buerger@example.org")
    token = tokens.manage_token(booking)
    client_a.force_login(citizen)
    assert "Zu „Meine Termine“" in client_a.get(f"/termine/t/{token}/").content.decode()
    assert booking.code not in client_a.get("/termine/meine/").content.decode()
    response = client_a.post(f"/termine/t/{token}/zu-meinen-terminen/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.account == citizen
    assert AuditEntry.objects.filter(action="appointments.booking_claimed", actor=citizen).exists()
    assert booking.code in client_a.get("/termine/meine/").content.decode()


def test_a_claimed_booking_stays_with_its_account(client_a, offer_a, day, citizen):
    booking = services.hold(offer_a, at(day, 9), name="Erika", email="buerger@example.org")
    token = tokens.manage_token(booking)
    client_a.force_login(citizen)
    client_a.post(f"/termine/t/{token}/zu-meinen-terminen/")
    other = User.objects.create_user("other@example.org", "geheim-123!")
    client_a.force_login(other)
    client_a.post(f"/termine/t/{token}/zu-meinen-terminen/")
    booking.refresh_from_db()
    assert booking.account == citizen
    assert booking.code not in client_a.get("/termine/meine/").content.decode()


def test_my_bookings_needs_login_and_stays_in_the_town(client, offer_a, day, citizen, town_b):
    booking = services.hold(
        offer_a, at(day, 9), name="Erika", email="buerger@example.org", account=citizen
    )
    assert client.get("/termine/meine/", HTTP_HOST="a.test").status_code == 302  # login first
    client.force_login(citizen)
    assert booking.code in client.get("/termine/meine/", HTTP_HOST="a.test").content.decode()
    assert booking.code not in client.get("/termine/meine/", HTTP_HOST="b.test").content.decode()


def test_claiming_needs_a_valid_link_and_a_post(client_a, offer_a, day, citizen):
    booking = services.hold(offer_a, at(day, 9), name="Erika", email="buerger@example.org")
    client_a.force_login(citizen)
    assert (
        client_a.get(f"/termine/t/{tokens.manage_token(booking)}/zu-meinen-terminen/").status_code
        == 405
    )
    client_a.post("/termine/t/gefälscht/zu-meinen-terminen/")
    booking.refresh_from_db()
    assert booking.account is None


def test_a_staff_note_on_a_phone_booking_is_audited(client_a, town_a, offer_a, day):
    from rathaus.core.models import Role
    from tests.conftest import make_staff

    manager = make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER)
    client_a.force_login(manager)
    url = f"/termine/verwaltung/buchen/?angebot={offer_a.pk}&tag={day}&personen=1"
    client_a.post(
        url,
        {
            "start": at(day, 10).isoformat(),
            "persons": 1,
            "name": "Anrufer",
            "email": "anrufer@example.org",
            "phone": "0331 1",
            "note": "Dolmetscher Arabisch",
            "idempotency_key": "n1",
        },
    )
    booking = Booking.objects.get(name="Anrufer")
    assert booking.note == "Dolmetscher Arabisch"
    entry = AuditEntry.objects.get(action="appointments.note_changed")
    assert entry.actor == manager and entry.object_id == str(booking.pk)


@pytest.mark.parametrize("value", ["²", "1" + "0" * 40, "a%00b", "x" * 10_000])
def test_hostile_claim_links_never_give_a_server_error(client_a, offer_a, citizen, value):
    client_a.force_login(citizen)
    assert client_a.post(f"/termine/t/{value}/zu-meinen-terminen/").status_code in (200, 400, 404)
