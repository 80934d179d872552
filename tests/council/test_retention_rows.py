"""Retention row of the council module: unconfirmed e-mail alerts lapse."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.core.retention import rules
from rathaus.council import services
from rathaus.council.models import SavedSearch

pytestmark = pytest.mark.django_db


def test_unconfirmed_alerts_are_deleted_after_a_week_confirmed_ones_stay(town_a):
    waiting = services.subscribe_alert(town_a, "a@example.org", "Radweg")
    confirmed = services.confirm_alert(services.subscribe_alert(town_a, "b@example.org", "Kita"))
    job = next(rule for rule in rules() if rule.key == "council.alerts")
    assert job.run(timezone.now() + timedelta(days=6)) == 0
    assert job.run(timezone.now() + timedelta(days=8)) == 1
    assert not SavedSearch.objects.filter(pk=waiting.pk).exists()
    assert SavedSearch.objects.filter(pk=confirmed.pk).exists()
