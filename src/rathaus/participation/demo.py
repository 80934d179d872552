"""Demo data of the participation module for Musterstadt (idempotent, deterministic).

Reports in every state around the town centre, a Bürgerhaushalt in its voting phase,
last year's round with its TOP-20 list in implementation, ~200 street trees with
waterings and rainfall, and upcoming dialogues. Everything goes through the services
where that is cheap enough; mass voter rows of last year are bulk-created.
"""

import io
import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from rathaus.core.models import Office, Role, User

from .budget import services as budget
from .budget.models import Ballot, BallotEntry, BudgetRound
from .budget.services_council import create_proposal_paper
from .dialogues import services as dialogues
from .dialogues.models import DialogueEvent, EventTopic, Hint
from .reports import geocoding, open311
from .reports import services as reports
from .reports.models import CategoryAttribute, Report, ReportCategory, RoutingRule, StreetAddress
from .trees.models import Rainfall, Tree, Watering, WaterPump

CENTER = (52.4000, 13.0600)
DATA_DIR = Path(__file__).resolve().parent / "data" / "demo"
# Service level per category (days to "erledigt"), as a town would set it.
SERVICE_DAYS = {"ampel": 2, "laterne": 10, "schlagloch": 14, "muell": 5, "spielplatz": 7}

CATEGORIES = [
    # code, name, group, office slug, keywords
    ("schlagloch", "Schlagloch / Straßenschaden", "Straße", "tiefbauamt", "Straße,Loch,Gehweg"),
    ("laterne", "Defekte Straßenbeleuchtung", "Straße", "tiefbauamt", "Licht,Laterne"),
    ("ampel", "Ampel defekt", "Verkehr", "strassenverkehrsamt", "Ampel,Signal"),
    ("muell", "Wilder Müll", "Sauberkeit", "ordnungsamt", "Müll,Sperrmüll,Dreck"),
    ("graffiti", "Graffiti", "Sauberkeit", "ordnungsamt", "Schmiererei"),
    ("gruenflaeche", "Grünfläche / Straßenbaum", "Grün", "umweltamt", "Baum,Ast,Rasen"),
    ("spielplatz", "Spielplatz beschädigt", "Grün", "umweltamt", "Spielgerät,Sandkasten"),
]

#: English names of the demo categories (staff edit them in the admin, issue 16).
CATEGORIES_EN = {
    "schlagloch": "Pothole / road damage",
    "laterne": "Broken street light",
    "ampel": "Traffic light out of order",
    "muell": "Illegally dumped rubbish",
    "graffiti": "Graffiti",
    "gruenflaeche": "Green space / street tree",
    "spielplatz": "Damaged playground",
}

REPORTS = [
    # category, description, address, dlat, dlon, state
    (
        "schlagloch",
        "Tiefes Schlagloch auf der rechten Fahrspur, Radfahrer weichen aus.",
        "Lindenstraße 14",
        0.0011,
        0.0020,
        "received",
    ),
    (
        "schlagloch",
        "Gehwegplatte locker, Stolpergefahr vor der Bäckerei.",
        "Brandenburger Str. 3",
        -0.0015,
        0.0031,
        "in_progress",
    ),
    (
        "schlagloch",
        "Loch im Radweg nach dem Winter.",
        "Zeppelinstraße 40",
        0.0030,
        -0.0060,
        "fixed",
    ),
    ("laterne", "Laterne flackert seit Tagen.", "Am Kanal 7", 0.0042, 0.0012, "in_progress"),
    ("laterne", "Zwei Laternen aus, Weg sehr dunkel.", "Parkweg", -0.0040, -0.0025, "fixed"),
    (
        "ampel",
        "Fußgängerampel schaltet nicht auf Grün.",
        "Breite Straße / Dortustraße",
        0.0005,
        -0.0011,
        "received",
    ),
    (
        "muell",
        "Sperrmüll am Straßenrand abgestellt.",
        "Gutenbergstraße 90",
        0.0021,
        0.0051,
        "fixed",
    ),
    ("muell", "Altreifen im Gebüsch.", "Am Neuen Garten", 0.0065, 0.0040, "closed_private"),
    ("graffiti", "Schmiererei am Brückengeländer.", "Lange Brücke", -0.0052, 0.0007, "received"),
    (
        "graffiti",
        "Graffiti an der Bushaltestelle.",
        "Platz der Einheit",
        0.0002,
        0.0003,
        "closed_responsible",
    ),
    (
        "gruenflaeche",
        "Großer Ast droht abzubrechen.",
        "Luisenplatz",
        -0.0008,
        -0.0071,
        "in_progress",
    ),
    (
        "gruenflaeche",
        "Rasen seit Wochen nicht gemäht, Sicht an der Kreuzung versperrt.",
        "Charlottenstraße",
        0.0018,
        -0.0033,
        "reopened",
    ),
    ("spielplatz", "Schaukelkette gerissen.", "Spielplatz Bassinplatz", 0.0026, 0.0029, "received"),
    ("spielplatz", "Glasscherben im Sandkasten.", "Spielplatz Volkspark", 0.0090, 0.0100, "fixed"),
    (
        "schlagloch",
        "Schlagloch direkt neben dem Gully.",
        "Lindenstraße 16",
        0.00115,
        0.00205,
        "duplicate",
    ),
    ("muell", "Überquellender Papierkorb.", "Hegelallee", 0.0033, -0.0012, "pending"),
    ("laterne", "Laterne brennt am Tag.", "Kurfürstenstraße", 0.0038, 0.0022, "pending"),
    ("gruenflaeche", "Baumscheibe zugeparkt.", "Jägerstraße", 0.0027, -0.0019, "pending"),
]

STREETS = [
    ("Lindenstraße", "Innenstadt"),
    ("Brandenburger Straße", "Innenstadt"),
    ("Hegelallee", "Innenstadt"),
    ("Zeppelinstraße", "West"),
    ("Kastanienallee", "West"),
    ("Gutenbergstraße", "Nord"),
    ("Am Neuen Garten", "Nord"),
    ("Behlertstraße", "Nord"),
    ("Drewitzer Straße", "Süd"),
    ("Konrad-Wolf-Allee", "Süd"),
]
SPECIES = [
    "Winter-Linde",
    "Spitz-Ahorn",
    "Stiel-Eiche",
    "Platane",
    "Rosskastanie",
    "Hainbuche",
    "Gemeine Esche",
    "Robinie",
    "Feld-Ahorn",
    "Japanische Zierkirsche",
]


def _office(municipality, slug):
    return (
        Office.objects.for_municipality(municipality).filter(slug=slug).first()
        or Office.objects.for_municipality(municipality).first()
    )


def _photo(colour) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (120, 120, 120))
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 180, 440, 320), fill=colour)
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")


def load_reports(municipality):
    if Report.objects.for_municipality(municipality).exists():
        return
    categories = {}
    for position, (code, name, group, office, keywords) in enumerate(CATEGORIES):
        categories[code], _ = ReportCategory.objects.update_or_create(
            municipality=municipality,
            code=code,
            defaults={
                "name": name,
                "group": group,
                "office": _office(municipality, office),
                "keywords": keywords,
                "position": position,
                "description": f"{name} im öffentlichen Raum melden",
                "service_days": SERVICE_DAYS.get(code),
                "name_en": CATEGORIES_EN.get(code, ""),
                "description_en": f"Report: {CATEGORIES_EN[code].lower()} in a public place"
                if code in CATEGORIES_EN
                else "",
            },
        )
    # Litter in the park "Am Neuen Garten" is the park administration's (Umweltamt) job.
    RoutingRule.objects.get_or_create(
        municipality=municipality,
        category=categories["muell"],
        street="Am Neuen Garten",
        defaults={"office": _office(municipality, "umweltamt")},
    )
    CategoryAttribute.objects.get_or_create(
        category=categories["schlagloch"],
        code="flaeche",
        defaults={
            "datatype": "singlevaluelist",
            "required": False,
            "order": 1,
            "description": "Wo genau ist der Schaden?",
            "description_en": "Where exactly is the damage?",
            "values": [
                {"key": "fahrbahn", "name": "Fahrbahn", "name_en": "Road"},
                {"key": "radweg", "name": "Radweg", "name_en": "Cycle path"},
                {"key": "gehweg", "name": "Gehweg", "name_en": "Pavement"},
            ],
        },
    )
    moderator = User.objects.filter(
        roles__role=Role.MODERATOR, roles__municipality=municipality
    ).first()
    created = {}
    for index, (code, text, address, dlat, dlon, state) in enumerate(REPORTS):
        report = reports.submit_report(
            municipality,
            category=categories[code],
            description=text,
            address=address,
            latitude=Decimal(str(round(CENTER[0] + dlat, 6))),
            longitude=Decimal(str(round(CENTER[1] + dlon, 6))),
            photos=[_photo((40, 40, 40))] if index in (0, 6) else [],
        )
        Report.objects.filter(pk=report.pk).update(
            created_at=timezone.now() - timedelta(days=len(REPORTS) - index, hours=index)
        )
        created[index] = report
        if state == "pending":
            continue
        reports.moderate(report, publish=True, actor=moderator)
        _apply_state(report, state, moderator, created)
    # Reported by address only: the town's address list gives it its map position.
    by_address = reports.submit_report(
        municipality,
        category=categories["laterne"],
        description="Zwei Laternen vor dem Haus sind seit Tagen dunkel.",
        address="Gutenbergstraße 12",
    )
    reports.moderate(by_address, publish=True, actor=moderator)
    # An old pothole that is past its service level: shows as overdue.
    late = reports.submit_report(
        municipality,
        category=categories["schlagloch"],
        description="Absackung am Gully, wird bei Regen zur Pfütze.",
        address="Behlertstraße 21",
    )
    Report.objects.filter(pk=late.pk).update(
        created_at=timezone.now() - timedelta(days=20),
        due_at=timezone.now() - timedelta(days=6),
    )
    reports.moderate(late, publish=True, actor=moderator)


def load_addresses(municipality):
    """The demo town's address list, through the same import a city uses."""
    if StreetAddress.objects.for_municipality(municipality).exists():
        return
    text = (DATA_DIR / "adressen.csv").read_text(encoding="utf-8")
    geocoding.import_addresses(municipality, text, actor_label="Demo-Daten")


def _apply_state(report, state, actor, created):
    change = reports.change_status
    if state == "in_progress":
        change(report, status="in_progress", actor=actor, note="Der Bauhof ist beauftragt.")
    elif state == "fixed":
        change(report, status="fixed", actor=actor, note="Mangel behoben. Danke für die Meldung!")
    elif state == "closed_private":
        change(
            report,
            status="closed",
            actor=actor,
            close_reason="private_land",
            note="Die Fläche ist in Privatbesitz; wir haben die Eigentümer informiert.",
        )
    elif state == "closed_responsible":
        change(
            report,
            status="closed",
            actor=actor,
            close_reason="not_responsible",
            note="Zuständig sind die Verkehrsbetriebe; die Meldung wurde weitergeleitet.",
        )
    elif state == "duplicate":
        change(
            report,
            status="closed",
            actor=actor,
            close_reason="duplicate",
            duplicate_of=created[0],
            note="Bereits gemeldet.",
        )
    elif state == "reopened":
        change(report, status="fixed", actor=actor, note="Gemäht.")
        reports.reopen(report, reason="Nur die Hälfte wurde gemäht.")


# --- Bürgerhaushalt ---------------------------------------------------------------

CATEGORIES_BUDGET = ["Umwelt und Grün", "Verkehr", "Kultur und Sport", "Soziales", "Bildung"]
DISTRICTS = ["Innenstadt", "Nord", "Süd", "West"]
LAST_YEAR = [
    "Trinkbrunnen in der Innenstadt",
    "Mehr Fahrradbügel am Bahnhof",
    "Sanierung Skatepark Süd",
    "Bücherschränke in jedem Stadtteil",
    "Beleuchtung Uferweg",
    "Sitzbänke für Ältere",
    "Blühwiesen statt Rasen",
    "Kostenloses WLAN in der Bibliothek",
    "Zebrastreifen an der Schule Nord",
    "Hundewiese im Volkspark",
    "Jugendtreff West länger öffnen",
    "Barrierefreie Bushaltestellen",
    "Öffentliche Toiletten im Park",
    "Nistkästen an Schulen",
    "Gemeinsame Baumpflege mit der Bürgerschaft",
    "Mehr Mülleimer am Ufer",
    "Tischtennisplatten im Stadtteil Süd",
    "Tempo 30 vor Kitas",
    "Kulturbühne im Sommer",
    "Reparaturcafé unterstützen",
    "Radweg Zeppelinstraße sanieren",
    "Spielplatz Nord erneuern",
    "Baumpatenschaften fördern",
    "Stadtteilfest West",
]
THIS_YEAR = [
    "Schattenplätze auf Spielplätzen",
    "Lastenrad-Verleih",
    "Kältebus im Winter",
    "Solarbänke mit Ladestation",
    "Mehr Papierkörbe an Haltestellen",
    "Wasserspielplatz Süd",
    "Fahrradstraße Lindenstraße",
    "Offene Sporthalle am Wochenende",
    "Urban Gardening Nord",
    "Leihbibliothek für Werkzeug",
    "Grünes Klassenzimmer",
    "Barrierefreier Zugang zum See",
]


def _voters(count):
    emails = [f"buerger{n:03d}@musterstadt.example" for n in range(1, count + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    # Demo voters cannot log in (unusable password), so hashing is skipped on purpose.
    User.objects.bulk_create(
        [User(email=e, password="!", first_name="Demo") for e in emails if e not in existing]
    )
    return list(User.objects.filter(email__in=emails).order_by("email"))


def load_budget(municipality):
    if BudgetRound.objects.for_municipality(municipality).exists():
        return
    rng = random.Random(2025)
    moderator = User.objects.filter(
        roles__role=Role.MODERATOR, roles__municipality=municipality
    ).first()
    last = BudgetRound.objects.create(
        municipality=municipality,
        office=_office(municipality, "buero-oberbuergermeister"),
        slug="2024-25",
        title="Bürgerhaushalt 2024/25",
        description="Abgeschlossen: Die TOP-20-Liste ging an die Stadtverordnetenversammlung.",
        phase=BudgetRound.Phase.PROPOSALS,
        categories=CATEGORIES_BUDGET,
        districts=DISTRICTS,
        points_per_voter=10,
        max_points_per_proposal=5,
        top_n=20,
    )
    _proposals(last, LAST_YEAR, rng, moderator)
    budget.set_phase(last, phase="voting", actor=moderator)
    feasible = list(budget.ballot_proposals(last))
    weights = [rng.random() ** 2 + 0.05 for _ in feasible]
    ballots = [Ballot(round=last, user=u) for u in _voters(400)]
    Ballot.objects.bulk_create(ballots)
    entries = []
    for ballot in Ballot.objects.filter(round=last):
        chosen = rng.choices(feasible, weights=weights, k=4)
        left = 10
        for proposal in dict.fromkeys(chosen):
            points = min(left, rng.randint(1, 5))
            left -= points
            entries.append(BallotEntry(ballot=ballot, proposal=proposal, points=points))
            if not left:
                break
    BallotEntry.objects.bulk_create(entries)
    budget.set_phase(last, phase="results", actor=moderator)
    paper = budget.create_council_paper(last, actor=moderator)
    top = budget.top_list(last)
    # No. 15's path in Potsdam (22/SVV/1134): one proposal also becomes its own paper.
    own_paper = create_proposal_paper(top[2].proposal, actor=moderator)
    decided_on = _decide_in_council(municipality, [paper, own_paper], moderator)
    budget.set_phase(last, phase="implementation", actor=moderator)
    for row in top[:6]:
        status = rng.choice(["accepted", "implementing", "implementing", "done"])
        percent = {"accepted": 0, "implementing": rng.choice([20, 45, 70]), "done": 100}[status]
        budget.update_progress(
            row.proposal,
            actor=moderator,
            status=status,
            percent=percent,
            note="Die Stadtverordnetenversammlung hat die Umsetzung beschlossen.",
        )
        # The council's resolution is shown from the council's own record (the way);
        # only the administration's own steps are milestones.
        budget.add_milestone(
            row.proposal,
            actor=moderator,
            title="Ausschreibung",
            due=timezone.localdate() + timedelta(days=-20 if status == "done" else 30),
            done=status == "done",
        )
    if decided_on is not None:  # last: saving proposals above would write "now" back
        _date_the_story_back(last, [paper, own_paper], decided_on)

    current = BudgetRound.objects.create(
        municipality=municipality,
        slug="2025-26",
        title="Bürgerhaushalt 2025/26",
        description="Jetzt abstimmen: Verteilen Sie 10 Punkte auf die Vorschläge.",
        phase=BudgetRound.Phase.PROPOSALS,
        categories=CATEGORIES_BUDGET,
        districts=DISTRICTS,
        points_per_voter=10,
        max_points_per_proposal=5,
        top_n=20,
        voting_ends_at=timezone.now() + timedelta(days=21),
    )
    _proposals(current, THIS_YEAR, rng, moderator)
    budget.set_phase(current, phase="voting", actor=moderator)
    feasible = list(budget.ballot_proposals(current))
    for user in _voters(60)[:60]:
        picks = rng.sample(feasible, 3)
        budget.cast_ballot(
            current, user=user, points={picks[0].pk: 5, picks[1].pk: 3, picks[2].pk: 2}
        )


def _decide_in_council(municipality, papers, moderator):
    """What the council did with last round's papers: the Stadtverordnetenversammlung
    decided them at a meeting about four months ago (the council demo's year of
    meetings). Adopting resolutions create the tracked tasks by themselves."""
    from rathaus.council import services as council
    from rathaus.council.models import Meeting, Organization

    organizations = Organization.objects.for_municipality(municipality).alive()
    assembly = organizations.filter(kind=Organization.Kind.COUNCIL).first()
    if assembly is None:  # the council demo did not run
        return None
    meeting = (
        Meeting.objects.for_municipality(municipality)
        .alive()
        .filter(organization=assembly, cancelled=False)
        .filter(start__lt=timezone.now() - timedelta(days=100))
        .order_by("-start")
        .first()
    )
    if meeting is None:
        return None
    for paper in papers:
        consultation = council.add_consultation(paper, assembly, "Entscheidung", meeting=meeting)
        item = council.add_agenda_item(
            meeting, paper.name, consultation=consultation, late=False, actor=moderator
        )
        council.record_result(
            item,
            result="beschlossen",
            unanimous=True,
            resolution_text="Die Verwaltung wird beauftragt, die Vorschläge zu prüfen und "
            "umzusetzen und der Stadtverordnetenversammlung halbjährlich zu berichten.",
            actor=moderator,
        )
    council.generate_minutes(meeting, actor=moderator)
    council.approve_minutes(meeting, actor=moderator)
    return timezone.localtime(meeting.start).date()


def _date_the_story_back(budget_round, papers, decided_on):
    """The services stamp "now"; last round's story happened before the decision, so the
    demo dates it back: submitted, reviewed, voted, handed over, then decided."""
    from rathaus.council import services as council

    day = datetime.combine(decided_on, time(12), tzinfo=timezone.get_current_timezone())
    budget_round.proposals.update(
        created_at=day - timedelta(days=200), reviewed_at=day - timedelta(days=150)
    )
    BudgetRound.objects.filter(pk=budget_round.pk).update(voting_ends_at=day - timedelta(days=60))
    for paper in papers:
        council.update_paper(paper, date=decided_on - timedelta(days=40))


def _proposals(budget_round, titles, rng, moderator):
    made = []
    for title in titles:
        made.append(
            budget.submit_proposal(
                budget_round,
                author=None,
                title=title,
                description=f"{title}: Vorschlag aus der Bürgerschaft. Damit würde der Stadtteil "
                "lebenswerter, und viele Menschen hätten etwas davon.",
                category=rng.choice(CATEGORIES_BUDGET),
                district=rng.choice(DISTRICTS),
            )
        )
    budget.set_phase(budget_round, phase="review", actor=moderator)
    if len(made) > 6:
        budget.merge(made[-1], into=made[-2], actor=moderator)
    for index, proposal in enumerate(made[:-1] if len(made) > 6 else made):
        feasible = index % 7 != 3
        budget.review(
            proposal,
            actor=moderator,
            feasible=feasible,
            note="Umsetzbar im Rahmen der Haushaltsplanung."
            if feasible
            else "Liegt nicht in der Zuständigkeit der Stadt.",
            cost=Decimal(rng.randrange(5, 250) * 1000) if feasible else None,
        )


# --- Baumgießen ------------------------------------------------------------------


def load_trees(municipality):
    if Tree.objects.for_municipality(municipality).exists():
        return
    rng = random.Random(1852)
    today = timezone.localdate()
    trees = []
    for index in range(200):
        street, district = STREETS[index % len(STREETS)]
        street_no = index % len(STREETS)
        year = (
            None
            if index % 23 == 0
            else rng.choice([today.year - a for a in (1, 2, 3, 5, 6, 7, 8, 9, 12, 25, 40, 60, 90)])
        )
        trees.append(
            Tree(
                municipality=municipality,
                external_id=f"MS-{index + 1:04d}",
                species=rng.choice(SPECIES),
                planting_year=year,
                street=street,
                district=district,
                latitude=Decimal(
                    str(
                        round(
                            CENTER[0] - 0.012 + street_no * 0.0025 + rng.uniform(-0.0004, 0.0004), 6
                        )
                    )
                ),
                longitude=Decimal(
                    str(
                        round(
                            CENTER[1]
                            - 0.015
                            + (index // len(STREETS)) * 0.0015
                            + rng.uniform(-0.0002, 0.0002),
                            6,
                        )
                    )
                ),
            )
        )
    Tree.objects.bulk_create(trees)
    Rainfall.objects.bulk_create(
        [
            Rainfall(
                municipality=municipality,
                date=today - timedelta(days=d),
                mm=Decimal(str(round(rng.choice([0, 0, 0, 0, 0.4, 1.2, 3.5, 8.0]), 1))),
            )
            for d in range(60)
        ],
        ignore_conflicts=True,
    )
    names = ["Kiezgießer", "Linde42", "Anonym", "Gießkannenheld", "Familie S.", "Nachbarin"]
    stored = list(Tree.objects.for_municipality(municipality))
    Watering.objects.bulk_create(
        [
            Watering(
                tree=rng.choice(stored),
                litres=rng.choice([10, 20, 40, 50, 80, 100]),
                date=today - timedelta(days=rng.randrange(0, 40)),
                name=rng.choice(names),
            )
            for _ in range(180)
        ]
    )
    for name, dlat, dlon, condition in [
        ("Pumpe Bassinplatz", 0.0026, 0.0035, "working"),
        ("Pumpe Lindenstraße", -0.0100, -0.0040, "working"),
        ("Pumpe Volkspark", 0.0090, 0.0090, "broken"),
        ("Pumpe Am Stern", -0.0060, 0.0110, "working"),
    ]:
        WaterPump.objects.create(
            municipality=municipality,
            name=name,
            condition=condition,
            latitude=Decimal(str(round(CENTER[0] + dlat, 6))),
            longitude=Decimal(str(round(CENTER[1] + dlon, 6))),
        )


# --- Dialoge ---------------------------------------------------------------------


RATHAUS = "buergerbuero-mitte"  # core demo: the Bürgerbüro in the Rathaus, Marktplatz 1


def load_dialogues(municipality):
    if DialogueEvent.objects.for_municipality(municipality).exists():
        return
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    events = [
        (
            "dialogue",
            "stadtteildialog-sued",
            "Stadtteildialog Süd",
            "Süd",
            "Begegnungszentrum Süd, Konrad-Wolf-Allee 11",
            21,
            18,
            2,
            60,
            ["Stadtteilentwicklung", "Wohnen", "Bildung & Kultur", "Ordnung & Sicherheit"],
        ),
        (
            "walk",
            "stadtteilwanderung-nord",
            "Stadtteilwanderung Nord",
            "Nord",
            "Treffpunkt: Haltestelle Am Neuen Garten",
            35,
            10,
            3,
            25,
            ["Grün und Spielplätze", "Verkehr"],
        ),
        (
            "consultation",
            "buergersprechstunde-juni",
            "Bürgersprechstunde der Oberbürgermeisterin",
            "Innenstadt",
            "Rathaus, Raum 280",
            10,
            16,
            2,
            8,
            ["Ihr Anliegen"],
        ),
    ]
    for kind, slug, title, district, venue, days, hour, hours, capacity, topics in events:
        start = (now + timedelta(days=days)).replace(hour=hour)
        event = DialogueEvent.objects.create(
            municipality=municipality,
            kind=kind,
            slug=slug,
            title=title,
            district=district,
            venue=venue,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            capacity=capacity,
            description=f"{title}: Die Oberbürgermeisterin und die Fachbereiche hören zu und "
            "beantworten Fragen. Bitte melden Sie sich an.",
        )
        for position, topic in enumerate(topics):
            EventTopic.objects.create(event=event, title=topic, position=position)
    past_start = (now - timedelta(days=40)).replace(hour=18)
    past = DialogueEvent.objects.create(
        municipality=municipality,
        kind="dialogue",
        slug="stadtteildialog-innenstadt",
        title="Stadtteildialog Innenstadt",
        district="Innenstadt",
        venue="Altes Rathaus",
        starts_at=past_start,
        ends_at=past_start + timedelta(hours=2),
        capacity=80,
        registration_open=False,
        description="Der Stadtteildialog zur Entwicklung der Innenstadt.",
    )
    topics = {
        t: EventTopic.objects.create(event=past, title=t, position=i)
        for i, t in enumerate(["Gastronomie", "Naherholung", "Verkehr"])
    }
    for topic, text, answer in [
        (
            "Gastronomie",
            "Mehr Außengastronomie am Markt erlauben.",
            "Die Sondernutzungssatzung wird 2026 überarbeitet.",
        ),
        ("Naherholung", "Mehr Bänke und Schatten im Lustgarten.", "Zehn neue Bänke sind bestellt."),
        ("Naherholung", "Trinkbrunnen am Ufer.", "Wird im Bürgerhaushalt vorgeschlagen."),
        ("Verkehr", "Sichere Querung an der Breiten Straße.", "Eine Mittelinsel ist in Planung."),
        ("Verkehr", "Fahrradbügel vor dem Kino.", ""),
    ]:
        hint = Hint.objects.create(event=past, topic=topics[topic], text=text)
        dialogues.review_hint(hint, actor=None, status="accepted", answer=answer)
    dialogues.publish_hints(past, actor=None, summary="Rund 60 Gäste, 5 Hinweise zu 3 Themen.")


def load_consultation_slots(municipality):
    """The coming Bürgersprechstunde books 15-minute slots through the Terminvergabe."""
    from rathaus.appointments import services as appointments
    from rathaus.core.models import Location

    from .dialogues import slots

    location = Location.objects.for_municipality(municipality).filter(slug=RATHAUS).first()
    events = DialogueEvent.objects.for_municipality(municipality).filter(
        kind=DialogueEvent.Kind.CONSULTATION,
        appointment_offer__isnull=True,
        starts_at__gt=timezone.now() + timedelta(days=1),
    )
    if location is None:
        return
    for event in events:
        duration = (event.ends_at - event.starts_at) // timedelta(minutes=1)
        if duration % slots.DEFAULT_SLOT_MINUTES:
            continue
        offer = slots.enable_slot_booking(event, location=location)
        free = slots.free_slots(event)
        if len(free) > 2:  # two people have already booked, so the day view is not empty
            people = [("Jana Beispiel", "jana"), ("Ömer Muster", "oemer")]
            for (start, _url), (name, local) in zip(free[1:3], people, strict=True):
                email = f"{local}.sprechstunde@musterstadt.example"
                booking = appointments.hold(offer, start, name=name, email=email)
                appointments.confirm(booking)


def load_open311_client(municipality):
    from .reports.models import Open311Client

    if not Open311Client.objects.for_municipality(municipality).exists():
        open311.create_client(municipality, "Demo-App (Schlüssel: neuen Client anlegen)")


def load(municipality):
    """Demo data of this module for Musterstadt (idempotent)."""
    with transaction.atomic():
        load_addresses(municipality)
        load_reports(municipality)
        load_budget(municipality)
        load_trees(municipality)
        load_dialogues(municipality)
        load_consultation_slots(municipality)
        load_open311_client(municipality)
    return municipality
