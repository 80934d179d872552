"""Beschlussverfolgung by itself, the public page of resolutions, Anfragen with answer
deadlines, and the advisory-board rule of 22/SVV/0792 (issue 18)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rathaus.core.models import AuditEntry, Office
from rathaus.council import followup, services, services_inquiries
from rathaus.council.models import (
    AgendaItem,
    Consultation,
    Membership,
    Organization,
    Paper,
    ResolutionTask,
)

from .conftest import at

ADOPTED = AgendaItem.Result.ADOPTED


def office_of(town):
    return Office.objects.for_municipality(town).first()


def tracked_paper(c, *, due=None, public=True, name="Beiräte transparent darstellen"):
    return services.create_paper(
        c.town,
        name=name,
        paper_type=Paper.Type.MOTION,
        text="Der Oberbürgermeister wird beauftragt, die Beiräte darzustellen.",
        lead_office=office_of(c.town),
        tracking_requested=True,
        tracking_due_date=due,
        public=public,
    )


def decide_in_council(c, paper, result=ADOPTED, *, public=True, role=None):
    meeting = services.create_meeting(c.council, name="SVV", start=at(2023, 2, 1))
    consultation = services.add_consultation(
        paper, c.council, role or Consultation.Role.DECISION, meeting=meeting
    )
    item = services.put_paper_on_agenda(consultation, meeting, public=public)
    services.publish_agenda(meeting)
    services.record_result(item, result=result, resolution_text="Die Beiräte werden gezeigt.")
    return item


# --- the automatic task ------------------------------------------------------------


def test_adopting_decision_creates_the_tracked_task(council_a):
    paper = tracked_paper(council_a, due=date(2023, 12, 31))
    item = decide_in_council(council_a, paper)
    task = ResolutionTask.objects.get(agenda_item=item)
    assert task.automatic and task.paper == paper
    assert task.office == paper.lead_office and task.due_date == date(2023, 12, 31)
    assert task.description == "Die Beiräte werden gezeigt."
    assert AuditEntry.objects.filter(action="council.task_created", object_id=str(task.pk)).exists()
    # Recording the result again (a correction) does not add a second task.
    services.record_result(item, result=AgendaItem.Result.ADOPTED_CHANGED)
    assert ResolutionTask.objects.filter(agenda_item=item).count() == 1


def test_without_termin_the_task_is_due_90_days_after_the_decision(council_a):
    item = decide_in_council(council_a, tracked_paper(council_a))
    assert item.tasks.get().due_date == date(2023, 2, 1) + timedelta(days=90)


@pytest.mark.parametrize(
    "result, role, requested",
    [
        (AgendaItem.Result.REJECTED, Consultation.Role.DECISION, True),
        (AgendaItem.Result.REFERRED, Consultation.Role.DECISION, True),
        (ADOPTED, Consultation.Role.PREPARATION, True),  # a recommendation, no resolution
        (ADOPTED, Consultation.Role.DECISION, False),
    ],
)
def test_no_task_without_an_adopting_resolution_that_asks_for_it(
    council_a, result, role, requested
):
    paper = tracked_paper(council_a)
    if not requested:
        services.update_paper(paper, tracking_requested=False)
    decide_in_council(council_a, paper, result, role=role)
    assert not ResolutionTask.objects.exists()


def test_tracking_needs_a_lead_office(council_a):
    with pytest.raises(ValidationError):
        services.create_paper(
            council_a.town, name="Ohne Amt", paper_type="Antrag", tracking_requested=True
        )


def test_one_automatic_task_per_item_is_a_database_rule(council_a):
    item = decide_in_council(council_a, tracked_paper(council_a))
    with pytest.raises(IntegrityError), transaction.atomic():
        ResolutionTask.objects.create(
            municipality=council_a.town,
            agenda_item=item,
            automatic=True,
            description="doppelt",
            office=office_of(council_a.town),
            due_date=date(2024, 1, 1),
        )


def test_staff_form_asks_for_the_office_when_tracking_is_wanted(client_a, council_a):
    client_a.force_login(council_a.office_user)
    response = client_a.post(
        "/rat/verwaltung/vorlagen/neu/",
        {"paper_type": "Antrag", "name": "Test", "date": "2023-01-01", "tracking_requested": "on"},
    )
    assert response.status_code == 200
    assert (
        "Für die Beschlussverfolgung ist ein federführendes Amt nötig." in response.content.decode()
    )
    assert not Paper.objects.filter(name="Test").exists()


# --- the public page ----------------------------------------------------------------


@pytest.fixture
def tracked(council_a):
    c = council_a
    c.public_item = decide_in_council(c, tracked_paper(c, due=date(2023, 3, 1)))
    c.public_task = c.public_item.tasks.get()
    secret = tracked_paper(c, public=False, name="Geheimweg verkaufen")
    c.secret_tracked_item = decide_in_council(c, secret, public=False)
    c.secret_task = c.secret_tracked_item.tasks.get()
    services.update_task(c.secret_task, status="in_progress", report="Notartermin Geheimzahl 4711")
    return c


def test_public_page_shows_state_office_and_last_report(client_a, tracked):
    services.update_task(tracked.public_task, status="in_progress", report="Entwurf der Seiten")
    body = client_a.get("/rat/beschluesse/").content.decode()
    assert "Die Beiräte werden gezeigt." in body and "überfällig" in body
    assert office_of(tracked.town).name in body and "Entwurf der Seiten" in body
    assert "Geheimweg" not in body and "4711" not in body


@pytest.mark.parametrize(
    "query",
    ["", "?status=ueberfaellig", "?status=in-bearbeitung", "?status=%00", "?drucksache=abc"],
)
def test_non_public_task_never_reaches_the_public(client_a, tracked, query):
    response = client_a.get(f"/rat/beschluesse/{query}")
    # A control character is refused before the view (400, core.badinput); else the page.
    assert response.status_code == (400 if "%00" in query else 200)
    assert "Geheimweg" not in response.content.decode()


def test_wrong_ways_in_to_a_non_public_resolution(client_a, tracked):
    secret_paper = tracked.secret_task.paper
    by_paper = client_a.get(f"/rat/beschluesse/?drucksache={secret_paper.pk}").content.decode()
    by_meeting = client_a.get(
        f"/rat/beschluesse/?sitzung={tracked.secret_tracked_item.meeting_id}"
    ).content.decode()
    assert "4711" not in by_paper and "4711" not in by_meeting
    assert client_a.get(f"/rat/vorlagen/{secret_paper.pk}/").status_code == 404
    # A non-member councillor is no wiser than the public.
    client_a.force_login(tracked.outsider_user)
    assert "4711" not in client_a.get("/rat/beschluesse/").content.decode()


def test_members_see_non_public_tasks_and_the_access_is_audited(client_a, tracked):
    Membership.objects.create(
        municipality=tracked.town, person=tracked.member, organization=tracked.council
    )
    client_a.force_login(tracked.councillor_user)
    assert "4711" in client_a.get("/rat/beschluesse/").content.decode()
    entry = AuditEntry.objects.filter(action="council.non_public_viewed").latest("id")
    assert entry.actor == tracked.councillor_user
    assert entry.data["tasks"] == [tracked.secret_task.pk]


def test_paper_and_meeting_pages_link_the_tracking(client_a, tracked):
    paper = tracked.public_task.paper
    body = client_a.get(f"/rat/vorlagen/{paper.pk}/").content.decode()
    assert f"/rat/beschluesse/?drucksache={paper.pk}" in body
    assert "Beschlussverfolgung gewünscht" in body
    meeting_body = client_a.get(f"/rat/sitzungen/{tracked.public_item.meeting_id}/").content
    assert f"/rat/beschluesse/?sitzung={tracked.public_item.meeting_id}" in meeting_body.decode()
    by_paper = client_a.get(f"/rat/beschluesse/?drucksache={paper.pk}").content.decode()
    assert "Die Beiräte werden gezeigt." in by_paper


# --- Anfragen -------------------------------------------------------------------------


def inquiry(c, *, on, due=None, public=True, name="Digitalisierungsstrategie"):
    return services.create_paper(
        c.town,
        name=name,
        paper_type=Paper.Type.INQUIRY,
        date=on,
        answer_due_date=due,
        public=public,
        originator="Fraktion CDU",
        text="1. Wie ist der Umsetzungsstand des OZG?",
    )


def test_inquiry_gets_a_four_week_deadline_by_default(council_a):
    paper = inquiry(council_a, on=date(2022, 1, 12))
    assert paper.answer_due_date == date(2022, 2, 9)


def test_inquiry_without_a_date_counts_from_today_and_can_be_answered(council_a):
    """An imported Anfrage may have no date; before, both paths raised a TypeError (a 500)."""
    paper = inquiry(council_a, on=None)
    assert paper.answer_due_date == timezone.localdate() + timedelta(days=28)
    answer = services_inquiries.answer_inquiry(paper, text="Antwort ohne Datum der Anfrage.")
    assert answer.superordinated == paper


def test_anfrage_answered_late_shows_as_overdue_then_late(client_a, council_a):
    today = timezone.localdate()
    paper = inquiry(council_a, on=today - timedelta(days=40), due=today - timedelta(days=12))
    on_time = inquiry(council_a, on=today - timedelta(days=5), name="Bibliothek samstags")
    overdue_list = client_a.get("/rat/anfragen/?status=ueberfaellig").content.decode()
    assert "Digitalisierungsstrategie" in overdue_list and "Bibliothek" not in overdue_list
    assert "überfällig" in overdue_list

    answer = services_inquiries.answer_inquiry(paper, text="Der Umsetzungsstand ist gut.")
    assert answer.superordinated == paper and answer.paper_type == Paper.Type.ANSWER
    row = followup.inquiry_rows([paper])[0]
    assert row.state == "answered_late" and row.late
    assert (
        "Digitalisierungsstrategie"
        not in client_a.get("/rat/anfragen/?status=ueberfaellig").content.decode()
    )
    listing = client_a.get("/rat/anfragen/").content.decode()
    assert "verspätet beantwortet" in listing
    page = client_a.get(f"/rat/vorlagen/{paper.pk}/").content.decode()
    assert "Der Umsetzungsstand ist gut." in page and "verspätet beantwortet" in page

    services_inquiries.answer_inquiry(on_time, text="Ja, ab März.")
    assert followup.inquiry_rows([on_time])[0].state == "answered"
    with pytest.raises(ValidationError):
        services_inquiries.answer_inquiry(on_time, text="Noch einmal")


def test_non_public_inquiry_and_its_answer_stay_hidden(client_a, council_a):
    today = timezone.localdate()
    secret = inquiry(
        council_a, on=today - timedelta(days=60), public=False, name="Geheime Personalfrage"
    )
    answer = services_inquiries.answer_inquiry(secret, text="Vertraulich 4711")
    assert not answer.public and not answer.files.get().public
    for url in ("/rat/anfragen/", "/rat/anfragen/?status=ueberfaellig", "/rat/vorlagen/"):
        assert "Geheime Personalfrage" not in client_a.get(url).content.decode()
    assert client_a.get(f"/rat/vorlagen/{answer.pk}/").status_code == 404


def test_staff_records_the_answer(client_a, council_a):
    paper = inquiry(council_a, on=date(2022, 1, 12))
    client_a.force_login(council_a.office_user)
    url = f"/rat/verwaltung/vorlagen/{paper.pk}/antwort/"
    bad = client_a.post(url, {"text": "", "answered_on": "2022-13-40"})
    assert bad.status_code == 400 and "Geben Sie den Text der Antwort ein." in bad.content.decode()
    early = client_a.post(url, {"text": "Antwort", "answered_on": "2021-12-01"})
    assert early.status_code == 400 and "vor der Anfrage" in early.content.decode()
    client_a.post(url, {"text": "Antwort", "answered_on": "2022-03-01"})
    assert followup.inquiry_rows([paper])[0].state == "answered_late"


# --- 22/SVV/0792: advisory boards readable by all elected councillors -------------------


@pytest.fixture
def board_secret(council_a):
    c = council_a
    meeting = services.create_meeting(c.board, name="Beiratssitzung", start=at(2023, 3, 6))
    c.board_item = services.add_agenda_item(meeting, "Personalangelegenheit 4711", public=False)
    services.publish_agenda(meeting)
    c.board_meeting = meeting
    # The outsider is an elected councillor but not a member of the board.
    Membership.objects.create(
        municipality=c.town, person=c.outsider, organization=c.council, role="Stadtverordneter"
    )
    return c


def test_elected_councillors_read_board_secrets_where_the_rules_say_so(client_a, board_secret):
    c = board_secret
    url = f"/rat/sitzungen/{c.board_meeting.pk}/"
    client_a.force_login(c.outsider_user)
    assert "Personalangelegenheit 4711" not in client_a.get(url).content.decode()
    Organization.objects.filter(pk=c.board.pk).update(councillors_may_read_non_public=True)
    assert "Personalangelegenheit 4711" in client_a.get(url).content.decode()
    entry = AuditEntry.objects.filter(action="council.non_public_viewed").latest("id")
    assert entry.actor == c.outsider_user


def test_the_board_rule_is_only_for_elected_councillors(client_a, board_secret):
    c = board_secret
    Organization.objects.filter(pk=c.board.pk).update(councillors_may_read_non_public=True)
    Membership.objects.filter(person=c.outsider, organization=c.council).delete()
    client_a.force_login(c.outsider_user)  # councillor role, but not in the council
    url = f"/rat/sitzungen/{c.board_meeting.pk}/"
    assert "Personalangelegenheit 4711" not in client_a.get(url).content.decode()
    client_a.logout()
    assert "Personalangelegenheit 4711" not in client_a.get(url).content.decode()


def test_the_board_rule_does_not_open_committees(client_a, board_secret):
    c = board_secret
    Organization.objects.filter(pk=c.board.pk).update(councillors_may_read_non_public=True)
    client_a.force_login(c.outsider_user)
    body = client_a.get(f"/rat/sitzungen/{c.meeting.pk}/").content.decode()
    assert "Geheimweg" not in body  # the committee's secret stays with its members


def test_task_disappears_when_its_paper_is_made_non_public(client_a, tracked):
    paper = tracked.public_task.paper
    services.update_paper(paper, public=False)  # depublished after the decision
    body = client_a.get(f"/rat/beschluesse/?sitzung={tracked.public_item.meeting_id}").content
    assert "Die Beiräte werden gezeigt." not in body.decode()


def test_staff_dashboard_lists_overdue_inquiries(client_a, council_a):
    today = timezone.localdate()
    inquiry(council_a, on=today - timedelta(days=60), public=False, name="Geheime Frage")
    client_a.force_login(council_a.office_user)
    body = client_a.get("/rat/verwaltung/").content.decode()
    assert "überfällige Anfrage" in body and "Geheime Frage" in body
