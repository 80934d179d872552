"""OParl 1.1 conformance, written from the specification.

Checks each object type's required properties and their types, the list format
with paging, the filters, deleted objects, CORS, file URLs and that non-public
content is never served.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.council import services
from rathaus.council.models import File, LegislativeTerm

pytestmark = pytest.mark.django_db

BASE = "http://a.test/rat/oparl/v1"
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL = re.compile(r"^https?://")

# Required properties per type (OParl 1.1, chapter "Schema") and the type of each.
REQUIRED = {
    "System": {"id": str, "type": str, "oparlVersion": str, "body": str},
    "Body": {
        "id": str,
        "type": str,
        "name": str,
        "organization": str,
        "person": str,
        "meeting": str,
        "paper": str,
        "legislativeTerm": list,
    },
    "LegislativeTerm": {"id": str, "type": str},
    "Organization": {"id": str, "type": str},
    "Person": {"id": str, "type": str},
    "Membership": {"id": str, "type": str, "person": str, "organization": str},
    "Meeting": {"id": str, "type": str},
    "AgendaItem": {"id": str, "type": str, "order": int},
    "Paper": {"id": str, "type": str},
    "Consultation": {"id": str, "type": str},
    "File": {"id": str, "type": str, "accessUrl": str},
    "Location": {"id": str, "type": str},
}
URL_PROPS = {
    "id",
    "body",
    "organization",
    "person",
    "meeting",
    "paper",
    "accessUrl",
    "downloadUrl",
    "system",
    "web",
    "agendaItem",
    "consultation",
    "onBehalfOf",
    "superordinatedPaper",
}
DATETIME_PROPS = {"created", "modified", "start", "end", "licenseValidSince", "oparlSince"}
DATE_PROPS = {"startDate", "endDate", "date"}


def check_object(obj, kind=None, embedded=False):
    kind = kind or obj["type"].rsplit("/", 1)[1]
    assert obj["type"] == f"https://schema.oparl.org/1.1/{kind}"
    for prop, expected in REQUIRED[kind].items():
        if embedded and prop in ("person", "meeting", "paper"):
            continue  # back-references may be left out when embedded
        assert prop in obj, f"{kind}.{prop} missing"
        assert isinstance(obj[prop], expected), f"{kind}.{prop} has wrong type"
    for prop, value in obj.items():
        assert value is not None, f"{kind}.{prop} is null"
        if prop in URL_PROPS and isinstance(value, str):
            assert URL.match(value), f"{kind}.{prop}={value}"
        if prop in DATETIME_PROPS:
            assert DATETIME.match(value), f"{kind}.{prop}={value}"
        if prop in DATE_PROPS and kind != "File":
            assert DATE.match(value), f"{kind}.{prop}={value}"
    if kind == "File" and "date" in obj:
        assert DATE.match(obj["date"])
    for name in ("legislativeTerm", "membership", "agendaItem", "consultation", "auxiliaryFile"):
        for sub in obj.get(name, []) if isinstance(obj.get(name), list) else []:
            if isinstance(sub, dict):
                check_object(sub, embedded=True)
    for name in ("location", "mainFile", "invitation", "resultsProtocol"):
        if isinstance(obj.get(name), dict):
            check_object(obj[name], embedded=True)


@pytest.fixture
def oparl(client_a):
    def get(url, status=200, **params):
        path = url.replace("http://a.test", "")
        response = client_a.get(path, params)
        assert response.status_code == status, response.content
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return response.json()

    return get


@pytest.fixture
def world(council_a):
    c = council_a
    LegislativeTerm.objects.create(
        municipality=c.town,
        body=c.body,
        name="2019–2024",
        start_date=timezone.datetime(2019, 6, 1).date(),
    )
    services.publish_agenda(c.meeting)
    services.record_result(c.item, result="beschlossen", unanimous=True, resolution_text="Ja.")
    return c


def list_all(oparl, url, **params):
    items, seen = [], 0
    page = oparl(url, **params)
    while True:
        seen += 1
        assert set(page) >= {"data", "pagination", "links"}
        items += page["data"]
        if "next" not in page["links"]:
            break
        page = oparl(page["links"]["next"])
    return items


def test_system_and_body(oparl, world):
    system = oparl(f"{BASE}/system")
    check_object(system, "System")
    assert system["oparlVersion"] == "https://schema.oparl.org/1.1/"
    bodies = oparl(system["body"])
    assert bodies["pagination"]["totalElements"] == 1
    body = bodies["data"][0]
    check_object(body, "Body")
    assert body["ags"] == "12099901"
    assert body["legislativeTerm"][0]["name"] == "2019–2024"
    assert oparl(body["id"]) == body


def test_every_list_and_object_conforms(oparl, world):
    body = oparl(f"{BASE}/body")["data"][0]
    for prop, kind in [
        ("organization", "Organization"),
        ("person", "Person"),
        ("meeting", "Meeting"),
        ("paper", "Paper"),
        ("agendaItem", "AgendaItem"),
        ("consultation", "Consultation"),
        ("file", "File"),
        ("locationList", "Location"),
        ("legislativeTermList", "LegislativeTerm"),
        ("membership", "Membership"),
    ]:
        items = list_all(oparl, body[prop])
        assert items, prop
        for obj in items:
            check_object(obj, kind)
            assert oparl(obj["id"]) == obj  # the id resolves to the same object


def test_meeting_embeds_location_and_public_agenda(oparl, world):
    meetings = oparl(f"{BASE}/body/{world.body.pk}/meeting")["data"]
    meeting = next(m for m in meetings if m["name"].startswith("25."))
    assert meeting["start"] == "2023-01-10T18:00:00+01:00"
    assert meeting["location"]["room"] == "Raum 280 a"
    assert [i["name"] for i in meeting["agendaItem"]] == ["Transparenz der Tätigkeit von Beiräten"]
    assert meeting["agendaItem"][0]["result"] == "beschlossen"
    assert meeting["organization"] == [f"{BASE}/organization/{world.committee.pk}"]


def test_paper_embeds_consultation_and_files(oparl, world):
    paper = oparl(f"{BASE}/paper/{world.paper.pk}")
    assert paper["reference"] == "22/SVV/0792" and paper["paperType"] == "Antrag"
    assert paper["date"] == "2022-09-08"
    (consultation,) = paper["consultation"]
    assert consultation["role"] == "Vorberatung" and consultation["authoritative"] is False
    assert consultation["agendaItem"] == f"{BASE}/agendaitem/{world.item.pk}"
    (file,) = [paper.get("mainFile")] if "mainFile" in paper else paper["auxiliaryFile"]
    assert file["accessUrl"] == f"http://a.test/rat/dateien/{world.public_file.pk}/"
    assert file["downloadUrl"].endswith("/download/")
    assert file["size"] == len(b"Beiratsseiten werden neu strukturiert")


def test_non_public_never_served(oparl, world, client_a):
    c = world
    body = oparl(f"{BASE}/body")["data"][0]
    dump = ""
    for prop in ("meeting", "paper", "agendaItem", "consultation", "file"):
        for obj in list_all(oparl, body[prop]):
            dump += str(obj)
        for obj in list_all(oparl, body[prop], modified_since="2000-01-01T00:00:00+00:00"):
            dump += str(obj)
    for secret in ("Geheimweg", "Geheimzahl", "23/SVV/0001"):
        assert secret not in dump
    for kind, pk in [
        ("paper", c.secret_paper.pk),
        ("agendaitem", c.secret_item.pk),
        ("consultation", c.secret_consultation.pk),
        ("file", c.secret_file.pk),
    ]:
        oparl(f"{BASE}/{kind}/{pk}", status=404)
        assert f"{BASE}/{kind}/{pk}" not in dump


def test_non_public_never_served_even_to_logged_in_staff(oparl, world, client_a):
    client_a.force_login(world.office_user)
    oparl(f"{BASE}/paper/{world.secret_paper.pk}", status=404)


def test_paging_with_next_links_and_limit(oparl, world, town_a):
    for n in range(7):
        services.create_paper(town_a, name=f"Antrag {n}", paper_type="Antrag")
    first = oparl(f"{BASE}/body/{world.body.pk}/paper", limit=3)
    assert first["pagination"] == {
        "totalElements": 8,
        "elementsPerPage": 3,
        "currentPage": 1,
        "totalPages": 3,
    }
    assert "prev" not in first["links"] and "limit=3" in first["links"]["next"]
    ids = [p["id"] for p in list_all(oparl, f"{BASE}/body/{world.body.pk}/paper", limit=3)]
    assert len(ids) == len(set(ids)) == 8
    last = oparl(first["links"]["last"])
    assert "next" not in last["links"] and "prev" in last["links"]
    oparl(f"{BASE}/body/{world.body.pk}/paper", status=400, limit=0)
    oparl(f"{BASE}/body/{world.body.pk}/paper", status=404, page=99)


def test_created_and_modified_filters(oparl, world, town_a):
    now = timezone.now()
    old = services.create_paper(town_a, name="Alt", paper_type="Antrag")
    type(old).objects.filter(pk=old.pk).update(
        created=now - timedelta(days=10), modified=now - timedelta(days=10)
    )
    url = f"{BASE}/body/{world.body.pk}/paper"
    since = (now - timedelta(days=1)).isoformat()
    names = {p["name"] for p in list_all(oparl, url, created_since=since)}
    assert "Alt" not in names and "Transparenz der Tätigkeit von Beiräten" in names
    names = {p["name"] for p in list_all(oparl, url, created_until=since)}
    assert names == {"Alt"}
    names = {p["name"] for p in list_all(oparl, url, modified_until=since)}
    assert names == {"Alt"}
    # The filters survive into the next link.
    services.create_paper(town_a, name="Neu", paper_type="Anfrage")
    page = oparl(url, created_since=since, limit=1)
    assert "created_since=" in page["links"]["next"]
    oparl(url, status=400, modified_since="gestern")


def test_deleted_objects_only_with_modified_since(oparl, world):
    c = world
    since = (timezone.now() - timedelta(minutes=1)).isoformat()
    services.soft_delete(c.paper)
    url = f"{BASE}/body/{c.body.pk}/paper"
    assert all(p["id"] != f"{BASE}/paper/{c.paper.pk}" for p in list_all(oparl, url))
    tombstones = [p for p in list_all(oparl, url, modified_since=since) if p.get("deleted")]
    assert tombstones == [
        {
            "id": f"{BASE}/paper/{c.paper.pk}",
            "type": "https://schema.oparl.org/1.1/Paper",
            "created": tombstones[0]["created"],
            "modified": tombstones[0]["modified"],
            "deleted": True,
        }
    ]
    assert oparl(f"{BASE}/paper/{c.paper.pk}")["deleted"] is True
    services.soft_delete(c.public_file)
    files = list_all(oparl, f"{BASE}/body/{c.body.pk}/file", modified_since=since)
    assert any(f.get("deleted") for f in files)


def test_cors_preflight_and_methods(client_a, world):
    response = client_a.options("/rat/oparl/v1/system")
    assert response.status_code == 204 and response["Access-Control-Allow-Origin"] == "*"
    assert client_a.post("/rat/oparl/v1/system").status_code == 405


def test_other_municipality_objects_404(client_b, world):
    response = client_b.get(f"/rat/oparl/v1/paper/{world.paper.pk}")
    assert response.status_code == 404
    response = client_b.get(f"/rat/oparl/v1/body/{world.body.pk}/paper")
    assert response.status_code == 404


def test_minutes_file_only_after_release(oparl, world):
    services.generate_minutes(world.meeting)
    meeting = oparl(f"{BASE}/meeting/{world.meeting.pk}")
    assert "resultsProtocol" not in meeting
    services.approve_minutes(world.meeting)
    meeting = oparl(f"{BASE}/meeting/{world.meeting.pk}")
    assert meeting["resultsProtocol"]["mimeType"] == "application/pdf"
    assert "Geheimweg" not in str(meeting)
    assert File.objects.filter(role="results_protocol", public=False).exists()


def test_invitation_file_and_hidden_parent(oparl, world):
    meeting = oparl(f"{BASE}/meeting/{world.meeting.pk}")
    invitation = meeting["invitation"]
    check_object(invitation, "File")
    assert invitation["name"] == "Einladung und Tagesordnung"
    assert "Transparenz der Tätigkeit" in invitation["text"]
    assert "Geheimweg" not in invitation["text"]
    world.paper.superordinated = world.secret_paper
    world.paper.save()
    paper = oparl(f"{BASE}/paper/{world.paper.pk}")
    assert "superordinatedPaper" not in paper


def test_draft_agenda_and_unreleased_minutes_stay_internal(oparl, council_a, client_a):
    c = council_a  # agenda not published yet
    items = list_all(oparl, f"{BASE}/body/{c.body.pk}/agendaItem")
    assert items == []
    paper = oparl(f"{BASE}/paper/{c.paper.pk}")
    assert "agendaItem" not in paper["consultation"][0]
    oparl(f"{BASE}/agendaitem/{c.item.pk}", status=404)
    services.publish_agenda(c.meeting)
    public_minutes, _full = services.generate_minutes(c.meeting)
    files = list_all(oparl, f"{BASE}/body/{c.body.pk}/file")
    assert all("Niederschrift" not in f["name"] for f in files)
    assert client_a.get(f"/rat/dateien/{public_minutes.pk}/").status_code == 404
    services.approve_minutes(c.meeting)
    files = list_all(oparl, f"{BASE}/body/{c.body.pk}/file")
    assert any(f["name"] == "Niederschrift" for f in files)
    assert client_a.get(f"/rat/dateien/{public_minutes.pk}/").status_code == 200
