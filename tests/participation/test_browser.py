"""Participation pages in a real Chromium: axe on every public page, keyboard-only reporting,
voting."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rathaus.participation.budget import services as budget
from rathaus.participation.budget.models import Ballot, BudgetRound
from rathaus.participation.dialogues import services as dialogues
from rathaus.participation.dialogues.models import DialogueEvent, EventTopic, Hint
from rathaus.participation.reports import services as reports
from rathaus.participation.reports.models import Report
from rathaus.participation.trees.models import Rainfall, Tree, Watering

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(town_a, pothole, lamp, citizen):
    report = reports.submit_report(
        town_a,
        category=pothole,
        description="Loch",
        address="Markt 1",
        latitude=52.4,
        longitude=13.06,
    )
    reports.moderate(report, publish=True, actor=None)
    reports.change_status(report, status="fixed", actor=None, note="Verfüllt")
    voting = BudgetRound.objects.create(
        municipality=town_a,
        slug="2026",
        title="Bürgerhaushalt 2026",
        phase="proposals",
        categories=["Umwelt"],
        districts=["Mitte"],
        top_n=20,
    )
    proposals = [
        budget.submit_proposal(
            voting,
            author=None,
            title=f"Idee {n}",
            description="Text",
            category="Umwelt",
            district="Mitte",
        )
        for n in (1, 2, 3)
    ]
    budget.set_phase(voting, phase="review", actor=None)
    for p in proposals:
        budget.review(p, actor=None, feasible=True, note="geht", cost=Decimal(5000))
    budget.set_phase(voting, phase="voting", actor=None)
    budget.cast_ballot(voting, user=citizen, points={proposals[0].pk: 2})
    budget.set_phase(voting, phase="results", actor=None)
    budget.create_council_paper(voting, actor=None)
    budget.update_progress(proposals[0], actor=None, status="implementing", percent=40, note="")
    current = BudgetRound.objects.create(
        municipality=town_a,
        slug="2027",
        title="Bürgerhaushalt 2027",
        phase="proposals",
        categories=["Umwelt"],
        districts=["Mitte"],
    )
    new = [
        budget.submit_proposal(
            current,
            author=None,
            title=f"Vorschlag {n}",
            description="T",
            category="Umwelt",
            district="Mitte",
        )
        for n in (1, 2)
    ]
    budget.set_phase(current, phase="review", actor=None)
    for p in new:
        budget.review(p, actor=None, feasible=True, note="geht", cost=Decimal(100))
    budget.set_phase(current, phase="voting", actor=None)
    today = timezone.localdate()
    tree = Tree.objects.create(
        municipality=town_a,
        external_id="T1",
        species="Linde",
        planting_year=today.year - 6,
        latitude=52.4,
        longitude=13.06,
        street="Lindenstraße",
        district="Mitte",
    )
    Watering.objects.create(tree=tree, litres=30, date=today, name="Kiez")
    Rainfall.objects.create(municipality=town_a, date=today, mm=4)
    start = timezone.now() + timedelta(days=5)
    event = DialogueEvent.objects.create(
        municipality=town_a,
        kind="dialogue",
        slug="sued",
        title="Stadtteildialog Süd",
        venue="Zentrum",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=10,
    )
    EventTopic.objects.create(event=event, title="Wohnen")
    past = DialogueEvent.objects.create(
        municipality=town_a,
        kind="walk",
        slug="nord",
        title="Stadtteilwanderung Nord",
        venue="Park",
        starts_at=start - timedelta(days=30),
        ends_at=start - timedelta(days=30) + timedelta(hours=2),
        registration_open=False,
    )
    topic = EventTopic.objects.create(event=past, title="Verkehr")
    hint = Hint.objects.create(event=past, topic=topic, text="Zebrastreifen")
    dialogues.review_hint(hint, actor=None, status="accepted", answer="Geplant")
    dialogues.publish_hints(past, actor=None)
    return {"report": report, "tree": tree, "current": current, "new": new}


PUBLIC = [
    "/beteiligung/",
    "/beteiligung/maengel/",
    "/beteiligung/maengel/{report}/",
    "/beteiligung/maengel/melden/",
    "/beteiligung/buergerhaushalt/",
    "/beteiligung/buergerhaushalt/2026/",
    "/beteiligung/buergerhaushalt/2026/ergebnis/",
    "/beteiligung/buergerhaushalt/2026/1/",
    "/beteiligung/buergerhaushalt/2027/",
    "/beteiligung/baeume/",
    "/beteiligung/baeume/{tree}/",
    "/beteiligung/baeume/summen/",
    "/beteiligung/baeume/wasserbedarf/",
    "/beteiligung/dialoge/",
    "/beteiligung/dialoge/sued/",
    "/beteiligung/dialoge/nord/",
    "/beteiligung/open311/v2/",
]


def test_public_pages_axe_clean(page, world):
    for path in PUBLIC:
        page.goto(path.format(report=world["report"].pk, tree=world["tree"].pk))
        page.wait_for_load_state("networkidle")
        page.check_axe()


def tab_to(page, selector, limit=60):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"could not reach {selector} with Tab")


def test_report_pothole_with_keyboard_alone(page, town_a, pothole):
    page.goto("/beteiligung/maengel/melden/")
    page.check_axe()
    tab_to(page, "input[name=category]")
    page.keyboard.press("Space")
    tab_to(page, "#id_address")
    page.keyboard.type("Lindenstraße 12")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/melden/beschreibung/")
    page.check_axe()
    tab_to(page, "#id_description")
    page.keyboard.type("Tiefes Schlagloch vor der Hausnummer 12")
    tab_to(page, "#id_attr_flaeche")
    page.keyboard.press("ArrowDown")  # first real option: Fahrbahn
    tab_to(page, "#id_contact_email")
    page.keyboard.type("erika@example.org")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/melden/pruefen/")
    page.check_axe()
    assert "Lindenstraße 12" in page.content()
    tab_to(page, "button[name=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/melden/fertig/")
    page.check_axe()
    report = Report.objects.get()
    assert report.address == "Lindenstraße 12" and report.category == pothole
    assert report.attributes == {"flaeche": "fahrbahn"}
    assert report.contact_email == "erika@example.org"


def test_map_pick_fills_coordinates(page, town_a, pothole):
    page.goto("/beteiligung/maengel/melden/")
    page.get_by_role("button", name="Kartenmitte als Ort übernehmen").click()
    assert page.input_value("#id_latitude") != ""
    page.check_axe()


def test_vote(page, world, citizen):
    page.goto("/anmelden/?next=/beteiligung/buergerhaushalt/2027/abstimmen/")
    page.fill("#id_username", citizen.email)
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/beteiligung/buergerhaushalt/2027/abstimmen/")
    page.check_axe()
    first, second = world["new"]
    page.fill(f"#id_p{first.pk}", "5")
    page.fill(f"#id_p{second.pk}", "6")
    assert "zu viel" in page.text_content("[data-remaining]")
    with page.expect_navigation():
        page.get_by_role("button", name="Stimme speichern").click()
    assert "Höchstens 5 Punkte" in page.content()
    page.check_axe()
    page.fill(f"#id_p{second.pk}", "4")
    page.get_by_role("button", name="Stimme speichern").click()
    page.wait_for_url("**/abstimmen/fertig/")
    page.check_axe()
    ballot = Ballot.objects.get(round=world["current"], user=citizen)
    assert sorted(ballot.entries.values_list("points", flat=True)) == [4, 5]


def test_staff_pages_axe_clean(page, world, town_a, moderator_a):
    pending = reports.submit_report(
        town_a,
        category=world["report"].category,
        description="Neu",
        address="Am Markt 2",
        contact_email="erika@example.org",
    )
    page.goto("/anmelden/?next=/beteiligung/verwaltung/")
    page.fill("#id_username", moderator_a.email)
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check_axe()
    for path in (
        "/beteiligung/verwaltung/maengel/",
        "/beteiligung/verwaltung/maengel/?ansicht=moderation",
        f"/beteiligung/verwaltung/maengel/{pending.pk}/",
        "/beteiligung/verwaltung/buergerhaushalt/2026/",
        "/beteiligung/verwaltung/buergerhaushalt/2027/",
        "/beteiligung/verwaltung/dialoge/sued/",
    ):
        page.goto(path)
        page.check_axe()
    page.goto(f"/beteiligung/verwaltung/maengel/{pending.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Entscheidung speichern").click()
    page.check_axe()
    pending.refresh_from_db()
    assert pending.moderation == "published"


def test_map_pages_stay_clean_when_tiles_fail(page, world, settings):
    # The production default (OSM) is unreachable here: tiles fail, the page must not.
    settings.PARTICIPATION_MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    for path in ("/beteiligung/maengel/", "/beteiligung/maengel/melden/", "/beteiligung/baeume/"):
        page.goto(path)
        page.wait_for_selector(".leaflet-container")
        page.check_axe()
