"""OParl 1.1 as strict clients read it (schemas, sync windows, deletion, errors, caching).

Each test quotes the part of the specification it checks (oparl/spec, ``src/2-*.md``
and ``schema/*.json``).
"""

import gzip
import json
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rathaus.council import services
from rathaus.council.models import Consultation, File, Membership, Paper

from .oparl_schema import violations
from .test_oparl import BASE, list_all

pytestmark = pytest.mark.django_db

LISTS = (
    "organization",
    "person",
    "meeting",
    "paper",
    "agendaItem",
    "consultation",
    "file",
    "locationList",
    "legislativeTermList",
    "membership",
)


@pytest.fixture
def oparl(client_a):
    def get(url, status=200, **params):
        response = client_a.get(url.replace("http://a.test", ""), params)
        assert response.status_code == status, response.content
        assert response["Access-Control-Allow-Origin"] == "*"
        return response.json()

    return get


@pytest.fixture
def world(council_a):
    c = council_a
    services.publish_agenda(c.meeting)
    c.answer = services.create_paper(
        c.town,
        name="Beantwortung",
        reference="22/SVV/0792-1",
        paper_type=Paper.Type.ANSWER,
        superordinated=c.paper,
    )
    return c


def paper_url(paper):
    return f"{BASE}/paper/{paper.pk}"


def push_back(*objects, days=1):
    """Date created/modified back so that a later change is visible in the timestamps."""
    then = timezone.now() - timedelta(days=days)
    for obj in objects:
        type(obj).objects.filter(pk=obj.pk).update(created=then, modified=then)
    return then


def shown(obj) -> str:
    obj.refresh_from_db()
    return timezone.localtime(obj.modified).isoformat(timespec="seconds")


# --- Schema (schema/*.json) -----------------------------------------------------------


def test_every_list_and_object_conforms_to_the_oparl_schemas(oparl, world):
    """All lists, with and without modified_since, and tombstones, against the schemas."""
    services.soft_delete(world.public_file)
    body = oparl(f"{BASE}/body")["data"][0]
    problems = violations(oparl(f"{BASE}/system")) + violations(body)
    for name in LISTS:
        for params in ({}, {"modified_since": "2000-01-01T00:00:00+00:00"}):
            for obj in list_all(oparl, body[name], **params):
                problems += violations(obj)
    assert problems == []


def test_schema_check_can_fail():
    """The checker itself rejects a single URL where Paper.json wants an array."""
    paper = {
        "id": "https://x.test/paper/1",
        "type": "https://schema.oparl.org/1.1/Paper",
        "superordinatedPaper": "https://x.test/paper/2",
    }
    assert violations(paper) == [
        "Paper.superordinatedPaper: array expected, got str",
    ]


def test_super_and_subordinated_papers_are_arrays_both_ways(oparl, world):
    """Paper.json: superordinatedPaper and subordinatedPaper are arrays of URLs."""
    child = oparl(paper_url(world.answer))
    assert child["superordinatedPaper"] == [paper_url(world.paper)]
    parent = oparl(paper_url(world.paper))
    assert parent["subordinatedPaper"] == [paper_url(world.answer)]
    services.update_paper(world.answer, public=False)
    assert "subordinatedPaper" not in oparl(paper_url(world.paper))


# --- Filters at the shown precision (2-05 "Filter") -----------------------------------


def test_window_ending_at_the_shown_modified_includes_the_object(oparl, world):
    url = f"{BASE}/body/{world.body.pk}/paper"
    Paper.objects.filter(pk=world.paper.pk).update(
        created=timezone.now().replace(microsecond=654321),
        modified=timezone.now().replace(microsecond=987654),
    )
    paper = oparl(paper_url(world.paper))
    ids = {p["id"] for p in list_all(oparl, url, modified_until=paper["modified"])}
    assert paper["id"] in ids
    window = {"created_since": paper["created"], "created_until": paper["created"]}
    assert paper["id"] in {p["id"] for p in list_all(oparl, url, **window)}
    later = (datetime.fromisoformat(paper["modified"]) + timedelta(seconds=1)).isoformat()
    assert paper["id"] not in {p["id"] for p in list_all(oparl, url, modified_since=later)}


def test_date_without_time_is_refused_as_an_error_object(oparl, world):
    """2-05: the filter parameters expect a full date-time."""
    answer = oparl(f"{BASE}/body/{world.body.pk}/paper", status=400, modified_since="2024-01-01")
    assert answer["type"] == "https://schema.oparl.org/1.1/Error"
    assert answer["message"] and answer["debug"]


# --- Deletion and depublication (2-08) ------------------------------------------------


def test_depublished_paper_appears_as_deleted_with_its_files_and_consultations(oparl, world):
    c = world
    since = push_back(c.paper, c.public_file, c.consultation).isoformat()
    services.update_paper(c.paper, public=False)
    body = f"{BASE}/body/{c.body.pk}"
    for name, obj in (
        ("paper", c.paper),
        ("file", c.public_file),
        ("consultation", c.consultation),
    ):
        kind = name if name != "consultation" else "consultation"
        items = list_all(oparl, f"{body}/{name}", modified_since=since)
        gone = [i for i in items if i["id"].endswith(f"/{kind.lower()}/{obj.pk}")]
        assert gone and gone[0]["deleted"] is True, name
        assert set(gone[0]) == {"id", "type", "created", "modified", "deleted"}
        assert all(i["id"] != gone[0]["id"] for i in list_all(oparl, f"{body}/{name}"))
    assert oparl(paper_url(c.paper))["deleted"] is True  # 200 with deleted, not 404


def test_never_public_paper_is_not_even_a_tombstone(oparl, world):
    c = world
    dump = json.dumps(
        list_all(oparl, f"{BASE}/body/{c.body.pk}/paper", modified_since="2000-01-01T00:00:00Z")
    )
    assert paper_url(c.secret_paper) not in dump
    oparl(paper_url(c.secret_paper), status=404)


def test_consultations_of_a_deleted_paper_are_not_live(oparl, world):
    c = world
    services.soft_delete(c.paper)
    live = list_all(oparl, f"{BASE}/body/{c.body.pk}/consultation")
    assert all(not i["id"].endswith(f"/consultation/{c.consultation.pk}") for i in live)
    assert Consultation.objects.get(pk=c.consultation.pk).deleted
    assert File.objects.get(pk=c.public_file.pk).deleted
    assert oparl(f"{BASE}/consultation/{c.consultation.pk}")["deleted"] is True


@pytest.mark.parametrize("change", ["membership", "agenda_item", "file", "file_deleted"])
def test_embedded_change_changes_the_parent_modified(oparl, world, change):
    """2-08: modified of every object an object is embedded in changes with it."""
    c = world
    membership = Membership.objects.filter(person=c.chair).first()
    parent, act = {
        "membership": (
            c.chair,
            lambda: setattr(membership, "role", "Stellv.") or membership.save(),
        ),
        "agenda_item": (c.meeting, lambda: services.record_result(c.item, result="vertagt")),
        "file": (c.paper, lambda: c.public_file.save()),
        "file_deleted": (c.paper, lambda: services.soft_delete(c.public_file)),
    }[change]
    push_back(parent)
    before = shown(parent)
    act()
    assert shown(parent) > before


# --- The leak: visibility follows every path ------------------------------------------


def test_file_of_a_depublished_paper_leaves_the_public_agenda_item_and_meeting(
    oparl, world, client_a
):
    c = world
    shared = services.attach_file(
        municipality=c.town,
        name="Anlage Lageplan Sperrgebiet",
        file_name="lageplan.txt",
        data=b"Flurstueck 4711 Inhalt",
        mime_type="text/plain",
        paper=c.paper,
        agenda_item=c.item,
    )
    meeting_url = f"{BASE}/meeting/{c.meeting.pk}"
    assert "Lageplan Sperrgebiet" in json.dumps(oparl(meeting_url))  # shown while public
    since = push_back(c.meeting, c.item, shared).isoformat()
    services.update_paper(c.paper, public=False)
    for url in (meeting_url, f"{BASE}/agendaitem/{c.item.pk}"):
        text = json.dumps(oparl(url), ensure_ascii=False)
        assert "Lageplan Sperrgebiet" not in text and shared.sha1_checksum not in text
    meetings = list_all(oparl, f"{BASE}/body/{c.body.pk}/meeting", modified_since=since)
    assert any(m["id"] == meeting_url for m in meetings)  # clients learn the change
    page = client_a.get(f"/rat/sitzungen/{c.meeting.pk}/").content.decode()
    assert "Lageplan Sperrgebiet" not in page
    assert client_a.get(f"/rat/dateien/{shared.pk}/").status_code == 404


# --- Errors, CORS, omit_internal (2-06, 2-09, 2-05) -----------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/rat/oparl/v1/nonsense",
        "/rat/oparl/v1/paper/abc",
        "/rat/oparl/v1/paper/99999999999999999999999",
        "/rat/oparl/v1/body/999999/paper",
        "/rat/oparl/v1/body/1/nonsense",
        "/rat/oparl/v1/organization/999999/meeting",
        "/rat/oparl/v1/a/b/c/d",
    ],
)
def test_unknown_paths_answer_an_oparl_error_object_with_cors(client_a, world, path):
    response = client_a.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["type"] == "https://schema.oparl.org/1.1/Error"
    assert isinstance(body["message"], str) and "debug" in body


@pytest.mark.parametrize(
    "params", [{"limit": "abc"}, {"limit": "0"}, {"after": "-1"}, {"limit": "\x00"}, {"a\x01": "1"}]
)
def test_bad_parameters_are_400_error_objects(oparl, world, params):
    answer = oparl(f"{BASE}/body/{world.body.pk}/paper", status=400, **params)
    assert answer["type"] == "https://schema.oparl.org/1.1/Error"


def test_a_control_character_in_the_path_is_an_oparl_error_with_cors(client_a, world):
    """Refused by core before any view (badinput), still in OParl's shape."""
    response = client_a.get("/rat/oparl/v1/paper/%00")
    assert response.status_code == 400 and response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["type"] == "https://schema.oparl.org/1.1/Error"


def test_wrong_method_is_405_error_object(client_a, world):
    response = client_a.delete(f"/rat/oparl/v1/paper/{world.paper.pk}")
    assert response.status_code == 405 and response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["type"] == "https://schema.oparl.org/1.1/Error"


def test_omit_internal_leaves_out_the_internal_lists(oparl, world):
    meeting = oparl(f"{BASE}/meeting/{world.meeting.pk}", omit_internal="true")
    assert "agendaItem" not in meeting
    person = oparl(f"{BASE}/person/{world.chair.pk}", omit_internal="true")
    assert "membership" not in person
    assert "membership" in oparl(f"{BASE}/person/{world.chair.pk}", omit_internal="false")
    page = oparl(f"{BASE}/body/{world.body.pk}/meeting", omit_internal="true", limit=1)
    if "next" in page["links"]:
        assert "omit_internal=true" in page["links"]["next"]


# --- Caching and compression ----------------------------------------------------------


def test_etag_and_last_modified_give_304(client_a, world):
    url = f"/rat/oparl/v1/paper/{world.paper.pk}"
    first = client_a.get(url)
    assert first["ETag"] and first["Last-Modified"]
    again = client_a.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["Access-Control-Allow-Origin"] == "*"
    since = client_a.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    services.update_paper(world.paper, name="Neuer Betreff")
    assert client_a.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    listing = client_a.get(f"/rat/oparl/v1/body/{world.body.pk}/paper")
    assert (
        client_a.get(
            f"/rat/oparl/v1/body/{world.body.pk}/paper", HTTP_IF_NONE_MATCH=listing["ETag"]
        ).status_code
        == 304
    )


def test_gzip_when_accepted(client_a, world):
    response = client_a.get(
        f"/rat/oparl/v1/body/{world.body.pk}/paper", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["data"]


def test_files_have_etag_conditional_get_and_gzip(client_a, world):
    url = f"/rat/dateien/{world.public_file.pk}/"
    first = client_a.get(url)
    assert first["ETag"] == f'"{world.public_file.sha1_checksum}"'
    assert first["Last-Modified"]
    assert client_a.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    zipped = client_a.get(url + "download/", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    body = b"".join(zipped.streaming_content)
    assert gzip.decompress(body) == b"Beiratsseiten werden neu strukturiert"


# --- Keyset paging (2-05 "Paginierung") -----------------------------------------------


def test_next_links_are_cursors_and_a_deep_page_costs_what_the_first_does(oparl, world):
    for n in range(30):
        services.create_paper(world.town, name=f"Antrag {n}", paper_type="Antrag")
    url = f"{BASE}/body/{world.body.pk}/paper"
    first = oparl(url, limit=5)
    assert "after=" in first["links"]["next"] and "limit=5" in first["links"]["next"]
    ids = [p["id"] for p in list_all(oparl, url, limit=5)]
    assert len(ids) == len(set(ids)) == Paper.objects.filter(public=True).count()

    def queries(link):
        with CaptureQueriesContext(connection) as captured:
            oparl(link)
        return [q["sql"] for q in captured]

    deep = first
    for _ in range(5):
        deep = oparl(deep["links"]["next"])
    deep_sql, first_sql = queries(deep["links"]["self"]), queries(first["links"]["self"])
    # An index range (id > cursor), never an OFFSET the database has to walk through.
    assert not any("OFFSET" in sql.upper() for sql in deep_sql)
    assert len(deep_sql) <= len(first_sql)
