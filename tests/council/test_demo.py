"""The demo council: seed 002's meeting as in the minutes, seed 000's paper, a full year."""

import pytest

from rathaus.core import demo as core_demo
from rathaus.council import demo
from rathaus.council.minutes import minutes_context, render_minutes_html
from rathaus.council.models import AgendaItem, Meeting, Paper, ResolutionTask

pytestmark = pytest.mark.django_db


def test_demo_council():
    """One test (loading takes a while): every check below runs on the same demo."""
    town = core_demo.load()
    demo.load(town)
    before = Paper.objects.count()
    demo.load(town)  # idempotent
    assert Paper.objects.count() == before
    check_seed_meeting_matches_the_minutes()
    check_rostock_paper_and_overdue_tasks()
    check_a_year_of_meetings_with_boards()
    check_follow_up_of_resolutions_and_inquiries()
    check_a_paper_under_a_parent()


def check_seed_meeting_matches_the_minutes():
    meeting = Meeting.objects.get(start__date="2023-01-10")
    numbers = list(meeting.agenda_items.order_by("order").values_list("number", flat=True))
    assert numbers == [
        "1",
        "2",
        "3",
        "3.1",
        "3.2",
        "3.3",
        "4",
        "4.1",
        "4.2",
        "5",
        "6",
        "6.1",
        "7",
        "8",
        "9",
    ]
    late = AgendaItem.objects.get(meeting=meeting, number="9")
    assert late.late and late.name == "Berichterstattung Bedrohung der IT-Systeme"
    refs = set(meeting.consultations.values_list("paper__reference", flat=True))
    assert refs == {"22/SVV/0792", "22/SVV/1084", "22/SVV/1134", "22/SVV/1207"}
    context = minutes_context(meeting, include_non_public=False)
    groups = [function for function, _rows in context["present_groups"]]
    assert groups[:3] == ["Ausschussvorsitz", "Ausschussmitglieder", "stellv. Ausschussmitglieder"]
    html = render_minutes_html(meeting, include_non_public=False)
    for text in (
        "Sitzungsende",
        "20:27 Uhr",
        "Raum 280 a",
        "ab 18:05 Uhr",
        "bis 19:30 Uhr",
        "nicht entschuldigt",
        "Frau Marén Matyka",
        "GiessdenKiez.de",
        "erledigt durch Verwaltungshandeln",
    ):
        assert text in html, text
    assert meeting.files.filter(role="results_protocol", public=True).exists()


def check_rostock_paper_and_overdue_tasks():
    paper = Paper.objects.get(name="Bürgerfreundliche Verwaltung: Terminvergaben verbessern")
    path = list(paper.consultations.order_by("order").values_list("organization__name", "role"))
    assert path[0] == ("Ausschuss für Soziales, Gesundheit und Migration", "Kenntnisnahme")
    assert path[-1] == ("Stadtverordnetenversammlung", "Kenntnisnahme")
    overdue = [t for t in ResolutionTask.objects.all() if t.overdue]
    assert any("Fahrplan" in t.description for t in overdue)


def check_a_year_of_meetings_with_boards():
    boards = Meeting.objects.filter(organization__kind="advisory_board")
    assert boards.count() >= 12
    assert boards.filter(minutes_approved=True).exists()
    assert Meeting.objects.values("organization").distinct().count() >= 9
    assert AgendaItem.objects.filter(public=False).exists()


def check_follow_up_of_resolutions_and_inquiries():
    """Issue 18: every advisory board of 22/SVV/0792, tracked motions, answered Anfragen."""
    from rathaus.council.followup import inquiry_rows
    from rathaus.council.models import Organization

    boards = Organization.objects.filter(kind="advisory_board")
    names = set(boards.values_list("name", flat=True))
    assert {
        "Migrantenbeirat",
        "Beirat für Menschen mit Behinderung",
        "Seniorenbeirat",
        "Klimarat",
        "Naturschutzbeirat",
        "Tierheimbeirat",
    } <= names
    for board in boards:
        assert board.rules_of_procedure and board.memberships.exists(), board.name
        assert board.meetings.filter(minutes_approved=True).exists(), board.name
    statements = Paper.objects.filter(paper_type="Stellungnahme")
    assert {"Klimarat", "Naturschutzbeirat", "Tierheimbeirat"} <= set(
        statements.values_list("originator", flat=True)
    )
    assert boards.filter(councillors_may_read_non_public=True).exists()
    assert ResolutionTask.objects.filter(automatic=True).exists()
    weimar = Paper.objects.get(reference="2022/0121 F")
    assert inquiry_rows([weimar])[0].state == "answered"  # its answer is issue 19's data
    states = {row.state for row in inquiry_rows(Paper.objects.filter(paper_type="Anfrage"))}
    assert "answered" in states and len(states) >= 2


def check_a_paper_under_a_parent():
    """OParl superordinatedPaper/subordinatedPaper need data: the Weimar answer."""
    answer = Paper.objects.get(reference="2022/0121 F-1")
    assert answer.superordinated.reference == "2022/0121 F"
    assert answer.paper_type == "Beantwortung" and answer.public
