"""Several services in one appointment (ADR 0026): summed units, shared places, one hold."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from rathaus.appointments import capacity, combined, services, tokens
from rathaus.appointments.models import Booking, BookingPart, Offer, Slot
from rathaus.core.models import AuditEntry

from .conftest import at, make_offer, make_service
from .test_views import capture  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.django_db


@pytest.fixture
def move(town_a, offer_a):
    """'Wohnsitz anmelden' (1 unit, 1 more per person) at offer_a's counters only."""
    service = make_service(town_a, slug="wohnsitz-anmelden", name="Wohnsitz anmelden")
    service.documents = ["Wohnungsgeberbestätigung", "Altes Ausweisdokument"]
    service.save()
    return Offer.objects.create(
        municipality=town_a,
        service=service,
        resource=offer_a.resource,
        duration_units=1,
        units_per_extra_person=1,
        max_persons=5,
        horizon_days=14,
        lead_time_hours=0,
    )


@pytest.fixture
def elsewhere(town_a, offer_a):
    """The ID card is also offered at a second place, which has no 'Wohnsitz anmelden'."""
    return make_offer(town_a, offer_a.service, slug="nord")


def booked(offer, start, count):
    return list(
        Slot.objects.filter(resource_id=offer.resource_id, starts_at__gte=start)
        .order_by("starts_at")
        .values_list("booked", flat=True)[:count]
    )


def test_combining_adds_durations_and_takes_the_narrowest_policies(offer_a, move):
    offer_a.horizon_days, offer_a.walk_in_share, move.lead_time_hours = 21, 25, 3
    combo = combined.combine([offer_a, move])
    for persons in (1, 2, 3):
        assert combo.units_for(persons) == offer_a.units_for(persons) + move.units_for(persons)
    assert combo.max_persons == 3  # the ID card allows three
    assert (combo.horizon_days, combo.lead_time_hours, combo.walk_in_share) == (14, 3, 25)
    assert combo.pk == offer_a.pk and combined.parts_of(combo) == [offer_a, move]
    with pytest.raises(ValueError):
        combined.combine([offer_a, make_offer(offer_a.municipality, move.service, slug="x")])


def test_a_combined_hold_takes_the_summed_units_and_records_its_services(offer_a, move, day):
    booking = services.hold(
        offer_a, at(day, 9), name="Erika", email="erika@example.org", extra_offers=[move]
    )
    assert booking.units == 3 and booking.ends_at == at(day, 9, 30)
    assert booked(offer_a, at(day, 9), 4) == [1, 1, 1, 0]
    part = BookingPart.objects.get()
    assert (part.booking, part.service, part.units) == (booking, move.service, 1)
    assert booking.service_names == "Personalausweis beantragen + Wohnsitz anmelden"
    entry = AuditEntry.objects.get(action="appointments.held")
    assert entry.data["services"] == ["personalausweis-beantragen", "wohnsitz-anmelden"]
    # Cancelling gives all three units back.
    assert services.cancel(booking)
    assert booked(offer_a, at(day, 9), 4) == [0, 0, 0, 0]


def test_free_times_need_the_summed_units(offer_a, move, day):
    """The last 20 minutes before noon fit the ID card alone but not the combination."""
    combo = combined.combine([offer_a, move])
    bounds = at(day, 0), at(day + timedelta(days=1), 0)
    single = capacity.free_starts(offer_a, 1, *bounds)
    both = capacity.free_starts(combo, 1, *bounds)
    assert at(day, 11, 40) in single and at(day, 11, 40) not in both
    assert at(day, 11, 30) in both
    # The cached single answer is not served for the combination (and back).
    assert capacity.free_starts(offer_a, 1, *bounds) == single
    assert capacity.free_starts(combo, 1, *bounds) == both


def test_a_combination_that_does_not_fit_is_refused_whole(offer_a, move, day):
    for _ in range(2):  # both counters taken at 09:20
        services.hold(move, at(day, 9, 20), name="X", email=f"x{_}@example.org")
    with pytest.raises(services.BookingError) as refused:
        services.hold(
            offer_a, at(day, 9), name="Erika", email="erika@example.org", extra_offers=[move]
        )
    assert refused.value.reason == "taken"
    assert booked(offer_a, at(day, 9), 3) == [0, 0, 2]
    assert not BookingPart.objects.exists() and Booking.objects.count() == 2


def test_one_active_appointment_per_person_holds_for_the_further_services(offer_a, move, day):
    services.hold(move, at(day, 10), name="Erika", email="erika@example.org")
    with pytest.raises(services.BookingError) as refused:
        services.hold(
            offer_a, at(day, 9), name="Erika", email="Erika@example.org", extra_offers=[move]
        )
    assert refused.value.reason == "already_booked"
    assert booked(offer_a, at(day, 9), 3) == [0, 0, 0]


def test_a_double_submit_of_a_combination_returns_the_first_booking(offer_a, move, day):
    first = services.hold(
        offer_a,
        at(day, 9),
        name="E",
        email="e@example.org",
        extra_offers=[move],
        idempotency_key="k1",
    )
    again = services.hold(
        offer_a,
        at(day, 9),
        name="E",
        email="e@example.org",
        extra_offers=[move],
        idempotency_key="k1",
    )
    assert again.pk == first.pk and BookingPart.objects.count() == 1
    assert booked(offer_a, at(day, 9), 3) == [1, 1, 1]


def test_rebooking_moves_all_units_of_a_combination(offer_a, move, day):
    booking = services.hold(
        offer_a, at(day, 9), name="E", email="e@example.org", extra_offers=[move]
    )
    services.rebook(booking, at(day, 10))
    booking.refresh_from_db()
    assert booking.ends_at == at(day, 10, 30)
    assert booked(offer_a, at(day, 9), 3) == [0, 0, 0]
    assert booked(offer_a, at(day, 10), 4) == [1, 1, 1, 0]
    with pytest.raises(services.BookingError):  # 11:40 fits the ID card alone, not both
        services.rebook(booking, at(day, 11, 40))


def test_service_page_shows_only_places_offering_all_services(client_a, offer_a, move, elsewhere):
    url = f"/termine/leistung/{offer_a.service.slug}/"
    page = client_a.get(url).content.decode()
    assert "Weitere Anliegen im selben Termin" in page and 'value="wohnsitz-anmelden"' in page
    assert "/leistung/personalausweis-beantragen/nord/" in page
    both = client_a.get(url, {"dazu": "wohnsitz-anmelden"}).content.decode()
    assert "/leistung/personalausweis-beantragen/nord/" not in both
    assert (
        "/leistung/personalausweis-beantragen/schalter/?personen=1&amp;dazu=wohnsitz-anmelden"
        in both
    )
    assert client_a.get(url, {"dazu": "gibt-es-nicht"}).status_code == 404
    # The calendar of the place without it: 404, not a single-service calendar.
    calendar = f"/termine/leistung/{offer_a.service.slug}/nord/"
    assert client_a.get(calendar, {"dazu": "wohnsitz-anmelden"}).status_code == 404


@pytest.mark.parametrize(
    "value",
    ["\x00", "a" * 10_000, "😀", "²", "10" * 20, "a b", ["a", "b", "c", "d"]],
)
def test_hostile_further_services_are_refused_without_500(client_a, offer_a, move, day, value):
    values = value if isinstance(value, list) else [value]
    for url in (
        f"/termine/leistung/{offer_a.service.slug}/",
        f"/termine/leistung/{offer_a.service.slug}/schalter/",
        f"/termine/leistung/{offer_a.service.slug}/schalter/buchen/?start={at(day, 9).isoformat()}",
    ):
        response = client_a.get(url, {"dazu": values})
        assert response.status_code in (400, 404), (url, value, response.status_code)


def test_citizen_books_two_services_in_one_appointment(
    client_a,
    offer_a,
    move,
    day,
    capture,  # noqa: F811 - the fixture imported from test_views
):
    base = f"/termine/leistung/{offer_a.service.slug}/schalter/"
    calendar = client_a.get(base, {"dazu": "wohnsitz-anmelden", "tag": day}).content.decode()
    assert "Personalausweis beantragen + Wohnsitz anmelden" in _text(calendar)
    assert "dazu=wohnsitz-anmelden" in calendar and "11:30" in calendar
    assert ">11:40<" not in calendar  # the combination needs 30 minutes
    data = {
        "start": at(day, 9).isoformat(),
        "personen": 1,
        "dazu": "wohnsitz-anmelden",
        "name": "Erika Mustermann",
        "email": "erika@example.org",
        "phone": "",
    }
    details = client_a.get(base + "buchen/", {"start": data["start"], "dazu": "wohnsitz-anmelden"})
    assert "09:00–09:30" in details.content.decode()
    check = client_a.post(base + "buchen/", {**data, "action": "check"}).content.decode()
    assert 'name="dazu" value="wohnsitz-anmelden"' in check
    # The documents to bring are merged: the old ID card is needed by both, listed once.
    assert check.count("<li>Altes Ausweisdokument</li>") == 1
    assert (
        "<li>Wohnungsgeberbestätigung</li>" in check and "<li>Biometrisches Passfoto</li>" in check
    )
    key = check.split('name="idempotency_key" value="')[1].split('"')[0]
    with capture.capture(execute=True):
        response = client_a.post(
            base + "buchen/", {**data, "action": "reserve", "idempotency_key": key}
        )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.units == 3 and booking.parts.get().service == move.service
    hold_mail = mail.outbox[-1].body
    assert "Personalausweis beantragen + Wohnsitz anmelden" in hold_mail
    with capture.capture(execute=True):
        services.confirm(booking)
    confirmation = mail.outbox[-1].body
    assert "Personalausweis beantragen + Wohnsitz anmelden" in confirmation
    assert confirmation.count("Altes Ausweisdokument") == 1
    assert "Wohnungsgeberbestätigung" in confirmation
    manage = client_a.get(f"/termine/t/{tokens.manage_token(booking)}/").content.decode()
    assert "Personalausweis beantragen + Wohnsitz anmelden" in _text(manage)
    rebook = client_a.get(f"/termine/t/{tokens.manage_token(booking)}/verschieben/", {"tag": day})
    assert ">11:40<" not in rebook.content.decode() and "11:30" in rebook.content.decode()


def _text(html: str) -> str:
    """The page's text without tags (names are wrapped in spans that carry lang)."""
    return re.sub(r"<[^>]+>", "", html)
