"""The Land catalog template's operator pages (ADR 0211, issue 21): the Land's texts
listed, edited (with how many towns follow each field), imported from XZuFi JSON and
adopted for a town; the town's staff page shows which texts follow the Land."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from rathaus.catalog import demo, land_template, taxonomy
from rathaus.catalog.models import LandService, LifeSituation, Service, Topic
from rathaus.catalog.services import save_service
from rathaus.core.models import AuditEntry, Office, Role
from tests.conftest import make_municipality, make_office_with_location, make_staff

pytestmark = pytest.mark.django_db

LAND = "land.localhost"
LAND_FILE = demo.LAND_DIR / "sachsen-anhalt.json"


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())


@pytest.fixture
def land_set(db):
    taxonomy.sync_taxonomy(Topic, LifeSituation)
    call_command("land_catalog", "import", str(LAND_FILE), stdout=io.StringIO())
    return LandService.objects.filter(land="ST")


@pytest.fixture
def operator(db):
    from rathaus.core.models import User

    return User.objects.create_superuser("betrieb@land.test", "betrieb-123!")


@pytest.fixture
def land_client(settings, operator):
    settings.RATHAUS_OPERATOR_HOSTS = [LAND]
    client = Client(HTTP_HOST=LAND)
    client.force_login(operator)
    return client


def _upload(payload, name="land.json"):
    data = io.BytesIO(json.dumps(payload).encode() if not isinstance(payload, bytes) else payload)
    data.name = name
    return data


def test_demo_land_set_loads_through_the_import_path(land_set):
    assert land_set.count() == 10
    ausweis = land_set.get(slug="personalausweis-beantragen")
    assert ausweis.summary and ausweis.documents and ausweis.topic.slug == "querschnitt"
    assert not LandService.objects.filter(summary__contains="Musterstadt").exists()
    # A second run changes nothing and duplicates nothing.
    call_command("land_catalog", "import", str(LAND_FILE), stdout=io.StringIO())
    assert LandService.objects.count() == 10


def test_wrong_way_in(settings, land_set, town_a, town_b, admin_a, citizen, operator):
    settings.RATHAUS_OPERATOR_HOSTS = [LAND]
    paths = [
        "/land/vorlage/",
        "/land/vorlage/ST/personalausweis-beantragen/",
        f"/land/vorlage/kommunen/{town_b.slug}/",
        "/land/vorlage/import/",
    ]
    anonymous = Client(HTTP_HOST=LAND)
    town_admin = Client(HTTP_HOST=LAND)
    town_admin.force_login(admin_a)
    resident = Client(HTTP_HOST=LAND)
    resident.force_login(citizen)
    on_town_host = Client(HTTP_HOST="a.test")
    on_town_host.force_login(operator)
    unknown_host = Client(HTTP_HOST="nirgendwo.test")
    unknown_host.force_login(operator)
    for path in paths:
        assert anonymous.get(path).url.startswith("/anmelden/"), path
        assert town_admin.get(path).status_code == 403, path
        assert resident.get(path).status_code == 403, path
        assert on_town_host.get(path).status_code == 404, path
        assert unknown_host.get(path).status_code == 400, path
    office = Office.objects.for_municipality(town_b).first()
    town_admin.post(paths[2], {"office": office.pk, "scope": "all"})
    on_town_host.post(paths[2], {"office": office.pk, "scope": "all"})
    town_admin.post(paths[1], {"topic": land_set[0].topic_id, "name": "X", "summary": "Y"})
    assert not Service.objects.filter(land_service__isnull=False).exists()
    assert not LandService.objects.filter(name="X").exists()


def test_list_and_bad_land_parameter(land_client, land_set):
    page = land_client.get("/land/vorlage/?land=ST").content.decode()
    assert "Personalausweis beantragen" in page and "Sachsen-Anhalt" in page
    assert land_client.get("/land/vorlage/?land=XX").status_code == 404
    assert land_client.get("/land/vorlage/?land=%00").status_code == 400  # control character
    assert land_client.get("/land/vorlage/XX/personalausweis-beantragen/").status_code == 404
    assert land_client.get("/land/vorlage/ST/gibt-es-nicht/").status_code == 404


def test_import_through_the_page(land_client, db):
    taxonomy.sync_taxonomy(Topic, LifeSituation)
    payload = json.loads(LAND_FILE.read_text("utf-8"))
    response = land_client.post("/land/vorlage/import/", {"land": "ST", "file": _upload(payload)})
    assert response.status_code == 302 and response.url == "/land/vorlage/?land=ST"
    assert LandService.objects.filter(land="ST").count() == 10
    assert AuditEntry.objects.filter(action="catalog.land_service_saved").count() == 10


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p: p["leistungen"][1].update(themenfeld="gibt-es-nicht"), "Unbekanntes Themenfeld"),
        (lambda p: p.update(land="BB"), "gehört zum Land"),
        (lambda p: p["leistungen"][0]["texte"].clear(), "Kurztext"),
        (lambda p: p.update(leistungen="keine Liste"), "keine Liste"),
    ],
)
def test_import_refuses_bad_files_and_saves_nothing(land_client, db, change, message):
    taxonomy.sync_taxonomy(Topic, LifeSituation)
    payload = json.loads(LAND_FILE.read_text("utf-8"))
    change(payload)
    response = land_client.post("/land/vorlage/import/", {"land": "ST", "file": _upload(payload)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LandService.objects.exists()


def test_import_refuses_what_is_not_json(land_client, db):
    for raw in (b"\xff\xfe kein json", b"{", b""):
        response = land_client.post("/land/vorlage/import/", {"land": "ST", "file": _upload(raw)})
        assert response.status_code == 200
        assert "Bitte korrigieren" in response.content.decode()
    response = land_client.post("/land/vorlage/import/", {"land": "ZZ", "file": _upload({})})
    assert response.status_code == 200
    assert not LandService.objects.exists()


def _second_town():
    town = make_municipality("stadt-c", "Stadt-C", "15099903", "c.test", land="ST")
    make_office_with_location(town, "c")
    return town


def test_adopt_all_by_topic_and_single_idempotent(land_client, land_set, town_b):
    office = Office.objects.for_municipality(town_b).first()
    location = office.locations.first()
    url = f"/land/vorlage/kommunen/{town_b.slug}/"
    page = land_client.get(url).content.decode()
    assert "Personalausweis beantragen" in page and office.name in page

    reisen = Topic.objects.get(slug="mobilitaet-reisen")
    response = land_client.post(
        url,
        {"office": office.pk, "locations": [location.pk], "scope": "topic", "topic": reisen.pk},
    )
    assert response.status_code == 302
    adopted = Service.objects.for_municipality(town_b)
    assert set(adopted.values_list("slug", flat=True)) == {
        "reisepass-beantragen",
        "kinderreisepass-beantragen",
    }
    service = adopted.get(slug="reisepass-beantragen")
    assert service.office == office and list(service.locations.all()) == [location]
    assert service.summary == land_set.get(slug="reisepass-beantragen").summary

    single = land_set.get(slug="hund-anmelden")
    land_client.post(url, {"office": office.pk, "scope": "some", "services": [single.pk]})
    assert adopted.count() == 3

    response = land_client.post(url, {"office": office.pk, "scope": "all"}, follow=True)
    assert "7 Leistungen neu übernommen" in response.content.decode()
    assert "3 schon übernommen" in response.content.decode()
    assert adopted.count() == 10
    again = land_client.post(url, {"office": office.pk, "scope": "all"}, follow=True)
    assert "0 Leistungen neu übernommen" in again.content.decode()
    assert adopted.count() == 10
    assert AuditEntry.objects.filter(action="catalog.land_set_adopted").count() == 4
    assert AuditEntry.objects.filter(action="catalog.land_service_adopted").count() == 10


def test_adopt_refuses_foreign_office_location_and_empty_choices(land_client, land_set, town_b):
    town_c = _second_town()
    url = f"/land/vorlage/kommunen/{town_b.slug}/"
    foreign = Office.objects.for_municipality(town_c).first()
    own = Office.objects.for_municipality(town_b).first()
    cases = [
        {"office": foreign.pk, "scope": "all"},
        {"office": own.pk, "scope": "all", "locations": [foreign.locations.first().pk]},
        {"office": own.pk, "scope": "topic"},
        {"office": own.pk, "scope": "some"},
        {"office": own.pk, "scope": "alles"},
        {"office": "x", "scope": "all"},
        {"office": own.pk, "scope": "some", "services": ["x"]},
    ]
    for data in cases:
        response = land_client.post(url, data)
        assert response.status_code == 200, data
        assert "Bitte korrigieren" in response.content.decode(), data
    assert not Service.objects.exists()
    assert land_client.get("/land/vorlage/kommunen/gibt-es-nicht/").status_code == 404


def test_adopt_of_a_town_of_another_land_offers_nothing(land_client, land_set, town_a):
    page = land_client.get(f"/land/vorlage/kommunen/{town_a.slug}/").content.decode()
    assert "noch keine Leistungstexte" in page
    office = Office.objects.for_municipality(town_a).first()
    land_client.post(
        f"/land/vorlage/kommunen/{town_a.slug}/",
        {"office": office.pk, "scope": "some", "services": [land_set[0].pk]},
    )
    assert not Service.objects.exists()


def test_adopt_is_one_transaction(land_set, town_b, monkeypatch):
    """A failure on the fifth service leaves the town without any of them."""
    office = Office.objects.for_municipality(town_b).first()
    real = land_template.adopt
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("Datenbank weg")
        return real(*args, **kwargs)

    monkeypatch.setattr(land_template, "adopt", failing)
    with pytest.raises(RuntimeError):
        land_template.adopt_many(town_b, land_set, office=office)
    assert not Service.objects.filter(municipality=town_b).exists()
    assert (
        not AuditEntry.objects.filter(action__startswith="catalog.land_s")
        .exclude(action="catalog.land_service_saved")
        .exists()
    )


def test_edit_reaches_followers_and_shows_counts(land_client, land_set, town_b):
    town_c = _second_town()
    template = land_set.get(slug="hund-anmelden")
    for town in (town_b, town_c):
        land_template.adopt_many(
            town, [template], office=Office.objects.for_municipality(town).first()
        )
    theirs = Service.objects.for_municipality(town_c).get(slug="hund-anmelden")
    theirs.summary = "In Stadt-C melden Sie Ihren Hund online an."
    save_service(theirs, created=False, changed_fields=["summary"])

    url = "/land/vorlage/ST/hund-anmelden/"
    page = land_client.get(url).content.decode()
    assert "übernommen von 2 Kommunen" in page
    assert "Folgen dem Land: 1 · eigene Fassung: 1" in page  # the summary
    assert "Folgen dem Land: 2 · eigene Fassung: 0" in page

    data = LandServiceFormData.of(template)
    data["summary"] = "Neu ab 2027: Hunde melden Sie innerhalb von zwei Wochen an."
    data["documents"] = "Nachweis der Haftpflichtversicherung\nChipnummer"
    response = land_client.post(url, data, follow=True)
    # summary in the town that follows it, documents in both
    assert "3 Felder in Kommunen nachgeführt" in response.content.decode()
    mine = Service.objects.for_municipality(town_b).get(slug="hund-anmelden")
    theirs.refresh_from_db()
    assert mine.summary.startswith("Neu ab 2027")
    assert mine.documents == ["Nachweis der Haftpflichtversicherung", "Chipnummer"]
    assert theirs.summary.startswith("In Stadt-C") and theirs.documents == mine.documents

    bad = dict(data, summary="", leika_key="123")
    response = land_client.post(url, bad)
    assert response.status_code == 200 and "14 Ziffern" in response.content.decode()
    template.refresh_from_db()
    assert template.summary.startswith("Neu ab 2027")


class LandServiceFormData:
    @staticmethod
    def of(template) -> dict:
        from rathaus.catalog.land_forms import LandServiceForm

        return {k: v for k, v in LandServiceForm.initial_from(template).items()}


def test_follower_counts_take_one_query(land_set, town_b, django_assert_num_queries):
    template = land_set[0]
    land_template.adopt_many(town_b, [template], office=Office.objects.for_municipality(town_b)[0])
    with django_assert_num_queries(1):
        counts = land_template.followers(template)
    assert counts["towns"] == 1 and counts["fields"]["summary"] == {"own": 0, "follow": 1}


# --- the town's staff page ------------------------------------------------------------


@pytest.fixture
def editor_b(town_b):
    return make_staff(town_b, "editor@b.test", Role.CATALOG_EDITOR)


def test_town_staff_page_shows_own_fields_and_follows_the_land_again(
    client_b, land_set, town_b, editor_b
):
    template = land_set.get(slug="personalausweis-beantragen")
    land_template.adopt_many(
        town_b, [template], office=Office.objects.for_municipality(town_b).first()
    )
    service = Service.objects.for_municipality(town_b).get(slug=template.slug)
    service.summary = "Bei uns nur mit Termin."
    save_service(service, created=False, changed_fields=["summary"])
    client_b.force_login(editor_b)
    change = f"/verwaltung/admin/catalog/service/{service.pk}/change/"
    page = client_b.get(change).content.decode()
    assert "Vorlage des Landes" in page
    assert page.count("eigene Fassung der Kommune") == 1
    assert "folgt der Landesfassung" in page
    assert "der Landesfassung wieder folgen" in page

    follow = f"/verwaltung/admin/catalog/service/{service.pk}/landesfassung/"
    assert client_b.get(follow).status_code == 405
    response = client_b.post(follow, {"field": "fees"}, follow=True)
    assert response.status_code == 200 and "Erlaubt sind" in response.content.decode()
    response = client_b.post(follow, {"field": "summary"})
    assert response.status_code == 302 and response.url == change
    service.refresh_from_db()
    assert service.summary == template.summary and service.own_fields == ""
    assert AuditEntry.objects.filter(action="catalog.land_text_restored").count() == 1
    assert "eigene Fassung der Kommune" not in client_b.get(change).content.decode()


def test_follow_the_land_again_stays_in_the_town(
    client_a, land_set, town_a, town_b, editor_a, editor_b
):
    template = land_set[0]
    land_template.adopt_many(
        town_b, [template], office=Office.objects.for_municipality(town_b).first()
    )
    service = Service.objects.for_municipality(town_b).get()
    service.summary = "Eigener Text"
    save_service(service, created=False, changed_fields=["summary"])
    client_a.force_login(editor_a)  # town A's editor, on town A's host
    response = client_a.post(
        f"/verwaltung/admin/catalog/service/{service.pk}/landesfassung/", {"field": "summary"}
    )
    assert response.status_code == 404
    service.refresh_from_db()
    assert service.summary == "Eigener Text"
    citizen_client = Client(HTTP_HOST="b.test")
    response = citizen_client.post(
        f"/verwaltung/admin/catalog/service/{service.pk}/landesfassung/", {"field": "summary"}
    )
    assert response.status_code == 302 and "login" in response.url
    service.refresh_from_db()
    assert service.summary == "Eigener Text"


def test_a_service_of_its_own_shows_no_land_panel(client_b, town_b, editor_b, land_set):
    service = Service.objects.create(
        municipality=town_b,
        slug="eigene-leistung",
        name="Eigene Leistung",
        summary="Nur bei uns.",
        topic=land_set[0].topic,
        office=Office.objects.for_municipality(town_b).first(),
    )
    client_b.force_login(editor_b)
    page = client_b.get(f"/verwaltung/admin/catalog/service/{service.pk}/change/")
    assert "der Landesfassung wieder folgen" not in page.content.decode()


def test_commands_import_and_adopt_by_topic_idempotent(land_set, town_b, capsys, tmp_path):
    from django.core.management.base import CommandError

    office = Office.objects.for_municipality(town_b).first()
    location = office.locations.first()
    args = ["land_catalog", "adopt"]
    options = {"municipality": town_b.slug, "office": office.slug, "location": [location.slug]}
    call_command(*args, topic="querschnitt", **options)
    first = Service.objects.for_municipality(town_b).count()
    assert first == land_set.filter(topic__slug="querschnitt").count() > 0
    call_command(*args, topic="querschnitt", **options)
    assert Service.objects.for_municipality(town_b).count() == first
    assert (
        f"0 Leistungen aus der Vorlage des Landes übernommen, 0 vorhandene verbunden, {first} schon"
        in (capsys.readouterr().out)
    )
    with pytest.raises(CommandError):
        call_command(*args, topic="gibt-es-nicht", **options)
    with pytest.raises(CommandError):
        call_command(*args, municipality=town_b.slug, office=office.slug, location=["nein"])
    broken = tmp_path / "land.json"
    broken.write_text('{"land": "ST", "leistungen": [{"id": "x"}]}', "utf-8")
    with pytest.raises(CommandError):
        call_command("land_catalog", "import", str(broken), stdout=io.StringIO())
    assert LandService.objects.count() == 10
