"""The Land catalog template (ADR 0211): a town adopts the Land's text, keeps its own
fees, office and local additions; a change of the Land text reaches every town that
has not changed that field; a town's own text stays until it follows the Land again."""

import pytest

from rathaus.catalog import land_template
from rathaus.catalog.models import Fee, Service, Topic
from rathaus.catalog.services import save_service
from rathaus.core.models import AuditEntry, Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(db):
    topic, _ = Topic.objects.get_or_create(slug="ausweise", defaults={"name": "Ausweise"})
    land_service, _ = land_template.save_land_service(
        "BB",
        "personalausweis-beantragen",
        topic=topic,
        leika_key="99099001001000",
        name="Personalausweis beantragen",
        summary="Den Ausweis beantragen Sie persönlich.",
        documents=["Passfoto"],
    )
    return land_service


def _adopt(town, template):
    office = Office.objects.for_municipality(town).first()
    return land_template.adopt(town, template, office=office)


def test_update_reaches_towns_that_did_not_change_the_field(town_a, template, settings):
    from rathaus.core.models import Municipality

    town_c = Municipality.objects.create(
        slug="c", name="C", ags="12099903", ars="120990000903", land="BB"
    )
    Office.objects.create(municipality=town_c, slug="amt", name="Amt")
    mine = _adopt(town_a, template)
    theirs = _adopt(town_c, template)
    Fee.objects.create(service=mine, label="Gebühr", amount=37)  # the town's own
    mine.summary = "Bei uns: nur mit Termin."
    save_service(mine, created=False, changed_fields=["summary"])
    assert land_template.own_fields(Service.objects.get(pk=mine.pk)) == {"summary"}

    topic = template.topic
    _, rows = land_template.save_land_service(
        "BB",
        template.slug,
        topic=topic,
        leika_key=template.leika_key,
        name="Personalausweis beantragen",
        summary="Neu: Den Ausweis beantragen Sie persönlich, mit Termin.",
        documents=["Biometrisches Passfoto"],
    )
    assert rows == 3  # summary in one town, documents in two
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.summary == "Bei uns: nur mit Termin."
    assert mine.documents == ["Biometrisches Passfoto"]
    assert theirs.summary.startswith("Neu:") and theirs.documents == ["Biometrisches Passfoto"]
    assert mine.fees.get().amount == 37 and mine.office.municipality == town_a
    assert AuditEntry.objects.filter(action="catalog.land_service_saved").count() == 2


def test_follow_the_land_again(town_a, template):
    service = _adopt(town_a, template)
    service.summary = "Eigener Text"
    save_service(service, created=False, changed_fields=["summary"])
    land_template.follow_land_again(service, ["summary"])
    service.refresh_from_db()
    assert service.summary == template.summary and service.own_fields == ""
    # Typing the Land's text back in also means following it.
    service.summary = "Eigener Text"
    save_service(service, created=False, changed_fields=["summary"])
    service.summary = template.summary
    save_service(service, created=False, changed_fields=["summary"])
    assert Service.objects.get(pk=service.pk).own_fields == ""


def test_existing_service_adopted_keeps_what_differs(town_a, template):
    office = Office.objects.for_municipality(town_a).first()
    Service.objects.create(
        municipality=town_a,
        slug=template.slug,
        name=template.name,
        summary="Alter eigener Text",
        topic=template.topic,
        office=office,
    )
    service = land_template.adopt(town_a, template, office=office)
    assert land_template.own_fields(service) == {"summary", "documents"}


def test_wrong_land_and_foreign_office_refused(town_a, town_b, template):
    with pytest.raises(ValueError):
        _adopt(town_b, template)  # town B is in Sachsen-Anhalt
    with pytest.raises(ValueError):
        land_template.adopt(
            town_a, template, office=Office.objects.for_municipality(town_b).first()
        )
    with pytest.raises(ValueError):
        land_template.save_land_service("BB", "x", topic=template.topic, fees=[1])


def test_commands_from_town_and_adopt(town_a, capsys):
    from django.core.management import call_command

    from rathaus.core.models import Municipality

    topic, _ = Topic.objects.get_or_create(slug="ausweise", defaults={"name": "Ausweise"})
    office_a = Office.objects.for_municipality(town_a).first()
    Service.objects.create(
        municipality=town_a, slug="pass", name="Pass", summary="Text", topic=topic, office=office_a
    )
    call_command("land_catalog", "from-town", municipality=town_a.slug)
    town_c = Municipality.objects.create(
        slug="c", name="C", ags="12099903", ars="120990000903", land="BB"
    )
    Office.objects.create(municipality=town_c, slug="amt", name="Amt")
    call_command("land_catalog", "adopt", municipality="c", office="amt")
    assert Service.objects.for_municipality(town_c).get(slug="pass").summary == "Text"
    Service.objects.filter(municipality=town_a).update(summary="Neuer Text")
    call_command("land_catalog", "from-town", municipality=town_a.slug)
    assert Service.objects.for_municipality(town_c).get(slug="pass").summary == "Neuer Text"
    assert "1 Leistungen aus der Vorlage" in capsys.readouterr().out
