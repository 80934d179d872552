"""Calendars: a month jump and a date picker reach a far date in one step (issue 16)."""

import re
from datetime import timedelta

from django.utils import timezone

from .conftest import make_offer, make_service


def test_month_links_reach_a_date_nine_months_ahead_in_one_step(client_a, town_a):
    offer = make_offer(town_a, make_service(town_a), horizon_days=300)
    url = f"/termine/leistung/{offer.service.slug}/{offer.resource.slug}/"
    page = client_a.get(url).content.decode()
    months = re.findall(r'<a class="kern-link" href="\?personen=1&amp;ab=(\d{4}-\d\d-\d\d)"', page)
    assert len(months) >= 10  # every month up to the horizon
    far = timezone.localdate() + timedelta(days=270)
    target = next(m for m in months if m[:7] == far.isoformat()[:7])
    far_page = client_a.get(f"{url}?personen=1&ab={target}").content.decode()
    assert f"?personen=1&amp;ab={target}&amp;tag={target[:7]}-" in far_page  # days of that month
    assert 'type="date" id="date-jump" name="ab"' in far_page


def test_date_picker_outside_the_horizon_stays_inside(client_a, town_a):
    offer = make_offer(town_a, make_service(town_a), horizon_days=30)
    url = f"/termine/leistung/{offer.service.slug}/{offer.resource.slug}/"
    beyond = timezone.localdate() + timedelta(days=200)
    for value in (beyond.isoformat(), "2020-01-01"):  # clamped into the bookable window
        assert client_a.get(f"{url}?personen=1&ab={value}").status_code == 200
    for value in ("2999-01-01", "not-a-date", "٢٠٢٧-٠١-٠١"):  # refused with a message, no 500
        assert client_a.get(f"{url}?personen=1&ab={value}").status_code in (200, 400)
