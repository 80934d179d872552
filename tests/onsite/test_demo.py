"""The demo gives a running day, weeks of history and a horizon change for the report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.appointments import demo as appointments_demo
from rathaus.catalog.models import Service, Topic
from rathaus.core import demo as core_demo
from rathaus.core.models import Office
from rathaus.onsite import demo, figures
from rathaus.onsite.models import Counter, LeadTimeSnapshot, Ticket
from rathaus.onsite.statistics import horizon_change

pytestmark = pytest.mark.django_db


def test_demo_history_running_day_and_horizon_change():
    town = core_demo.load(None)
    topic = Topic.objects.create(slug="t", name="T")
    for slug in ("personalausweis-beantragen", "wohnsitz-anmelden"):
        Service.objects.create(
            municipality=town,
            slug=slug,
            name=slug,
            summary="-",
            topic=topic,
            office=Office.objects.get(municipality=town, slug="buergerservice"),
        )
    appointments_demo.load(town)
    demo.load(town)
    count = Ticket.objects.count()
    demo.load(town)  # idempotent
    assert Ticket.objects.count() == count
    today = timezone.localdate()
    assert Ticket.objects.filter(day=today, status="waiting").exists()
    assert Ticket.objects.filter(day=today, status="called").exists()
    assert Counter.objects.filter(opened_at__isnull=False).exists()
    assert Ticket.objects.filter(day__lt=today - timedelta(days=50)).exists()
    change = horizon_change(town)
    assert change == today - timedelta(days=demo.HORIZON_CHANGE_DAYS_AGO)
    before = figures.compute(town, change - timedelta(days=42), change - timedelta(days=1))
    after = figures.compute(town, change, today - timedelta(days=1))
    assert before.horizon == 42 and after.horizon == 14
    assert after.lead_avg < before.lead_avg
    assert after.wait_median < before.wait_median
    assert before.bookings > 0 and after.bookings > 0
    assert LeadTimeSnapshot.objects.filter(day=today).exists()
