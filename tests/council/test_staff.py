"""Staff pages of the council office: the authoring flow through HTTP, and who may not."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from rathaus.core.models import Office, Role
from rathaus.council.models import AgendaItem, Attendance, Consultation, File, Paper, ResolutionTask
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(client_a, council_a):
    client_a.force_login(council_a.office_user)
    return client_a


def test_full_authoring_flow(office_client, council_a, town_a, django_capture_on_commit_callbacks):
    c = council_a
    response = office_client.post(
        "/rat/verwaltung/vorlagen/neu/",
        {
            "paper_type": "Mitteilungsvorlage",
            "name": "Umsetzung des Onlinezugangsgesetzes",
            "date": "2022-12-02",
            "originator": "Verwaltungs- und Managemententwicklung",
            "public": "on",
            "text": "Der Hauptausschuss nimmt zur Kenntnis.",
        },
    )
    paper = Paper.objects.get(name="Umsetzung des Onlinezugangsgesetzes")
    assert response.status_code == 302 and paper.reference.endswith("/SVV/0001")
    meeting = c.meeting
    response = office_client.post(
        f"/rat/verwaltung/vorlagen/{paper.pk}/beratungsfolge/",
        {"organization": c.committee.pk, "role": "Kenntnisnahme", "meeting": meeting.pk},
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get(paper=paper)
    response = office_client.post(
        f"/rat/verwaltung/sitzungen/{meeting.pk}/",
        {"paper-consultation": consultation.pk, "paper-number": "6.1"},
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(consultation=consultation)
    assert item.number == "6.1"
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(f"/rat/verwaltung/sitzungen/{meeting.pk}/veroeffentlichen/")
        office_client.post(f"/rat/verwaltung/sitzungen/{meeting.pk}/veroeffentlichen/")
    # One invitation per member, not two after a double submit.
    assert sorted(m.to[0] for m in mail.outbox) == ["rat@a.test", "ruenger@a.test"]
    office_client.post(
        f"/rat/verwaltung/sitzungen/{meeting.pk}/",
        {"item-name": "Berichterstattung Bedrohung der IT-Systeme", "item-public": "on"},
    )
    assert AgendaItem.objects.get(name__startswith="Berichterstattung Bedrohung").late
    response = office_client.post(
        f"/rat/verwaltung/sitzungen/{meeting.pk}/anwesenheit/",
        {
            f"status-{c.chair.pk}": "present",
            f"function-{c.chair.pk}": "Ausschussvorsitz",
            f"status-{c.member.pk}": "present",
            f"left-{c.member.pk}": "20:00",
        },
    )
    assert response.status_code == 302
    assert Attendance.objects.filter(meeting=meeting).count() == 2
    response = office_client.post(
        f"/rat/verwaltung/top/{item.pk}/",
        {
            "result-result": "zur Kenntnis genommen",
            "result-discussion": "Frau Sattler berichtet.",
            "result-votes_yes": "",
            "result-votes_no": "",
        },
    )
    assert response.status_code == 302
    office = Office.objects.for_municipality(town_a).first()
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    office_client.post(
        f"/rat/verwaltung/top/{item.pk}/",
        {"task-description": "Bericht bis Mai", "task-office": office.pk, "task-due_date": due},
    )
    task = ResolutionTask.objects.get()
    office_client.post(f"/rat/verwaltung/auftraege/{task.pk}/", {"status": "in_progress"})
    task.refresh_from_db()
    assert task.status == "in_progress"
    office_client.post(
        f"/rat/verwaltung/sitzungen/{meeting.pk}/niederschrift/", {"aktion": "erzeugen"}
    )
    assert File.objects.filter(role="results_protocol", deleted=False).count() == 2
    preview = office_client.get(f"/rat/verwaltung/sitzungen/{meeting.pk}/niederschrift/")
    assert preview["Content-Type"] == "application/pdf"
    office_client.post(
        f"/rat/verwaltung/sitzungen/{meeting.pk}/niederschrift/", {"aktion": "freigeben"}
    )
    meeting.refresh_from_db()
    assert meeting.minutes_approved
    for path in (
        "/rat/verwaltung/",
        f"/rat/verwaltung/vorlagen/{paper.pk}/",
        f"/rat/verwaltung/sitzungen/{meeting.pk}/",
        f"/rat/verwaltung/top/{item.pk}/",
        f"/rat/verwaltung/sitzungen/{meeting.pk}/anwesenheit/",
        "/rat/verwaltung/sitzungen/neu/",
        "/rat/verwaltung/vorlagen/neu/",
    ):
        assert office_client.get(path).status_code == 200, path


def test_form_errors_are_german_and_nothing_is_written(office_client, council_a):
    before = Paper.objects.count()
    response = office_client.post("/rat/verwaltung/vorlagen/neu/", {"name": ""})
    body = response.content.decode()
    assert "Geben Sie den Betreff ein." in body and "Bitte korrigieren" in body
    assert Paper.objects.count() == before
    response = office_client.post(
        f"/rat/verwaltung/top/{council_a.item.pk}/",
        {"result-result": "beschlossen", "result-unanimous": "on", "result-votes_yes": "5"},
    )
    assert "nicht beides" in response.content.decode()
    response = office_client.post(
        f"/rat/verwaltung/sitzungen/{council_a.meeting.pk}/anwesenheit/",
        {f"status-{council_a.chair.pk}": "present", f"arrived-{council_a.chair.pk}": "25:99"},
    )
    assert response.status_code == 400 and "HH:MM" in response.content.decode()
    response = office_client.post(
        "/rat/verwaltung/sitzungen/neu/",
        {
            "organization": council_a.committee.pk,
            "name": "X",
            "start": "2025-01-01T18:00",
            "end": "2025-01-01T17:00",
        },
    )
    assert "Das Ende muss nach dem Beginn liegen." in response.content.decode()


def test_consultation_meeting_of_other_committee_refused(office_client, council_a):
    c = council_a
    response = office_client.post(
        f"/rat/verwaltung/vorlagen/{c.paper.pk}/beratungsfolge/",
        {"organization": c.other_committee.pk, "role": "Entscheidung", "meeting": c.meeting.pk},
    )
    assert response.status_code == 400
    assert "anderen Gremium" in response.content.decode()


@pytest.mark.parametrize("role", [Role.COUNCILLOR, Role.CLERK, Role.CATALOG_EDITOR])
def test_wrong_role_gets_403(client_a, council_a, role):
    user = make_staff(council_a.town, f"x-{role}@a.test", role)
    client_a.force_login(user)
    assert client_a.get("/rat/verwaltung/").status_code == 403
    assert client_a.post("/rat/verwaltung/vorlagen/neu/", {"name": "x"}).status_code == 403
    assert (
        client_a.post(
            f"/rat/verwaltung/sitzungen/{council_a.meeting.pk}/veroeffentlichen/"
        ).status_code
        == 403
    )


def test_anonymous_is_sent_to_login(client_a, council_a):
    response = client_a.get("/rat/verwaltung/")
    assert response.status_code == 302 and "/anmelden/" in response["Location"]


def test_other_municipality_objects_404_for_staff(client_b, council_a, town_b):
    user = make_staff(town_b, "rb@b.test", Role.COUNCIL_OFFICE)
    client_b.force_login(user)
    assert client_b.get(f"/rat/verwaltung/vorlagen/{council_a.paper.pk}/").status_code == 404
    assert client_b.get(f"/rat/verwaltung/sitzungen/{council_a.meeting.pk}/").status_code == 404
    assert client_b.get(f"/rat/verwaltung/top/{council_a.item.pk}/").status_code == 404


def test_clerk_updates_only_tasks_of_own_office(client_a, council_a, town_a):
    from rathaus.council import services

    offices = list(Office.objects.for_municipality(town_a))
    own = offices[0]
    other = Office.objects.create(municipality=town_a, slug="x", name="Anderes Amt")
    task = services.add_task(
        council_a.item, description="a", office=other, due_date=timezone.localdate()
    )
    clerk = make_staff(town_a, "clerk@a.test", Role.CLERK, office=own)
    client_a.force_login(clerk)
    assert (
        client_a.post(f"/rat/verwaltung/auftraege/{task.pk}/", {"status": "done"}).status_code
        == 403
    )


def test_publish_has_check_page_listing_recipients(office_client, council_a):
    c = council_a
    page = office_client.get(f"/rat/verwaltung/sitzungen/{c.meeting.pk}/veroeffentlichen/")
    body = page.content.decode()
    assert page.status_code == 200 and "rat@a.test" in body and "22/SVV/0792" in body
    c.meeting.refresh_from_db()
    assert not c.meeting.is_published  # GET changes nothing


def test_remove_item_frees_consultation_and_cancel_meeting(
    office_client, council_a, django_capture_on_commit_callbacks
):
    c = council_a
    office_client.post(f"/rat/verwaltung/top/{c.item.pk}/entfernen/")
    c.item.refresh_from_db()
    c.consultation.refresh_from_db()
    assert c.item.deleted and c.consultation.agenda_item is None
    response = office_client.post(
        f"/rat/verwaltung/sitzungen/{c.meeting.pk}/",
        {"paper-consultation": c.consultation.pk},
    )
    assert response.status_code == 302  # can be scheduled again
    from rathaus.council import services

    services.publish_agenda(c.meeting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(f"/rat/verwaltung/sitzungen/{c.meeting.pk}/absagen/")
        office_client.post(f"/rat/verwaltung/sitzungen/{c.meeting.pk}/absagen/")
    c.meeting.refresh_from_db()
    assert c.meeting.cancelled
    assert len(mail.outbox) == 2 and mail.outbox[0].subject.startswith("Absage")


def test_item_attachment_and_paper_delete(office_client, council_a, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = council_a
    upload = SimpleUploadedFile("praesentation.txt", b"Folien zur Sitzung", "text/plain")
    office_client.post(
        f"/rat/verwaltung/top/{c.secret_item.pk}/anlage/",
        {"name": "Präsentation", "upload": upload, "public": "on"},
    )
    attached = File.objects.get(name="Präsentation")
    assert attached.agenda_item == c.secret_item
    assert attached.public is False  # a non-public item cannot carry a public file
    office_client.post(f"/rat/verwaltung/vorlagen/{c.paper.pk}/loeschen/")
    c.paper.refresh_from_db()
    assert c.paper.deleted
    assert office_client.get(f"/rat/vorlagen/{c.paper.pk}/").status_code == 404


def test_staff_views_of_non_public_content_are_audited(office_client, council_a):
    from rathaus.core.models import AuditEntry

    office_client.get(f"/rat/verwaltung/vorlagen/{council_a.secret_paper.pk}/")
    office_client.get(f"/rat/verwaltung/top/{council_a.secret_item.pk}/")
    logged = AuditEntry.objects.filter(action="council.non_public_viewed")
    assert {e.object_type for e in logged} == {"council.paper", "council.agendaitem"}


def test_paper_uploads_first_main_then_auxiliary_and_bad_form_writes_nothing(
    office_client, council_a
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    paper = Paper.objects.create(
        municipality=council_a.body.municipality,
        body=council_a.body,
        reference="X/0001",
        name="Neue Vorlage ohne Dateien",
        paper_type="Antrag",
        public=True,
    )
    url = f"/rat/verwaltung/vorlagen/{paper.pk}/datei/"
    for name in ("Vorlage", "Anlage 1"):
        upload = SimpleUploadedFile(f"{name}.txt", b"Inhalt", "text/plain")
        office_client.post(url, {"name": name, "upload": upload, "public": "on"})
    files = {f.name: f for f in File.objects.filter(paper=paper)}
    assert files["Vorlage"].role == File.Role.MAIN and files["Vorlage"].public
    assert files["Anlage 1"].role == File.Role.AUXILIARY
    response = office_client.post(url, {"name": ""}, follow=True)
    assert "Geben Sie eine Bezeichnung ein." in response.content.decode()
    assert File.objects.filter(paper=paper).count() == 2
