"""One neighbourhood subscription (issue 18, "beyond every peer"): a street or an area,
double opt-in, ONE weekly digest of reports, council papers and resolutions naming the
street (public ones only), thirsty trees and dialogues nearby; per town; no leaks."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from rathaus.council import services as council
from rathaus.council.models import Organization
from rathaus.participation.dialogues.models import DialogueEvent
from rathaus.participation.neighbourhood import services
from rathaus.participation.neighbourhood.models import NeighbourhoodSubscription
from rathaus.participation.reports import services as reports
from rathaus.participation.reports.geocoding import import_addresses
from rathaus.participation.trees.models import Tree

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
URL = "/beteiligung/nachbarschaft/"

ADDRESSES = """street,house_number,postcode,latitude,longitude
Lindenallee,1,14467,52.400000,13.060000
Lindenallee,5,14467,52.400400,13.060800
Lindenallee,9,14467,52.400800,13.061600
Breite Straße,2,14467,52.420000,13.090000
"""


@pytest.fixture
def streets(town_a):
    import_addresses(town_a, ADDRESSES)
    town_a.base_url = "https://www.stadt-a.example"
    town_a.save(update_fields=["base_url"])
    return town_a


def subscribe_and_confirm(client, **data):
    form = {"email": "Anna@Example.org", "way": "street", "street": "lindenallee", **data}
    page = client.post(URL, form).content.decode()
    assert "Bitte bestätigen Sie Ihre Adresse" in page, page
    subscription = NeighbourhoodSubscription.objects.get()
    assert subscription.confirmed_at is None and subscription.email == "anna@example.org"
    body = mail.outbox[-1].body
    confirm = f"/beteiligung/nachbarschaft/bestaetigen/{subscription.token}/"
    assert f"https://www.stadt-a.example{confirm}" in body  # the town's address
    assert "testserver" not in body and "Abbestellen: https://www.stadt-a.example" in body
    client.get(confirm)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None  # GET does not confirm (link scanners)
    client.post(confirm)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    mail.outbox.clear()
    return subscription


def published(town, category, **where):
    report = reports.submit_report(
        town,
        category=category,
        description="Tiefes Loch",
        attributes={"flaeche": "fahrbahn"},
        contact_email="melder@example.org",
        **where,
    )
    reports.moderate(report, publish=True, actor=None)
    return report


def decided(town, name, resolution, *, public=True, paper=None):
    assembly = Organization.objects.for_municipality(town).first() or (
        Organization.objects.create(
            municipality=town,
            body=council.body_of(town),
            name="Stadtverordnetenversammlung",
            kind=Organization.Kind.COUNCIL,
        )
    )
    meeting = council.create_meeting(
        assembly, name=f"SVV {name}", start=datetime.now(BERLIN) - timedelta(days=1)
    )
    if paper is not None:
        consultation = council.add_consultation(paper, assembly, "Entscheidung", meeting=meeting)
        item = council.put_paper_on_agenda(consultation, meeting, public=public)
    else:
        item = council.add_agenda_item(meeting, name, public=public)
    council.publish_agenda(meeting)
    return council.record_result(item, result="beschlossen", resolution_text=resolution)


def neighbourhood_world(town, pothole):
    """Everything a digest for the Lindenallee may and may not carry."""
    inside = published(town, pothole, latitude="52.400500", longitude="13.060900")
    by_address = published(town, pothole, address="Lindenallee 9")
    outside = published(town, pothole, latitude="52.450000", longitude="13.200000")
    paper = council.create_paper(
        town, name="Neue Bäume für die Lindenallee", paper_type="Antrag", text="Pflanzen."
    )
    secret = council.create_paper(
        town,
        name="Grundstücksankauf Lindenallee 7 (GEHEIM-4711)",
        paper_type="Beschlussvorlage",
        public=False,
    )
    hidden_file_paper = council.create_paper(
        town, name="Haushalt 2027 (DATEI-0815)", paper_type="Mitteilungsvorlage"
    )
    council.attach_file(
        municipality=town,
        name="Anlage",
        file_name="anlage.txt",
        data=b"Ankauf Lindenallee 7",
        mime_type="text/plain",
        public=False,
        paper=hidden_file_paper,
    )
    elsewhere = council.create_paper(
        town, name="Breite Str. wird Fahrradstraße", paper_type="Antrag"
    )
    resolution = decided(town, "Tempo 30", "Tempo 30 in der Lindenallee (RES-PUBLIC).")
    decided(town, "Personal", "Vertraulich Lindenallee (RES-SECRET-1)", public=False)
    decided(town, "Ankauf", "Ankauf Lindenallee (RES-SECRET-2)", paper=secret)
    year = timezone.localdate().year
    thirsty = Tree.objects.create(
        municipality=town,
        external_id="L-1",
        species="Linde",
        planting_year=year - 7,
        latitude="52.400300",
        longitude="13.060500",
        street="Lindenallee",
        district="West",
    )
    Tree.objects.create(  # an old tree: no call to water
        municipality=town,
        external_id="L-2",
        species="Eiche",
        planting_year=year - 80,
        latitude="52.400300",
        longitude="13.060600",
        street="Lindenallee",
    )
    Tree.objects.create(
        municipality=town,
        external_id="FAR-1",
        species="Ahorn",
        planting_year=year - 7,
        latitude="52.480000",
        longitude="13.300000",
        street="Weit weg",
        district="Nord",
    )
    start = timezone.now() + timedelta(days=10)
    near = DialogueEvent.objects.create(
        municipality=town,
        kind="dialogue",
        slug="dialog-west",
        title="Stadtteildialog West",
        district="West",
        venue="Bürgerhaus",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    DialogueEvent.objects.create(
        municipality=town,
        kind="walk",
        slug="wanderung-nord",
        title="Wanderung Nord",
        district="Nord",
        venue="Bahnhof Nord",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    return {
        "reports": (inside, by_address, outside),
        "paper": paper,
        "elsewhere": elsewhere,
        "resolution": resolution,
        "tree": thirsty,
        "dialogue": near,
    }


def test_one_weekly_digest_with_everything_of_the_street(client_a, streets, pothole):
    subscription = subscribe_and_confirm(client_a)
    assert subscription.street == "Lindenallee"  # spelled as in the address list
    world = neighbourhood_world(streets, pothole)
    mail.outbox.clear()
    assert services.send_due() == 0 and not mail.outbox  # not a week yet
    week_later = timezone.now() + timedelta(days=8)
    assert services.send_due(week_later) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    body = message.body
    assert message.to == ["anna@example.org"] and "Lindenallee" in message.subject
    stop = (
        f"https://www.stadt-a.example/beteiligung/nachbarschaft/abbestellen/{subscription.token}/"
    )
    assert stop in body
    # The random token in the link may by chance contain "L-2" or "Ankauf"; the
    # absence checks below look at the text without it.
    body = body.replace(stop, "")
    inside, by_address, outside = world["reports"]
    assert f"Nr. {inside.pk} " in body and f"Nr. {by_address.pk} " in body
    assert f"Nr. {outside.pk} " not in body
    assert world["paper"].reference in body and "Neue Bäume für die Lindenallee" in body
    assert world["elsewhere"].reference not in body
    assert "Tempo 30" in body
    assert "L-1" in body and "L-2" not in body and "FAR-1" not in body
    assert "Stadtteildialog West" in body and "Wanderung Nord" not in body
    # Non-public council content never leaks: paper, its file, its resolution, secret items.
    for secret in ("GEHEIM-4711", "DATEI-0815", "RES-SECRET", "Vertraulich", "Ankauf"):
        assert secret not in body
    assert "melder@example.org" not in body
    # One digest a week: running again the same hour sends nothing.
    assert services.send_due(week_later) == 0 and len(mail.outbox) == 1


def test_the_task_row_carries_ids_and_rechecks_visibility(client_a, streets, pothole):
    subscription = subscribe_and_confirm(client_a)
    world = neighbourhood_world(streets, pothole)
    now = timezone.now() + timedelta(days=8)
    found = services.collect(subscription, since=subscription.digest_until, until=now)
    ids = services.pack(found)
    assert all(isinstance(i, int) for i in ids)
    paper = world["paper"]
    council.update_paper(paper, public=False)  # hidden after the digest was queued
    subject, body, to, town = services.digest_mail(subscription.pk, ids)
    assert town == subscription.municipality  # sent from its sender (ADR 0215)
    assert paper.reference not in body and "Tempo 30" in body
    assert services.unpack(services.pack(found))["papers"] == [paper.pk]


def test_papers_and_resolutions_come_from_the_council_public_query(streets):
    """The council's read function alone: the non-public paper, the public paper found
    only through a non-public file and the resolutions of secret items stay out."""
    from rathaus.council import public_queries

    secret = council.create_paper(
        streets, name="Geheim Lindenallee", paper_type="Antrag", public=False
    )
    open_paper = council.create_paper(streets, name="Offen Lindenallee", paper_type="Antrag")
    found = list(public_queries.papers_naming(streets, ["Lindenallee"]))
    assert found == [open_paper]
    assert secret not in public_queries.papers_naming(streets, ["Lindenallee"], ids=[secret.pk])
    decided(streets, "Geheim", "Lindenallee geheim", public=False)
    assert not public_queries.resolutions_naming(streets, ["Lindenallee"]).exists()
    assert not public_queries.papers_naming(streets, ["", "  "]).exists()


def test_radius_around_an_address_and_a_drawn_area(client_a, streets, pothole):
    subscription = subscribe_and_confirm(
        client_a, way="radius", street="Lindenallee", house_number="5", radius_m="250"
    )
    assert subscription.area_label == "250 m um Lindenallee 5"
    assert subscription.south < 52.4004 < subscription.north
    near = published(streets, pothole, latitude="52.401500", longitude="13.061000")  # ~125 m
    far = published(streets, pothole, latitude="52.405000", longitude="13.061000")  # ~500 m
    mail.outbox.clear()
    assert services.send_due(timezone.now() + timedelta(days=8)) == 1
    body = mail.outbox[-1].body
    assert f"Nr. {near.pk} " in body and f"Nr. {far.pk} " not in body

    area = services.subscribe(
        streets,
        email="b@example.org",
        way="area",
        box=(
            subscription.south,
            subscription.west,
            subscription.north,
            subscription.east,
        ),
    )
    assert area.way == "area" and area.street == ""
    # An area's council terms are the streets of the town's addresses inside it.
    assert "Lindenallee" in services.council_terms(area)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"email": ""}, "email", "Geben Sie Ihre E-Mail-Adresse ein."),
        ({"street": "Gibtsnichtweg"}, "street", "nicht im Adressverzeichnis"),
        ({"street": ""}, "street", "Geben Sie eine Straße ein."),
        ({"way": "radius", "house_number": "999", "radius_m": "250"}, "house_number", "Hausnummer"),
        ({"way": "radius", "radius_m": "7"}, "radius_m", "Auswahl"),
        (
            {"way": "area", "south": "52.5", "west": "13", "north": "52.4", "east": "13.1"},
            None,
            "Süden",
        ),
        (
            {"way": "area", "south": "52", "west": "13", "north": "53", "east": "14"},
            None,
            "zu groß",
        ),
        ({"way": "x" * 5000}, "way", "Auswahl"),
        ({"street": "🌳" * 200}, "street", "120"),
        ({"south": "1e999", "way": "area"}, "south", "außerhalb der Karte"),
    ],
)
def test_errors_are_german_and_summarised(client_a, streets, data, field, message):
    form = {"email": "a@example.org", "way": "street", "street": "Lindenallee", **data}
    response = client_a.post(URL, form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bitte korrigieren Sie Ihre Angaben" in page and message in page
    if field and field != "way":  # a radio group has no single input to link to
        assert f'href="#id_{field}' in page
    assert not NeighbourhoodSubscription.objects.exists()


def test_subscriptions_are_per_town(client, streets, town_b, pothole):
    """Cross-town isolation: town B's street of the same name, its reports, papers and
    trees never reach town A's subscriber; A's token does nothing on B's site."""
    client.defaults["HTTP_HOST"] = "a.test"
    subscription = subscribe_and_confirm(client)
    import_addresses(town_b, ADDRESSES)
    council.create_paper(town_b, name="Lindenallee in B (STADT-B)", paper_type="Antrag")
    Tree.objects.create(
        municipality=town_b,
        external_id="B-1",
        planting_year=timezone.localdate().year - 7,
        latitude="52.400300",
        longitude="13.060500",
        street="Lindenallee",
        district="West",
    )
    mail.outbox.clear()
    assert services.send_due(timezone.now() + timedelta(days=8)) == 0  # A has nothing new
    found = services.collect(
        subscription, since=subscription.digest_until, until=timezone.now() + timedelta(days=8)
    )
    assert not any(found[name] for name in services.SECTIONS)
    client.defaults["HTTP_HOST"] = "b.test"
    for path in ("bestaetigen", "abo", "abbestellen"):
        url = f"/beteiligung/nachbarschaft/{path}/{subscription.token}/"
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert NeighbourhoodSubscription.objects.filter(pk=subscription.pk).exists()


def test_manage_and_unsubscribe_delete_the_address(client_a, streets):
    subscription = subscribe_and_confirm(client_a)
    page = client_a.get(f"/beteiligung/nachbarschaft/abo/{subscription.token}/").content.decode()
    assert "anna@example.org" in page and "Straße: Lindenallee" in page
    stop = f"/beteiligung/nachbarschaft/abbestellen/{subscription.token}/"
    client_a.get(stop)
    assert NeighbourhoodSubscription.objects.exists()  # GET does not cancel
    assert "Abo abbestellt" in client_a.post(stop).content.decode()
    assert not NeighbourhoodSubscription.objects.exists()
    assert client_a.get(stop).status_code == 404


def test_retention_export_and_registry(streets):
    from rathaus.core.retention import rules
    from rathaus.participation import privacy

    old = services.subscribe(streets, email="old@example.org", way="street", street="Lindenallee")
    kept = services.subscribe(streets, email="new@example.org", way="street", street="Lindenallee")
    NeighbourhoodSubscription.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    confirmed = services.subscribe(
        streets, email="ok@example.org", way="street", street="Lindenallee"
    )
    services.confirm(confirmed)
    NeighbourhoodSubscription.objects.filter(pk=confirmed.pk).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    assert services.delete_unconfirmed(timezone.now()) == 1
    assert set(NeighbourhoodSubscription.objects.values_list("pk", flat=True)) == {
        kept.pk,
        confirmed.pk,
    }
    assert "participation.neighbourhood" in {rule.key for rule in rules()}

    class Person:
        emails = ["OK@example.org"]

    section = privacy.export_neighbourhood(Person())
    assert [r["E-Mail-Adresse"] for r in section.records] == ["ok@example.org"]


def test_street_atom_feed_without_subscription(client_a, streets, pothole):
    world = neighbourhood_world(streets, pothole)
    response = client_a.get("/beteiligung/nachbarschaft/strasse.atom?strasse=Lindenallee")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/atom+xml"
    )
    feed = response.content.decode()
    assert world["paper"].reference in feed and "GEHEIM-4711" not in feed
    assert "melder@example.org" not in feed and "RES-SECRET" not in feed
    for bad in ("Gibtsnicht", "", "x" * 5000, "%00"):
        url = f"/beteiligung/nachbarschaft/strasse.atom?strasse={bad}"
        assert client_a.get(url).status_code in (400, 404)


def test_dialogues_near_by_the_venue_address(streets):
    subscription = services.subscribe(
        streets, email="a@example.org", way="area", box=(52.399, 13.059, 52.401, 13.062)
    )
    start = timezone.now() + timedelta(days=3)

    def event(slug, venue, days=3):
        begin = timezone.now() + timedelta(days=days)
        return DialogueEvent.objects.create(
            municipality=streets,
            kind="dialogue",
            slug=slug,
            title=slug,
            venue=venue,
            starts_at=begin,
            ends_at=begin + timedelta(hours=1),
        )

    near = event("nah", "Bürgerhaus, Lindenallee 9")
    event("fern", "Rathaus, Breite Straße 2")  # about 2 km away
    event("spaeter", "Bürgerhaus, Lindenallee 9", days=40)  # beyond four weeks
    event("unbekannt", "Irgendwo")
    venues: dict = {}
    assert services.dialogues_near(subscription, now=start - timedelta(days=1), venues=venues) == [
        near
    ]
    assert (streets.pk, "Bürgerhaus, Lindenallee 9") in venues  # cached for the run


def test_radius_around_a_street_with_digits_in_its_name(town_a):
    import_addresses(
        town_a,
        "street,house_number,latitude,longitude\n"
        "Straße des 17. Juni,4,52.512000,13.350000\n"
        "Straße des 17. Juni,8,52.513000,13.360000\n",
    )
    numbered = services.subscribe(
        town_a,
        email="a@example.org",
        way="radius",
        street="Straße des 17. Juni",
        house_number="8",
        radius_m=100,
    )
    assert numbered.south < Decimal("52.513") < numbered.north
    assert numbered.west < Decimal("13.36") < numbered.east
    middle = services.subscribe(
        town_a, email="b@example.org", way="radius", street="straße des 17. juni", radius_m=100
    )
    assert middle.street == "Straße des 17. Juni" and middle.south < Decimal("52.5125")
