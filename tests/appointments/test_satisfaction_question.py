"""The satisfaction question on the page of a made booking (ADR 0018)."""

import pytest

from rathaus.appointments import services, tokens
from rathaus.catalog.models import SatisfactionAnswer

from .conftest import at

pytestmark = pytest.mark.django_db


def test_question_shown_once_the_booking_is_confirmed(client_a, offer_a, day):
    booking = services.hold(offer_a, at(day, 9), name="E", email="e@example.org")
    path = f"/termine/t/{tokens.manage_token(booking)}/"
    assert 'action="/zufriedenheit/"' not in client_a.get(path).content.decode()  # only held
    services.confirm(booking)
    page = client_a.get(path).content.decode()
    assert 'action="/zufriedenheit/"' in page
    token = page.split('name="t" value="')[1].split('"')[0]
    assert client_a.post("/zufriedenheit/", {"t": token, "easy": "partly"}).status_code == 302
    answer = SatisfactionAnswer.objects.get()
    assert (answer.channel, answer.service_id, answer.easy) == (
        "booking",
        booking.service_id,
        "partly",
    )
    assert "Ihre Antwort ist angekommen" in client_a.get(path).content.decode()
