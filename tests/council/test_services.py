"""The write path: papers, Beratungsfolge, agendas, invitations, results, tasks, minutes."""

from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from rathaus.core.models import AuditEntry, Office
from rathaus.council import services
from rathaus.council.models import AgendaItem, Attendance, Consultation, File, Paper

pytestmark = pytest.mark.django_db


def test_paper_gets_next_reference_and_audit(town_a):
    first = services.create_paper(town_a, name="A", paper_type=Paper.Type.MOTION)
    second = services.create_paper(town_a, name="B", paper_type=Paper.Type.INQUIRY)
    year = timezone.localdate().year % 100
    assert first.reference == f"{year:02d}/SVV/0001"
    assert second.reference == f"{year:02d}/SVV/0002"
    assert AuditEntry.objects.filter(action="council.paper_created").count() == 2


def test_put_paper_on_agenda_links_consultation(council_a):
    c = council_a
    assert c.item.consultation == c.consultation
    assert c.consultation.meeting == c.meeting
    assert c.item.number == "1" and c.secret_item.number == "2"
    assert c.secret_item.public is False  # inherits the paper's non-public flag


def test_paper_cannot_go_on_agenda_of_another_committee(council_a):
    c = council_a
    other = services.create_meeting(c.other_committee, name="HA", start=c.meeting.start)
    consultation = services.add_consultation(c.paper, c.council, Consultation.Role.DECISION)
    with pytest.raises(ValidationError):
        services.put_paper_on_agenda(consultation, other)
    with pytest.raises(ValidationError):  # already on an agenda
        services.add_agenda_item(c.meeting, "x", consultation=c.consultation)


def test_publish_invites_members_once_and_later_items_are_late(
    council_a, django_capture_on_commit_callbacks
):
    c = council_a
    c.chair.email = "ruenger@a.test"
    c.chair.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_agenda(c.meeting)
        services.publish_agenda(c.meeting)  # double submit: no second invitation
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["rat@a.test", "ruenger@a.test"]  # member via login, chair via e-mail
    assert "Transparenz der Tätigkeit von Beiräten" in mail.outbox[0].body
    assert "Nichtöffentlicher Teil" in mail.outbox[0].body
    late = services.add_agenda_item(c.meeting, "Berichterstattung Bedrohung der IT-Systeme")
    assert late.late is True and late.number == "3"


def test_publish_empty_agenda_refused(council_a):
    c = council_a
    empty = services.create_meeting(c.board, name="Beirat", start=c.meeting.start)
    with pytest.raises(ValidationError):
        services.publish_agenda(empty)


def test_result_and_votes(council_a):
    item = services.record_result(
        council_a.item, result=AgendaItem.Result.ADOPTED, votes_yes=6, votes_no=1, votes_abstain=2
    )
    assert item.vote_summary == "Ja: 6, Nein: 1, Enthaltung: 2"
    item = services.record_result(item, result="beschlossen", unanimous=True, votes_yes=3)
    assert item.votes_yes is None and item.vote_summary == "einstimmig"
    with pytest.raises(ValidationError):
        services.record_result(item, result="beschlossen", votes_yes=-1)


def test_attendance_rejects_until_before_from(council_a):
    c = council_a
    with pytest.raises(ValidationError):
        services.record_attendance(
            c.meeting,
            [{"person": c.member, "status": "present", "arrived": time(19), "left": time(18)}],
        )
    assert not Attendance.objects.exists()


def test_tasks_and_overdue(council_a, town_a):
    office = Office.objects.for_municipality(town_a).first()
    task = services.add_task(
        council_a.item,
        description="Bericht",
        office=office,
        due_date=timezone.localdate() - timedelta(days=1),
    )
    assert task.overdue
    services.update_task(task, status="done", report="erledigt")
    task.refresh_from_db()
    assert not task.overdue and task.completed_at


def test_task_office_of_other_town_refused(council_a, town_b):
    office_b = Office.objects.for_municipality(town_b).first()
    with pytest.raises(ValidationError):
        services.add_task(council_a.item, description="x", office=office_b, due_date=date.today())


def test_soft_delete_bumps_modified(council_a):
    paper = council_a.paper
    before = paper.modified
    services.soft_delete(paper)
    paper.refresh_from_db()
    assert paper.deleted and paper.modified > before


def test_generate_minutes_public_and_full(council_a):
    c = council_a
    services.record_attendance(
        c.meeting,
        [
            {
                "person": c.chair,
                "status": "present",
                "function": "Ausschussvorsitz",
                "affiliation": "Bündnis 90/Die Grünen",
            },
            {
                "person": c.member,
                "status": "present",
                "function": "Ausschussmitglieder",
                "affiliation": "SPD",
                "left": time(20, 0),
            },
            {
                "person": c.outsider,
                "status": "excused",
                "function": "Ausschussmitglieder",
                "affiliation": "DIE LINKE",
            },
        ],
    )
    services.record_result(
        c.item,
        result="erledigt durch Verwaltungshandeln",
        unanimous=True,
        discussion="Frau Bojunga erläutert die Neustrukturierung.",
    )
    services.record_result(
        c.secret_item,
        result="beschlossen",
        votes_yes=5,
        votes_no=0,
        votes_abstain=1,
        resolution_text="Der Verkauf wird beschlossen.",
    )
    public, full = services.generate_minutes(c.meeting)
    assert public.public and not full.public
    assert public.content.read().startswith(b"%PDF")
    for text in (
        "Niederschrift",
        "Sitzungsbeginn",
        "18:00 Uhr",
        "Sitzungsende",
        "20:27 Uhr",
        "Anwesend sind",
        "Ausschussvorsitz",
        "bis 20:00 Uhr",
        "Nicht anwesend sind",
        "entschuldigt",
        "Vorlage: 22/SVV/0792",
        "einstimmig",
        "Bojunga",
    ):
        assert text in public.text, text
    assert "Geheimweg" not in public.text and "Nichtöffentlicher Teil" not in public.text
    assert "Geheimweg" in full.text and "Ja: 5" in full.text
    # Regenerating replaces (soft-deletes) the old files.
    services.generate_minutes(c.meeting)
    assert File.objects.filter(role="results_protocol", deleted=False).count() == 2
