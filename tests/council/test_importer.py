"""The OParl importer against a small OParl server (http.server thread serving fixtures).

The fixture imitates common vendor deviations: 1.0 or missing ``type``, date-times
without time zone, dates as date-times, a list sent as a plain array, references
instead of embedded objects and a broken reference.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from rathaus.council.importer import import_system
from rathaus.council.models import (
    AgendaItem,
    Consultation,
    File,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)

pytestmark = pytest.mark.django_db

T11 = "https://schema.oparl.org/1.1/"


def fixture(base: str, incremental: bool) -> dict:
    org = f"{base}/org"
    full = {
        "/system": {
            "id": f"{base}/system",
            "type": "https://oparl.org/schema/1.0/System",
            "oparlVersion": "https://oparl.org/specs/1.0/",
            "body": f"{base}/bodies",
        },
        "/bodies": {
            "data": [
                {
                    "id": f"{base}/body/1",
                    "name": "Stadt Beispiel",  # no type
                    "organization": f"{base}/orgs",
                    "person": f"{base}/persons",
                    "meeting": f"{base}/meetings",
                    "paper": f"{base}/papers",
                    "legislativeTerm": [
                        {
                            "id": f"{base}/term/1",
                            "type": T11 + "LegislativeTerm",
                            "name": "2019-2024",
                            "startDate": "2019-06-01",
                        }
                    ],
                }
            ],
            "links": {},
        },
        "/orgs": {
            "data": [
                {
                    "id": f"{org}/1",
                    "type": T11 + "Organization",
                    "name": "Ausschuss für Partizipation, Transparenz und Digitalisierung",
                    "classification": "Ausschuss",
                    "organizationType": "Gremium",
                },
            ],
            "links": {"next": f"{base}/orgs?page=2"},
        },
        "/orgs?page=2": {
            "data": [
                {"id": f"{org}/2", "type": T11 + "Organization", "name": "Seniorenbeirat"},
                {
                    "id": f"{org}/3",
                    "type": T11 + "Organization",
                    "name": "Fraktion SPD",
                    "organizationType": "Fraktion",
                },
            ],
            "links": {},
        },
        "/persons": {
            "data": [
                {
                    "id": f"{base}/person/1",
                    "type": T11 + "Person",
                    "name": "Dr. Mechthild Rünger",
                    "familyName": "Rünger",
                    "title": ["Dr."],
                    "membership": [
                        {
                            "id": f"{base}/membership/1",
                            "type": T11 + "Membership",
                            "organization": f"{org}/1",
                            "role": "Vorsitz",
                            "votingRight": True,
                            "startDate": "2019-06-01",
                        }
                    ],
                },
                {
                    "id": f"{base}/person/2",
                    "type": T11 + "Person",
                    "name": "Nico Marquardt",
                    "membership": [f"{base}/membership/2"],
                },
            ],
            "links": {},
        },
        "/membership/2": {
            "id": f"{base}/membership/2",
            "type": T11 + "Membership",
            "person": f"{base}/person/2",
            "organization": [f"{org}/1"],
            "role": "Mitglied",
            "onBehalfOf": f"{org}/3",
        },
        "/meetings": {
            "data": [
                {
                    "id": f"{base}/meeting/1",
                    "type": T11 + "Meeting",
                    "name": "25. öffentliche Sitzung",
                    "start": "2023-01-10T18:00:00",
                    "end": "2023-01-10T20:27:00",
                    "organization": [f"{org}/1"],
                    "location": {
                        "id": f"{base}/location/1",
                        "type": T11 + "Location",
                        "description": "Stadtverwaltung",
                        "room": "Raum 280 a",
                    },
                    "agendaItem": [
                        {
                            "id": f"{base}/agendaitem/1",
                            "type": T11 + "AgendaItem",
                            "number": "3.1",
                            "order": 1,
                            "name": "Transparenz der Tätigkeit von Beiräten",
                            "public": True,
                            "result": "erledigt durch Verwaltungshandeln",
                        },
                        {
                            "id": f"{base}/agendaitem/2",
                            "type": T11 + "AgendaItem",
                            "number": "10",
                            "order": 2,
                            "name": "Nichtöffentliche Angelegenheit",
                            "public": False,
                        },
                    ],
                },
                {
                    "id": f"{base}/meeting/2",
                    "type": T11 + "Meeting",
                    "name": "Geistersitzung",
                    "start": "2023-02-01T18:00:00+01:00",
                    "organization": [f"{org}/999"],
                },
            ],
            "links": {},
        },
        # A vendor that sends the list as a plain JSON array.
        "/papers": [
            {
                "id": f"{base}/paper/1",
                "type": T11 + "Paper",
                "name": "Transparenz der Tätigkeit von Beiräten",
                "reference": "22/SVV/0792",
                "paperType": "Antrag",
                "date": "2022-09-08",
                "created": "2022-09-08",
                "mainFile": {
                    "id": f"{base}/file/1",
                    "type": T11 + "File",
                    "name": "Antrag",
                    "fileName": "antrag.pdf",
                    "mimeType": "application/pdf",
                    "accessUrl": f"{base}/files/antrag.pdf",
                    "size": 1234,
                    "text": "Beiräte sollen ihre Protokolle veröffentlichen",
                },
                "consultation": [
                    {
                        "id": f"{base}/consultation/1",
                        "type": T11 + "Consultation",
                        "meeting": f"{base}/meeting/1",
                        "agendaItem": f"{base}/agendaitem/1",
                        "organization": [f"{org}/1"],
                        "authoritative": False,
                        "role": "Vorberatung",
                    },
                    {
                        "id": f"{base}/consultation/2",
                        "type": T11 + "Consultation",
                        "organization": [],
                        "role": "Entscheidung",
                    },
                ],
            },
        ],
    }
    if incremental:
        full["/papers"] = {
            "data": [
                {
                    "id": f"{base}/paper/1",
                    "type": T11 + "Paper",
                    "deleted": True,
                    "created": "2022-09-08T10:00:00+02:00",
                    "modified": "2026-01-01T10:00:00+01:00",
                }
            ],
            "links": {},
        }
        for path in ("/orgs", "/orgs?page=2", "/persons", "/meetings"):
            full[path] = {"data": [], "links": {}}
    return full


class OParlServer:
    def __init__(self):
        self.requests: list[str] = []
        self.incremental = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                key = parts.path.removeprefix("/oparl") + (
                    f"?page={query['page'][0]}" if "page" in query else ""
                )
                data = fixture(server.base, server.incremental).get(key)
                if data is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/oparl"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = OParlServer()
    yield s
    s.stop()


def test_import_maps_objects_and_reports_deviations(server, town_a):
    report = import_system(town_a, f"{server.base}/system")
    assert Organization.objects.for_municipality(town_a).count() == 3
    board = Organization.objects.get(external_id=f"{server.base}/org/2")
    assert board.kind == Organization.Kind.ADVISORY_BOARD
    assert Organization.objects.get(external_id=f"{server.base}/org/3").kind == "group"
    assert set(Person.objects.values_list("name", flat=True)) == {
        "Dr. Mechthild Rünger",
        "Nico Marquardt",
    }
    referenced = Membership.objects.get(external_id=f"{server.base}/membership/2")
    assert referenced.on_behalf_of.name == "Fraktion SPD"
    meeting = Meeting.objects.get()
    assert meeting.start.isoformat() == "2023-01-10T17:00:00+00:00"  # read as Berlin time
    assert meeting.place.room == "Raum 280 a"
    items = AgendaItem.objects.order_by("order")
    assert [i.public for i in items] == [True, False]
    paper = Paper.objects.get()
    assert paper.reference == "22/SVV/0792"
    consultation = Consultation.objects.get()
    assert consultation.agenda_item == items[0] and consultation.role == "Vorberatung"
    main = File.objects.get()
    assert main.paper == paper and main.source_url.endswith("antrag.pdf")
    assert main.role == "main" and main.size == 1234
    reasons = " ".join(reason for _url, reason in report.skipped)
    assert "Sitzung ohne Gremium" in reasons and "Beratung ohne Drucksache oder Gremium" in reasons
    for deviation in (
        "fehlendes type",
        "type aus OParl 1.0",
        "Zeitpunkt ohne Zeitzone",
        "Liste ohne data/links",
        "Datum statt Zeitpunkt",
        "Mitgliedschaft referenziert statt eingebettet",
    ):
        assert report.deviations[deviation] >= 1, deviation
    assert any("?page=2" in r for r in server.requests)  # followed links.next


def test_second_run_is_incremental_and_idempotent(server, town_a):
    import_system(town_a, f"{server.base}/system")
    counts = (Paper.objects.count(), Meeting.objects.count(), Person.objects.count())
    server.requests.clear()
    server.incremental = True
    report = import_system(town_a, f"{server.base}/system")
    assert all(
        "modified_since=" in r
        for r in server.requests
        if r.split("?")[0].endswith(("/orgs", "/persons", "/meetings", "/papers"))
    )
    assert (Paper.objects.count(), Meeting.objects.count(), Person.objects.count()) == counts
    assert Paper.objects.get().deleted is True  # deletion arrived as a tombstone
    assert report.deleted["Paper"] == 1
    # A full re-import updates in place: no duplicates.
    server.incremental = False
    import_system(town_a, f"{server.base}/system", full=True)
    assert Paper.objects.count() == 1 and Paper.objects.get().deleted is False
    assert Membership.objects.count() == 2
    # Nothing changed at the source: nothing is rewritten (modified dates stay).
    before = Paper.objects.get().modified
    again = import_system(town_a, f"{server.base}/system", full=True)
    assert sum(again.updated.values()) == 0 and sum(again.created.values()) == 0
    assert Paper.objects.get().modified == before


def test_imported_data_is_served_by_own_oparl_api(server, town_a, client_a):
    import_system(town_a, f"{server.base}/system")
    body = client_a.get("/rat/oparl/v1/body").json()["data"][0]
    meetings = client_a.get(body["meeting"].replace("http://a.test", "")).json()["data"]
    names = [i["name"] for i in meetings[0]["agendaItem"]]
    assert names == ["Transparenz der Tätigkeit von Beiräten"]  # non-public item not served


def test_command_reports(server, town_a, capsys):
    call_command("oparl_import", f"{server.base}/system", municipality=town_a.slug)
    out = capsys.readouterr().out
    assert "Paper: 1 neu" in out and "Übersprungen:" in out


def test_unreachable_server_is_a_clear_error(town_a):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Import abgebrochen"):
        call_command("oparl_import", "http://127.0.0.1:9/system", municipality=town_a.slug)
