"""The 24 OZG services the IT-Planungsrat prioritised (seed 002) are flagged in the demo
catalog through the import path and listed on the OZG dashboard."""

import pytest

from rathaus.catalog.priority import ITPLR_PRIORITY

from .test_demo_content import SERVICES


def test_the_list_has_the_24_services_of_seed_002():
    assert len(ITPLR_PRIORITY) == len(set(ITPLR_PRIORITY)) == 24


def test_every_prioritised_service_is_flagged_in_the_demo_catalog():
    flagged = {s["ozg_priority"] for s in SERVICES if s["ozg_priority"]}
    assert flagged == set(ITPLR_PRIORITY)


@pytest.mark.django_db
def test_dashboard_lists_them_with_maturity(client_a, town_a):
    from rathaus.catalog.models import Service, Topic
    from rathaus.core.models import Office

    topic = Topic.objects.create(slug="t", name="T")
    office = Office.objects.for_municipality(town_a).first()
    Service.objects.create(
        municipality=town_a,
        slug="wohngeld-beantragen",
        name="Wohngeld beantragen",
        summary="x",
        topic=topic,
        office=office,
        maturity_level=3,
        ozg_priority="Wohngeld",
    )
    page = client_a.get("/ozg-dashboard/").content.decode()
    assert "1 von 24 priorisierten OZG-Leistungen stehen im Katalog, 1 davon sind online" in page
    assert "Wohngeld beantragen</a> (Reifegrad 3)" in page
    assert page.count("nicht im Katalog") == 23
