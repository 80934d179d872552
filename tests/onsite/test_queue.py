"""The waiting room's rules: contingents, check-in, call next, recall, missed, transfer, finish."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.appointments.models import BookingStatus
from rathaus.core.models import AuditEntry
from rathaus.onsite import services
from rathaus.onsite.models import Ticket, TicketStatus

from .conftest import make_booking

pytestmark = pytest.mark.django_db


def test_draw_numbers_count_up_per_group(groups):
    ausweis, melden = groups
    first, second = services.draw(ausweis), services.draw(ausweis)
    other = services.draw(melden)
    assert (first.label, second.label, other.label) == ("A001", "A002", "M001")
    assert AuditEntry.objects.filter(action="onsite.drawn").count() == 3


def test_contingent_runs_out_with_next_walk_in_hours(groups):
    ausweis, _ = groups
    for _ in range(3):
        services.draw(ausweis)
    with pytest.raises(services.QueueError) as error:
        services.draw(ausweis)
    assert error.value.reason == "contingent"
    assert "alle Wartenummern" in error.value.message
    day, window = error.value.next_walk_in
    assert day > timezone.localdate()
    assert window.opens.hour == 8  # the fixture's walk-in hours 8–9
    assert Ticket.objects.filter(group=ausweis).count() == 3


def test_contingent_zero_means_no_walk_in_numbers(groups):
    ausweis, _ = groups
    ausweis.daily_contingent = 0
    ausweis.save()
    with pytest.raises(services.QueueError):
        services.draw(ausweis)


def test_check_in_with_qr_content_marks_booking_arrived(location_a, groups, booking_today):
    ticket = services.check_in(location_a, "rathaus-termin:abcd2345")
    booking_today.refresh_from_db()
    assert booking_today.status == BookingStatus.ARRIVED
    assert ticket.kind == Ticket.Kind.APPOINTMENT
    assert ticket.label == "T001"
    assert ticket.group == groups[0]
    # Scanning twice gives the same ticket, not a second one.
    assert services.check_in(location_a, "ABCD2345") == ticket
    assert Ticket.objects.count() == 1


def test_check_in_refuses_unknown_and_other_day(location_a, offer_a, groups):
    with pytest.raises(services.QueueError) as error:
        services.check_in(location_a, "ZZZZ9999")
    assert error.value.reason == "not_found"
    make_booking(offer_a, timezone.now() + timedelta(days=2), code="FUTURE22")
    with pytest.raises(services.QueueError) as error:
        services.check_in(location_a, "FUTURE22")
    assert error.value.reason == "wrong_day"
    assert "nur am Termintag" in error.value.message


def test_check_in_of_other_municipality_code_is_not_found(location_a, town_b, groups):
    from rathaus.core.models import Location
    from tests.appointments.conftest import make_offer, make_service

    offer_b = make_offer(town_b, make_service(town_b))
    make_booking(offer_b, timezone.now() + timedelta(minutes=5), code="BBBB2222")
    with pytest.raises(services.QueueError) as error:
        services.check_in(location_a, "BBBB2222")
    assert error.value.reason == "not_found"
    assert Location.objects.for_municipality(town_b).exists()


def _open(counters, user=None):
    for counter in counters:
        services.open_counter(counter, actor=user)


def test_call_next_needs_open_counter_and_one_at_a_time(groups, counters, rules):
    services.draw(groups[0])
    with pytest.raises(services.QueueError):
        services.call_next(counters[0], actor=None)
    _open(counters)
    ticket = services.call_next(counters[0], actor=None)
    assert ticket.status == TicketStatus.CALLED and ticket.counter == counters[0]
    with pytest.raises(services.QueueError):
        services.call_next(counters[0], actor=None)
    assert services.call_next(counters[1], actor=None) is None


def test_on_time_appointments_first_then_a_walk_in_per_ratio(
    location_a, offer_a, groups, counters, rules
):
    now = timezone.now()
    walk_in = services.draw(groups[0], now=now - timedelta(minutes=20))
    codes = ["APPT2221", "APPT2222", "APPT2223"]
    for i, code in enumerate(codes):
        make_booking(offer_a, now + timedelta(minutes=i), code=code)
        services.check_in(location_a, code, now=now - timedelta(minutes=10))
    _open(counters)
    order = []
    for _ in range(4):
        ticket = services.call_next(counters[0], actor=None, now=now + timedelta(minutes=5))
        order.append(ticket.booking.code if ticket.booking_id else ticket.label)
        services.finish(counters[0], ticket, groups[0].services.all(), actor=None)
    # Two appointment holders, then the walk-in (ratio 2:1), then the third appointment.
    assert order == ["APPT2221", "APPT2222", walk_in.label, "APPT2223"]


def test_walk_in_over_max_wait_goes_before_appointments(
    location_a, offer_a, groups, counters, rules
):
    now = timezone.now()
    walk_in = services.draw(groups[0], now=now - timedelta(minutes=50))
    make_booking(offer_a, now, code="APPT3331")
    services.check_in(location_a, "APPT3331", now=now - timedelta(minutes=5))
    _open(counters)
    assert services.call_next(counters[0], actor=None, now=now) == walk_in


def test_late_appointment_holders_queue_like_walk_ins(location_a, offer_a, groups, counters, rules):
    now = timezone.now()
    make_booking(offer_a, now - timedelta(minutes=40), code="LATE4441")
    services.check_in(location_a, "LATE4441", now=now - timedelta(minutes=1))
    walk_in = services.draw(groups[0], now=now - timedelta(minutes=5))
    _open(counters)
    assert services.call_next(counters[0], actor=None, now=now) == walk_in


def test_counter_serves_only_its_groups(groups, counters, rules):
    ausweis, melden = groups
    counters[0].groups.add(melden)
    services.draw(ausweis)
    _open(counters)
    assert services.call_next(counters[0], actor=None) is None
    assert services.call_next(counters[1], actor=None).group == ausweis


def test_recall_then_missed_after_n_calls_marks_booking_no_show(
    location_a, groups, counters, rules, booking_today
):
    services.check_in(location_a, booking_today.code)
    _open(counters)
    ticket = services.call_next(counters[0], actor=None)
    booking_today.refresh_from_db()
    assert booking_today.status == BookingStatus.CALLED
    with pytest.raises(services.QueueError) as error:
        services.mark_missed(counters[0], ticket, actor=None)
    assert error.value.reason == "too_early"
    services.recall(counters[0], ticket, actor=None)
    ticket = services.recall(counters[0], ticket, actor=None)
    assert ticket.call_count == 3
    ticket = services.mark_missed(counters[0], ticket, actor=None)
    booking_today.refresh_from_db()
    assert ticket.status == TicketStatus.MISSED
    assert booking_today.status == BookingStatus.NO_SHOW


def test_transfer_to_counter_is_called_there_first(groups, counters, rules):
    first = services.draw(groups[0])
    services.draw(groups[0])
    _open(counters)
    ticket = services.call_next(counters[0], actor=None)
    assert ticket == first
    services.transfer(counters[0], ticket, actor=None, to_counter=counters[1])
    # Counter 1 does not get it back; counter 2 gets it before the older queue.
    assert services.call_next(counters[1], actor=None) == first


def test_transfer_to_group(groups, counters, rules):
    ticket = services.draw(groups[0])
    _open(counters)
    services.call_next(counters[0], actor=None)
    moved = services.transfer(counters[0], ticket, actor=None, to_group=groups[1])
    assert moved.group == groups[1] and moved.status == TicketStatus.WAITING
    with pytest.raises(services.QueueError):
        services.transfer(counters[0], moved, actor=None, to_group=groups[1])


def test_finish_records_services_and_marks_booking_done(
    location_a, groups, counters, rules, booking_today, service_a
):
    services.check_in(location_a, booking_today.code)
    _open(counters)
    ticket = services.call_next(counters[0], actor=None)
    with pytest.raises(services.QueueError):
        services.finish(counters[0], ticket, [], actor=None)
    ticket = services.finish(counters[0], ticket, [service_a], actor=None)
    booking_today.refresh_from_db()
    assert ticket.status == TicketStatus.DONE
    assert list(ticket.services_handled.all()) == [service_a]
    assert booking_today.status == BookingStatus.DONE


def test_other_counter_cannot_act_on_ticket(groups, counters, rules):
    services.draw(groups[0])
    _open(counters)
    ticket = services.call_next(counters[0], actor=None)
    with pytest.raises(services.QueueError):
        services.recall(counters[1], ticket, actor=None)


def test_close_counter_records_session(counters):
    services.open_counter(counters[0], actor=None)
    assert services.open_counter(counters[0], actor=None) is False
    services.close_counter(counters[0], actor=None)
    session = counters[0].sessions.get()
    assert session.closed_at is not None


def test_numbers_only_during_opening_hours(settings, groups):
    from datetime import datetime, time

    from rathaus.core.opening import holiday_name

    settings.ONSITE_DRAW_ONLY_WHEN_OPEN = True
    ausweis, _ = groups
    day = timezone.localdate() + timedelta(days=7)
    while day.weekday() != 1 or holiday_name(ausweis.location.municipality, day):
        day += timedelta(days=1)

    def at(hour, minute=0):
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    with pytest.raises(services.QueueError) as error:
        services.draw(ausweis, now=at(7, 0))
    assert error.value.reason == "not_yet" and "07:30" in error.value.message
    assert services.draw(ausweis, now=at(7, 40)).label == "A001"  # people queue at the door
    assert services.draw(ausweis, now=at(15, 59)).label == "A002"
    with pytest.raises(services.QueueError) as error:
        services.draw(ausweis, now=at(16, 0))
    assert error.value.reason == "closed_now"
    assert error.value.next_walk_in[0] > day
    sunday = day + timedelta(days=5)
    with pytest.raises(services.QueueError):
        services.draw(ausweis, now=timezone.make_aware(datetime.combine(sunday, time(10))))
