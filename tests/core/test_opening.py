from datetime import date

import pytest

from rathaus.core.models import Location, OpeningException
from rathaus.core.opening import day_schedule, holiday_name


@pytest.mark.django_db
def test_public_holiday_of_the_land_closes(town_a):
    location = Location.objects.get(slug="a-mitte")
    # 31 October (Reformationstag) is a holiday in Brandenburg; 2030-10-31 is a Thursday.
    assert holiday_name(town_a, date(2030, 10, 31)) == "Reformationstag"
    day = day_schedule(location, date(2030, 10, 31))
    assert not day.is_open and day.closed_reason == "Reformationstag"


@pytest.mark.django_db
def test_holiday_depends_on_land(town_a, town_b):
    # Fronleichnam 2030 (20 June) is not a holiday in Brandenburg nor Sachsen-Anhalt,
    # but 6 January (Heilige Drei Könige) is one in Sachsen-Anhalt only.
    assert holiday_name(town_b, date(2030, 1, 6))
    assert holiday_name(town_a, date(2030, 1, 6)) is None


@pytest.mark.django_db
def test_weekly_hours_and_exception(town_a):
    location = Location.objects.get(slug="a-mitte")
    monday = date(2030, 6, 3)
    day = day_schedule(location, monday)
    assert [w.kind for w in day.windows] == ["open", "walk_in"]
    OpeningException.objects.create(
        location=location, date=monday, closed=True, reason="Betriebsausflug"
    )
    assert day_schedule(location, monday).closed_reason == "Betriebsausflug"
    assert not day_schedule(location, date(2030, 6, 8)).is_open  # Saturday
