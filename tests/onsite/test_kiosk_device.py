"""Only a device activated by a clerk of the location hands out numbers."""

import pytest
from django.urls import reverse

from rathaus.core.models import Office, Role
from rathaus.onsite.models import Ticket
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _devices_required(settings, _any_device_is_a_kiosk):
    settings.ONSITE_KIOSK_DEVICE_REQUIRED = True


def test_public_visitor_gets_no_number(client_a, location_a, groups):
    kiosk = reverse("onsite:kiosk", args=[location_a.slug])
    page = client_a.get(kiosk)
    assert page.status_code == 403
    assert "nicht online" in page.content.decode()
    draw = reverse("onsite:kiosk_draw", args=[location_a.slug])
    assert client_a.post(draw, {"group": "ausweise"}).status_code == 403
    check_in = reverse("onsite:kiosk_check_in", args=[location_a.slug])
    assert client_a.post(check_in, {"code": "ABCD2345"}).status_code == 403
    assert not Ticket.objects.exists()


def test_clerk_activates_device_which_then_draws_without_login(
    client_a, location_a, groups, clerk_a
):
    client_a.force_login(clerk_a)
    response = client_a.post(reverse("onsite:kiosk_activation", args=[location_a.slug]))
    assert response["Location"] == reverse("onsite:kiosk", args=[location_a.slug])
    device = client_a.cookies["rathaus_kiosk"].value
    client_a.logout()  # the kiosk runs without a login (the test client drops all cookies)
    client_a.cookies["rathaus_kiosk"] = device
    draw = reverse("onsite:kiosk_draw", args=[location_a.slug])
    assert client_a.post(draw, {"group": "ausweise"}).status_code == 302
    assert Ticket.objects.count() == 1
    client_a.force_login(clerk_a)
    client_a.post(reverse("onsite:kiosk_activation", args=[location_a.slug]), {"off": "1"})
    assert client_a.post(draw, {"group": "ausweise"}).status_code == 403


def test_tampered_cookie_or_other_office_cannot_activate(client_a, town_a, location_a, groups):
    client_a.cookies["rathaus_kiosk"] = "eyJtIjoxLCJsIjpbMV19:forged:sig"
    assert client_a.get(reverse("onsite:kiosk", args=[location_a.slug])).status_code == 403
    office = Office.objects.create(municipality=town_a, slug="kfz", name="Kfz")
    stranger = make_staff(town_a, "kfz@a.test", Role.CLERK, office=office)
    client_a.force_login(stranger)
    response = client_a.post(reverse("onsite:kiosk_activation", args=[location_a.slug]))
    assert response.status_code == 404


def test_device_cookie_of_town_a_does_not_work_in_town_b(
    client, town_a, town_b, location_a, groups, clerk_a
):
    client.defaults["HTTP_HOST"] = "a.test"
    client.force_login(clerk_a)
    client.post(reverse("onsite:kiosk_activation", args=[location_a.slug]))
    from rathaus.core.models import Location

    location_b = Location.objects.for_municipality(town_b).first()
    response = client.get(reverse("onsite:kiosk", args=[location_b.slug]), HTTP_HOST="b.test")
    assert response.status_code == 403
