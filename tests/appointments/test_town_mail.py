"""Appointment mails go out from the town's sender with the town's links (ADR 0215)."""

import pytest
from django.core import mail

from rathaus.appointments import services
from tests.core.test_town_mail import TOWNS, assert_from_town

from .conftest import at, make_offer, make_service

pytestmark = pytest.mark.django_db


def test_hold_confirmation_and_cancellation_mails_per_town(town_a, town_b, day, oc):
    for key, town in (("a", town_a), ("b", town_b)):
        town.base_url, town.mail_sender = TOWNS[key]
        town.save()
        offer = make_offer(town, make_service(town))
        mail.outbox.clear()
        booking = oc(services.hold, offer, at(day, 9), name="Erika", email="erika@example.org")
        oc(services.confirm, booking)
        oc(services.cancel, booking)
        subjects = [m.subject for m in mail.outbox]
        assert len(subjects) == 3, subjects
        for message in mail.outbox:  # the cancellation has no link
            assert_from_town(message, key, town, linked="abgesagt" not in message.subject)
