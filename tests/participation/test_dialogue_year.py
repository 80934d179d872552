"""Year plan and evaluation of dialogues (issue 18): figures come out of the data."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from rathaus.core.models import Role
from rathaus.participation.dialogues import yearplan
from rathaus.participation.dialogues.models import DialogueEvent, EventTopic, Hint, Registration
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db
YEAR = 2022


def _event(town, slug, kind, month, *, published=True):
    start = datetime(YEAR, month, 10, 17, tzinfo=timezone.get_current_timezone())
    return DialogueEvent.objects.create(
        municipality=town,
        kind=kind,
        slug=slug,
        title=f"Veranstaltung {slug}",
        venue="Bürgerhaus",
        district="Drewitz",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        hints_published=published,
    )


def _hints(event, topic, n, *, status=Hint.Status.ACCEPTED, answer=""):
    for i in range(n):
        Hint.objects.create(event=event, topic=topic, text=f"H{i}", status=status, answer=answer)


@pytest.fixture
def year_data(town_a, town_b):
    dialogue = _event(town_a, "drewitz", "dialogue", 3)
    wohnen = EventTopic.objects.create(event=dialogue, title="Wohnen", position=1)
    verkehr = EventTopic.objects.create(event=dialogue, title="Verkehr", position=2)
    _hints(dialogue, wohnen, 20, answer="Wird geprüft.")  # answered
    _hints(dialogue, verkehr, 16)  # accepted, open follow-up → "36 Hinweise"
    _hints(dialogue, verkehr, 3, status=Hint.Status.HIDDEN)  # hidden: not counted
    for i in range(5):
        Registration.objects.create(
            event=dialogue, name=f"P{i}", email=f"p{i}@x.de", status="confirmed"
        )
    Registration.objects.create(event=dialogue, name="W", email="w@x.de", status="waitlisted")
    Registration.objects.create(event=dialogue, name="C", email="c@x.de", status="cancelled")
    walk = _event(town_a, "wanderung", "walk", 6, published=False)
    topic = EventTopic.objects.create(event=walk, title="Grün", position=1)
    _hints(walk, topic, 4, status=Hint.Status.SUBMITTED)
    for month in range(1, 9):  # "8 Bürgersprechstunden 2022"
        _event(town_a, f"sprechstunde-{month}", "consultation", month)
    _event(town_a, "talk", "talk", 5)  # not part of the plan
    _event(town_a, "next-year", "dialogue", 1).__class__.objects.filter(slug="next-year").update(
        starts_at=datetime(YEAR + 1, 1, 5, tzinfo=timezone.get_current_timezone()),
        ends_at=datetime(YEAR + 1, 1, 5, 2, tzinfo=timezone.get_current_timezone()),
    )
    other = _event(town_b, "fremd", "consultation", 2)
    other_topic = EventTopic.objects.create(event=other, title="Fremd", position=1)
    _hints(other, other_topic, 50)
    return dialogue, walk


def test_year_figures_count_from_the_data(town_a, year_data):
    context = yearplan.year_context(town_a, YEAR)
    totals = {t.kind: t for t in context["totals"]}
    assert totals["consultation"].events == 8
    assert totals["dialogue"].events == 1 and totals["walk"].events == 1
    assert "talk" not in totals
    first = context["figures"][0]
    assert first.event.slug == "sprechstunde-1"
    by_slug = {f.event.slug: f for f in context["figures"]}
    drewitz = by_slug["drewitz"]
    assert (drewitz.participants, drewitz.hints, drewitz.answers, drewitz.follow_ups) == (
        5,
        36,
        20,
        16,
    )
    assert drewitz.topics == [("Wohnen", 20), ("Verkehr", 16)]
    assert by_slug["wanderung"].hints == 4  # staff see unpublished hints
    assert context["sum"].events == 10 and context["sum"].hints == 40


def test_public_figures_only_published_hints(town_a, year_data):
    context = yearplan.year_context(town_a, YEAR, public=True)
    by_slug = {f.event.slug: f for f in context["figures"]}
    assert by_slug["wanderung"].hints == 0
    assert context["sum"].hints == 36


def test_public_year_page(client_a, year_data):
    page = client_a.get(f"/beteiligung/dialoge/jahr/{YEAR}/").content.decode()
    assert "Dialoge 2022 in Zahlen" in page
    assert "36 Hinweise" in page and "Verkehr: 16" in page
    assert "Grün" not in page  # unpublished hints' topics stay hidden
    assert "Fremd" not in page  # no other municipality
    assert "p1@x.de" not in page


@pytest.mark.parametrize(
    "raw", ["1999", "2101", "1" + "0" * 40, "x" * 10_000, "²", "🌳", "20%0922"]
)
def test_year_parameter_parsed(client_a, town_a, raw):
    assert client_a.get(f"/beteiligung/dialoge/jahr/{raw}/").status_code in (400, 404)


def test_staff_plan_and_pdf_need_role(client_a, town_a, town_b, year_data, citizen):
    url = f"/beteiligung/verwaltung/dialoge/jahresplan/{YEAR}/"
    assert client_a.get(url).status_code == 302  # login first
    client_a.force_login(citizen)
    assert client_a.get(url).status_code == 403
    staff_b = make_staff(town_b, "mod-b@example.org", Role.MODERATOR)
    client_a.force_login(staff_b)
    assert client_a.get(url).status_code in (403, 404)  # wrong municipality
    client_a.force_login(make_staff(town_a, "mod@example.org", Role.MODERATOR))
    page = client_a.get(url).content.decode()
    assert "Jahresplan der Dialoge 2022" in page and "Grün: 4" in page
    pdf = client_a.get(url + "plan.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (
        client_a.get("/beteiligung/verwaltung/dialoge/jahresplan/abc/plan.pdf").status_code == 400
    )


def test_staff_overview_links_year_plan_and_grants(client_a, town_a):
    client_a.force_login(make_staff(town_a, "mod@example.org", Role.MODERATOR))
    page = client_a.get("/beteiligung/verwaltung/").content.decode()
    year = timezone.localdate().year
    assert f"/beteiligung/verwaltung/dialoge/jahresplan/{year}/" in page
    assert "/beteiligung/verwaltung/baeume/patenschaften/" in page


def test_year_plan_becomes_one_council_paper_draft(client_a, town_a, year_data):
    from rathaus.council.models import File, Paper
    from rathaus.participation.dialogues.models import YearPlanPaper

    staff = make_staff(town_a, "mod@example.org", Role.MODERATOR)
    client_a.force_login(staff)
    url = f"/beteiligung/verwaltung/dialoge/jahresplan/{YEAR}/"
    assert client_a.get(url + "drucksache/").status_code == 405  # POST only
    response = client_a.post(url + "drucksache/", follow=True)
    page = response.content.decode()
    paper = Paper.objects.for_municipality(town_a).get()
    assert paper.paper_type == Paper.Type.INFORMATION and not paper.public
    assert "Hauptausschuss" in paper.name and paper.reference in page
    assert "Stadtteildialog" in paper.text and "36" in paper.text  # the plan as text
    main = File.objects.get(paper=paper, role=File.Role.MAIN)
    assert main.mime_type == "application/pdf" and not main.public
    assert "Als Drucksache-Entwurf anlegen" not in page  # the button is gone

    client_a.post(url + "drucksache/")  # a second click: no second draft
    assert Paper.objects.for_municipality(town_a).count() == 1
    assert YearPlanPaper.objects.get(municipality=town_a, year=YEAR).paper == paper
    # A draft is not public: the public paper list does not show it.
    client_a.logout()
    assert paper.name not in client_a.get("/rat/vorlagen/").content.decode()
    assert client_a.get(f"/rat/vorlagen/{paper.pk}/").status_code in (403, 404)


def test_year_plan_paper_needs_the_role_and_stays_in_its_town(client_a, town_a, town_b, citizen):
    from rathaus.council.models import Paper

    url = f"/beteiligung/verwaltung/dialoge/jahresplan/{YEAR}/drucksache/"
    client_a.force_login(citizen)
    assert client_a.post(url).status_code == 403
    client_a.force_login(make_staff(town_b, "mod-b@example.org", Role.MODERATOR))
    assert client_a.post(url).status_code in (403, 404)
    assert not Paper.objects.exists()


def test_a_deleted_draft_can_be_made_again(town_a, year_data):
    from rathaus.council import services as council
    from rathaus.participation.dialogues.services_council import (
        create_year_plan_paper,
        year_plan_paper,
    )

    first = create_year_plan_paper(town_a, YEAR, actor=None)
    assert create_year_plan_paper(town_a, YEAR, actor=None) == first
    council.soft_delete(first)
    assert year_plan_paper(town_a, YEAR) is None
    second = create_year_plan_paper(town_a, YEAR, actor=None)
    assert second != first and year_plan_paper(town_a, YEAR) == second
