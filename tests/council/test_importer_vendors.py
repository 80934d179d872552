"""The importer against vendor-shaped payloads (ALLRIS-like and SessionNet-like).

What must hold (OParl 1.1 and the migration promise): every valid field is kept, each
rejected field is recorded with its reason, quoted booleans mean what they say, no
date is invented, references are not cut, relations between papers and to their
originators arrive, any list page is survived, and a tombstone takes what only
existed through the object with it.
"""

from datetime import date

import pytest

from rathaus.council.importer import Importer, import_system
from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)

from .oparl_fixtures import FixtureSource

pytestmark = pytest.mark.django_db

ALLRIS = "https://ris.allris.example/bi/oparl/1.0"
SESSIONNET = "https://sessionnet.example/oparl"


def run(source, town, **options):
    report = import_system(town, source.system_url, fetch=source.fetch, **options)
    print(f"\n[{source.base}]")
    for line in report.lines():
        print("  " + line)
    return report


def ext(model, url):
    return model.objects.get(external_id=url)


def rejected(report) -> set[tuple[str, str]]:
    return {
        (url.removeprefix(ALLRIS).removeprefix(SESSIONNET), prop)
        for url, prop, _ in report.rejected
    }


@pytest.fixture
def allris(town_b):
    source = FixtureSource("allris")
    return source, run(source, town_b)


def test_allris_quoted_booleans_mean_what_they_say(allris):
    assert ext(Membership, f"{ALLRIS}/memberships.asp?id=31").voting_right is False
    assert ext(Membership, f"{ALLRIS}/memberships.asp?id=32").voting_right is True
    assert ext(Meeting, f"{ALLRIS}/meetings.asp?id=41").cancelled is False
    assert ext(Meeting, f"{ALLRIS}/meetings.asp?id=42").cancelled is True
    assert ext(AgendaItem, f"{ALLRIS}/agendaitems.asp?id=62").public is False
    assert ext(AgendaItem, f"{ALLRIS}/agendaitems.asp?id=61").public is True


def test_allris_one_bad_field_costs_the_field_not_the_object(allris):
    _source, report = allris
    group = ext(Organization, f"{ALLRIS}/organizations.asp?id=12")
    assert group.name == "Fraktion Grüne" and group.kind == "group"  # numeric name rejected
    assert group.start_date is None
    item = ext(AgendaItem, f"{ALLRIS}/agendaitems.asp?id=61")
    assert item.number == "3a" and item.order == 1  # order "3a" rejected, position kept
    assert ext(AgendaItem, f"{ALLRIS}/agendaitems.asp?id=62").number == "7"
    main = ext(File, f"{ALLRIS}/files.asp?id=81")
    assert main.size == 0 and main.sha1_checksum == "" and main.name == "Vorlage"
    paper = ext(Paper, f"{ALLRIS}/papers.asp?id=71")
    assert main.paper == paper and paper.consultations.count() == 1
    assert paper.files.count() == 2
    assert {
        ("/organizations.asp?id=12", "name"),
        ("/organizations.asp?id=12", "startDate"),
        ("/memberships.asp?id=32", "endDate"),
        ("/agendaitems.asp?id=61", "order"),
        ("/files.asp?id=81", "size"),
        ("/files.asp?id=81", "sha1Checksum"),
        ("/papers.asp?id=72", "date"),
    } <= rejected(report)
    assert all(reason for _url, _prop, reason in report.rejected)
    # Counted as created exactly what exists.
    assert report.created["Paper"] == Paper.objects.count() == 3
    assert report.created["File"] == File.objects.count() == 2


def test_allris_dates_are_read_or_left_empty_never_invented(allris):
    assert ext(Paper, f"{ALLRIS}/papers.asp?id=71").date == date(2024, 3, 4)  # 04.03.2024
    assert ext(Paper, f"{ALLRIS}/papers.asp?id=72").date is None
    assert ext(Paper, f"{ALLRIS}/papers.asp?id=73").date == date(2024, 4, 2)
    assert ext(Membership, f"{ALLRIS}/memberships.asp?id=31").start_date == date(2024, 3, 4)
    meeting = ext(Meeting, f"{ALLRIS}/meetings.asp?id=41")
    assert meeting.start.isoformat() == "2024-09-12T15:00:00+00:00"  # naive = Berlin


def test_allris_relations_reference_and_body_name(allris):
    amendment = ext(Paper, f"{ALLRIS}/papers.asp?id=72")
    parent = ext(Paper, f"{ALLRIS}/papers.asp?id=71")
    assert amendment.reference == (
        "VO/2024/0815-01 Änderungsantrag zur Beschlussvorlage des Fachbereichs Stadtplanung"
    )
    assert amendment.superordinated == parent
    assert list(amendment.related_papers.values_list("reference", flat=True)) == ["VO/2024/0901"]
    assert list(amendment.originator_organizations.values_list("short_name", flat=True)) == [
        "Fraktion Grüne"
    ]
    assert list(parent.originator_persons.values_list("name", flat=True)) == ["Petra Planer"]
    assert Body.objects.get(municipality=parent.municipality).name == "Hansestadt Allrisstadt"


def test_allris_page_with_data_null_is_survived(allris):
    _source, report = allris
    assert Paper.objects.filter(external_id=f"{ALLRIS}/papers.asp?id=73").exists()
    assert any("data" in reason for _url, reason in report.skipped)
    assert report.pages >= 6 and report.objects > 0 and "Objekte/s" in report.progress_line()


def test_allris_tombstone_cascades_to_files_and_consultations(allris, town_b):
    source, _report = allris
    tombstone = {
        "id": f"{ALLRIS}/papers.asp?id=71",
        "type": "https://schema.oparl.org/1.0/Paper",
        "deleted": True,
        "created": "2024-03-04T10:00:00+01:00",
        "modified": "2024-11-01T10:00:00+01:00",
    }
    empty = {"data": [], "links": {}}
    later = FixtureSource(
        "allris",
        {
            "/papers.asp?body=1": {"data": [tombstone], "links": {}},
            "/organizations.asp?body=1": empty,
            "/persons.asp?body=1": empty,
            "/meetings.asp?body=1": empty,
        },
    )
    report = run(later, town_b)
    paper = ext(Paper, f"{ALLRIS}/papers.asp?id=71")
    assert paper.deleted and report.deleted["Paper"] == 1
    assert all(c.deleted for c in paper.consultations.all())
    assert all(f.deleted for f in paper.files.all())
    assert not ext(Paper, f"{ALLRIS}/papers.asp?id=72").deleted  # its amendment stays


def test_allris_progress_is_reported_while_running(town_b):
    source = FixtureSource("allris")
    lines = []
    importer = Importer(town_b, source.system_url, fetch=source.fetch, progress=lines.append)
    importer.PROGRESS_EVERY = 5
    importer.run()
    assert lines and all("Objekte/s" in line and "Listenseiten" in line for line in lines)
    assert any(line.startswith("paper:") for line in lines)


def test_sessionnet_shapes(town_b):
    source = FixtureSource("sessionnet")
    report = run(source, town_b)
    assert Body.objects.get(municipality=town_b).name == "Gemeinde Sessionsdorf"
    meeting = ext(Meeting, f"{SESSIONNET}/meeting/5")
    assert meeting.start.isoformat() == "2024-05-01T22:00:00+00:00"  # date only: midnight
    assert meeting.cancelled is False  # "0"
    item = ext(AgendaItem, f"{SESSIONNET}/agendaitem/51")
    assert item.meeting == meeting and item.number == "Ö 1"
    invitation = ext(File, f"{SESSIONNET}/file/501")
    assert invitation.meeting == meeting and invitation.role == "invitation"
    plan = ext(File, f"{SESSIONNET}/file/502")
    assert plan.source_url.startswith("https://") and plan.date == date(2024, 4, 20)
    assert ("/file/502", "accessUrl") in rejected(report)
    consultation = ext(Consultation, f"{SESSIONNET}/consultation/7001")
    assert consultation.agenda_item == item and consultation.role == "Entscheidung"
    # Tombstones of objects never seen create nothing; the null person page is survived.
    assert not Meeting.objects.filter(external_id=f"{SESSIONNET}/meeting/6").exists()
    assert not Paper.objects.filter(external_id=f"{SESSIONNET}/paper/701").exists()
    assert Person.objects.count() == 0
    assert report.deviations["body als Liste statt URL"] == 1
    assert report.deviations["Liste ohne data/links"] == 1
