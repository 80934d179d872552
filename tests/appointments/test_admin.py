"""Capacity configuration in the back office: overlapping rules are refused in German."""

import pytest
from django.utils import timezone

from rathaus.appointments.models import AvailabilityRule, Slot
from rathaus.core.models import Role

from ..conftest import make_staff

pytestmark = pytest.mark.django_db


def rule_data(offer, start, end):
    return {
        "resource": offer.resource.pk,
        "kind": "appointments",
        "weekdays": "[1]",
        "start_time": start,
        "end_time": end,
        "counters": 1,
        "unit_minutes": 10,
        "valid_from": timezone.localdate().isoformat(),
    }


def test_manager_adds_rule_and_overlap_is_refused(client_a, town_a, offer_a):
    client_a.force_login(make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER))
    url = "/verwaltung/admin/appointments/availabilityrule/add/"
    response = client_a.post(url, rule_data(offer_a, "11:00", "13:00"))
    assert response.status_code == 200
    assert "überschneidet sich" in response.content.decode()
    before = Slot.objects.count()
    response = client_a.post(url, rule_data(offer_a, "14:00", "15:00"))
    assert response.status_code == 302
    assert AvailabilityRule.objects.filter(start_time="14:00").exists()
    assert Slot.objects.count() > before  # materialised on save


def test_editor_cannot_configure_capacity(client_a, editor_a):
    client_a.force_login(editor_a)
    assert client_a.get("/verwaltung/admin/appointments/resource/").status_code == 403
