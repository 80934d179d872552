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


# --- texts stored once (ADR 0217) ---------------------------------------------------------

LAND_SUMMARY = "Den Ausweis beantragen Sie persönlich."


def _raw(service, *names):
    """The stored columns, as the database keeps them (no resolution)."""
    return Service.objects.filter(pk=service.pk).values(*names).get()


def _new_land_text(template, **changes):
    texts = {name: getattr(template, name) for name in land_template.TEMPLATE_FIELDS}
    texts.update(changes)
    return land_template.save_land_service(
        template.land,
        template.slug,
        topic=template.topic,
        leika_key=template.leika_key,
        **texts,
    )


def test_a_following_town_stores_no_copy_and_reads_the_land_text(town_a, template):
    service = _adopt(town_a, template)
    raw = _raw(service, "summary", "documents", "name")
    assert raw == {"summary": "", "documents": [], "name": template.name}  # names copied
    loaded = Service.objects.get(pk=service.pk)
    assert loaded.summary == LAND_SUMMARY and loaded.documents == ["Passfoto"]
    # Saving a loaded (resolved) service never writes the copy back.
    loaded.hints = "Bei uns im Rathaus, Zimmer 3."
    save_service(loaded, created=False, changed_fields=["hints"])
    assert _raw(service, "summary", "documents") == {"summary": "", "documents": []}
    assert Service.objects.get(pk=service.pk).own_fields == ""


def test_a_land_update_is_one_row_and_every_follower_reads_it(town_a, template):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    service = _adopt(town_a, template)
    before = Service.objects.get(pk=service.pk).updated_at
    with CaptureQueriesContext(connection) as queries:
        _, rows = _new_land_text(template, summary="Neu: nur mit Termin.")
    assert rows == 1
    writes = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    # The Land's row, and the followers' timestamp (memo keys) — no text copied.
    assert len(writes) == 2 and "Neu: nur mit Termin." not in writes[1]
    fresh = Service.objects.get(pk=service.pk)
    assert fresh.summary == "Neu: nur mit Termin." and fresh.updated_at > before
    assert _raw(service, "summary") == {"summary": ""}
    # A stale copy in a followed column (written around the write path, e.g. loaddata)
    # is not shown: the town follows the Land for that field.
    Service.objects.filter(pk=service.pk).update(summary="veraltete Kopie")
    assert Service.objects.get(pk=service.pk).summary == "Neu: nur mit Termin."


def test_an_own_text_is_stored_and_stays_and_following_again_empties_it(town_a, template):
    service = _adopt(town_a, template)
    service.summary = "Bei uns: nur mit Termin."
    service.documents = []  # the town's own version may be empty, too
    save_service(service, created=False, changed_fields=["summary", "documents"])
    assert _raw(service, "summary", "documents") == {
        "summary": "Bei uns: nur mit Termin.",
        "documents": [],
    }
    _new_land_text(template, summary="Land neu", documents=["Neues Foto"])
    fresh = Service.objects.get(pk=service.pk)
    assert fresh.summary == "Bei uns: nur mit Termin." and fresh.documents == []
    land_template.follow_land_again(fresh, ["summary", "documents"])
    assert _raw(service, "summary", "documents", "own_fields") == {
        "summary": "",
        "documents": [],
        "own_fields": "",
    }
    assert Service.objects.get(pk=service.pk).documents == ["Neues Foto"]
    # Typing the Land's text back in: following again, and no copy stays.
    fresh = Service.objects.get(pk=service.pk)
    fresh.summary = "Eigen"
    save_service(fresh, created=False, changed_fields=["summary"])
    fresh.summary = "Land neu"
    save_service(fresh, created=False, changed_fields=["summary"])
    assert _raw(service, "summary", "own_fields") == {"summary": "", "own_fields": ""}


def test_an_edit_without_the_write_path_is_never_lost(town_a, template):
    """A plain save() of a changed text keeps it as the town's own (no silent loss)."""
    service = Service.objects.get(pk=_adopt(town_a, template).pk)
    service.deadlines = "Vier Wochen vor der Reise"
    service.save()
    fresh = Service.objects.get(pk=service.pk)
    assert fresh.deadlines == "Vier Wochen vor der Reise" and fresh.own_fields == ",deadlines,"


def test_adopting_an_existing_service_empties_only_the_equal_copies(town_a, template):
    office = Office.objects.for_municipality(town_a).first()
    Service.objects.create(
        municipality=town_a,
        slug=template.slug,
        name=template.name,
        summary=LAND_SUMMARY,
        documents=["Eigenes Formular"],
        topic=template.topic,
        office=office,
    )
    service = land_template.adopt(town_a, template, office=office)
    assert land_template.own_fields(service) == {"documents"}
    assert _raw(service, "summary", "documents") == {
        "summary": "",
        "documents": ["Eigenes Formular"],
    }
    _new_land_text(template, summary="Land neu")
    assert Service.objects.get(pk=service.pk).summary == "Land neu"


def test_readers_that_name_columns_or_lock_rows_get_the_land_text(town_a, template):
    from django.db import transaction

    service = _adopt(town_a, template)
    narrow = Service.objects.only("pk", "summary").get(pk=service.pk)
    assert narrow.summary == LAND_SUMMARY
    names = Service.objects.only("pk", "name")
    assert "catalog_landservice" not in str(names.query)  # no join for names only
    assert names.get(pk=service.pk).summary == LAND_SUMMARY  # still right, if asked
    assert Service.objects.defer("summary").get(pk=service.pk).summary == LAND_SUMMARY
    with transaction.atomic():  # FOR UPDATE next to the outer join (PostgreSQL)
        locked = Service.objects.select_for_update().get(pk=service.pk)
        assert locked.documents == ["Passfoto"]
    via_office = service.office.services.get(pk=service.pk)  # a reverse relation
    assert via_office.summary == LAND_SUMMARY


def test_export_search_and_page_show_the_land_text_after_an_update(
    town_a, template, client_a, django_capture_on_commit_callbacks
):
    import json

    from rathaus.catalog import search, xzufi

    service = _adopt(town_a, template)
    assert search.query(town_a, "persönlich").hits[0].service_id == service.pk
    with django_capture_on_commit_callbacks(execute=True):
        _new_land_text(template, summary="Den Ausweis gibt es jetzt auch im Fahrradladen.")
    assert [h.service_id for h in search.query(town_a, "Fahrradladen").hits] == [service.pk]
    exported = json.dumps(xzufi.export_catalog(town_a), ensure_ascii=False)
    assert "auch im Fahrradladen" in exported and "Passfoto" in exported
    page = client_a.get(service.get_absolute_url())
    assert page.status_code == 200
    assert "auch im Fahrradladen" in page.content.decode() and "Passfoto" in page.content.decode()


def test_booking_and_application_readers_through_select_related(town_a, template, client_a):
    from django.urls import reverse

    from rathaus.applications import library
    from rathaus.appointments.models import Offer
    from rathaus.appointments.tasks import bring_items_for
    from tests.appointments.conftest import make_offer

    service = _adopt(town_a, template)
    make_offer(town_a, service)
    offer = Offer.objects.select_related("service").get(service=service)
    assert bring_items_for([offer])[0] == ["Passfoto"]

    topic = template.topic
    bulky, _ = land_template.save_land_service(
        "BB",
        "sperrmuell-anmelden",
        topic=topic,
        name="Sperrmüll anmelden",
        summary="Sperrmüll holen wir zweimal im Jahr kostenlos ab.",
    )
    library.install(_adopt(town_a, bulky))
    page = client_a.get(reverse("applications:index"))
    assert "zweimal im Jahr kostenlos" in page.content.decode()


def test_the_migration_drops_equal_copies_and_keeps_differing_ones(town_a, template):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("rathaus.catalog.migrations.0009_texts_stored_once")
    service = _adopt(town_a, template)
    # As before ADR 0217: the follower's row holds copies, one of them changed unmarked.
    Service.objects.filter(pk=service.pk).update(summary=LAND_SUMMARY, deadlines="Eigene Frist")
    migration.drop_copies(apps, None)
    assert _raw(service, "summary", "deadlines", "own_fields") == {
        "summary": "",
        "deadlines": "Eigene Frist",
        "own_fields": ",deadlines,",
    }
    migration.restore_copies(apps, None)
    assert _raw(service, "summary")["summary"] == LAND_SUMMARY


def test_a_land_text_that_towns_read_cannot_be_deleted(town_a, template):
    from django.db.models import ProtectedError

    _adopt(town_a, template)
    with pytest.raises(ProtectedError):
        template.delete()
