"""The demo loader: six published forms, clerks, a citizen and cases in several states."""

import pytest

from rathaus.applications import demo
from rathaus.applications.models import Application, FormDefinition, Message
from rathaus.catalog.models import Service, Topic
from rathaus.core import demo as core_demo
from rathaus.core.models import Office, User

pytestmark = pytest.mark.django_db

OFFICES = {
    "hund-anmelden": "steueramt",
    "bewohnerparkausweis-beantragen": "strassenverkehrsamt",
    "sperrmuell-anmelden": "umweltamt",
    "hausnummer-beantragen": "bauordnungsamt",
    "geburtsurkunde-bestellen": "standesamt",
    "als-wahlhelferin-oder-wahlhelfer-melden": "wahlamt",
}


def test_demo_loader_is_idempotent_and_skips_missing_services(settings):
    settings.RATHAUS_DEFAULT_MUNICIPALITY = "musterstadt"
    town = core_demo.load()
    demo.load(town)  # no catalog services yet: nothing breaks
    assert not FormDefinition.objects.exists()
    topic = Topic.objects.create(slug="t", name="T")
    for slug, office in OFFICES.items():
        Service.objects.create(
            municipality=town,
            slug=slug,
            name=slug,
            summary="x",
            topic=topic,
            office=Office.objects.get(municipality=town, slug=office),
        )
    demo.load(town)
    demo.load(town)
    assert FormDefinition.objects.filter(state="published").count() == 6
    assert set(Service.objects.values_list("maturity_level", flat=True)) <= {3, 4}
    citizen = User.objects.get(email="buerger@musterstadt.example")
    assert citizen.check_password("rathaus-demo")
    apps = Application.objects.filter(applicant=citizen)
    assert apps.count() == 5
    assert {a.case_status for a in apps} >= {
        "eingegangen",
        "unterlagen_nachgefordert",
        "entschieden",
    }
    assert Message.objects.filter(recipient=citizen, kind="notice").count() == 1
    assert User.objects.get(email="verkehr@musterstadt.example").roles.filter(role="clerk").exists()
