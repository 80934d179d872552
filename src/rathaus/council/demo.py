"""Demo council of Musterstadt: seed 002's committee meeting of 10.01.2023 with its four
papers, attendance and outcomes, the Rostock statement (seed 000), the Weimar inquiry
(seed 001) and a year of meetings of council, committees and advisory boards.

Idempotent: if the seed meeting exists, the loader does nothing.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from rathaus.core.models import Office, Role, StaffRole, User

from . import demo_data as D
from . import services, services_inquiries
from .models import (
    AgendaItem,
    Consultation,
    File,
    LegislativeTerm,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Place,
)

BERLIN = ZoneInfo("Europe/Berlin")
# Lead offices of the tracked motions, by index modulo 4.
LEAD_OFFICES = {0: "buero-oberbuergermeister", 1: "tiefbauamt", 2: "umweltamt", 3: "sozialamt"}
DEMO_PASSWORD = "rathaus-demo"
SEED_MEETING = datetime(2023, 1, 10, 18, 0, tzinfo=BERLIN)

GIVEN = [
    "Anna",
    "Jonas",
    "Petra",
    "Thomas",
    "Sabine",
    "Michael",
    "Claudia",
    "Andreas",
    "Julia",
    "Stefan",
    "Katrin",
    "Martin",
    "Susanne",
    "Frank",
    "Monika",
    "Tobias",
    "Birgit",
    "Lars",
    "Heike",
    "Jan",
    "Ute",
    "Felix",
    "Ines",
    "Ralf",
]
FAMILY = [
    "Schulze",
    "Becker",
    "Hoffmann",
    "Krüger",
    "Wagner",
    "Neumann",
    "Schmidt",
    "Lehmann",
    "Richter",
    "Wolf",
    "Braun",
    "Zimmermann",
    "Hartmann",
    "Lange",
    "Schröder",
    "Koch",
    "Vogel",
    "Fischer",
    "Werner",
    "Günther",
    "Friedrich",
    "Keller",
    "Jäger",
    "Sommer",
]


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=BERLIN)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


class Loader:
    def __init__(self, municipality):
        self.m = municipality
        self.rng = random.Random(42)
        self.body = services.body_of(municipality)
        self.orgs: dict[str, Organization] = {}
        self.people: dict[str, Person] = {}
        self.meeting_count: dict[int, int] = {}

    def office(self, slug: str):
        scoped = Office.objects.for_municipality(self.m)
        return scoped.filter(slug=slug).first() or scoped.first()

    # --- master data -------------------------------------------------------------------

    def master_data(self):
        self.body.name = f"Stadtverordnetenversammlung {self.m.name}"
        self.body.short_name = self.m.name
        self.body.contact_name = "Büro der Stadtverordnetenversammlung"
        self.body.save()
        LegislativeTerm.objects.get_or_create(
            municipality=self.m,
            body=self.body,
            name="Wahlperiode 2019–2024",
            defaults={"start_date": date(2019, 6, 1), "end_date": date(2024, 6, 30)},
        )
        LegislativeTerm.objects.get_or_create(
            municipality=self.m,
            body=self.body,
            name="Wahlperiode 2024–2029",
            defaults={"start_date": date(2024, 7, 1), "end_date": date(2029, 6, 30)},
        )
        self.plenary = Place.objects.create(
            municipality=self.m,
            description=f"Rathaus {self.m.name}",
            room="Plenarsaal",
            street_address="Marktplatz 1",
            postal_code="14999",
            locality=self.m.name,
        )
        self.room_280 = Place.objects.create(
            municipality=self.m,
            description=f"Stadtverwaltung {self.m.name}",
            room="Raum 280 a",
            street_address="Friedrich-Ebert-Straße 79/81",
            postal_code="14999",
            locality=self.m.name,
        )
        self.board_room = Place.objects.create(
            municipality=self.m,
            description=f"Rathaus {self.m.name}",
            room="Raum 1.12",
            street_address="Marktplatz 1",
            postal_code="14999",
            locality=self.m.name,
        )
        for name, short, kind, description in D.ORGANIZATIONS:
            rules, all_councillors_read = D.BOARD_RULES.get(name, (D.RULES, False))
            self.orgs[name] = Organization.objects.create(
                municipality=self.m,
                body=self.body,
                name=name,
                short_name=short,
                kind=kind,
                description=description,
                start_date=date(2019, 6, 1),
                rules_of_procedure=rules if kind == "advisory_board" else "",
                councillors_may_read_non_public=all_councillors_read,
            )
        self.groups = {o.short_name: o for o in self.orgs.values() if o.kind == "group"}

    def person(self, given, family, address="", title="", status="") -> Person:
        key = f"{given} {family}"
        if key not in self.people:
            self.people[key] = Person.objects.create(
                municipality=self.m,
                body=self.body,
                name=key,
                given_name=given,
                family_name=family,
                form_of_address=address,
                title=title,
                status=status,
            )
        return self.people[key]

    def member(self, person, org_name, role="Mitglied", group=None, voting=True, start=None):
        Membership.objects.create(
            municipality=self.m,
            person=person,
            organization=self.orgs[org_name],
            role=role,
            voting_right=voting,
            on_behalf_of=self.groups.get(group) if group else None,
            start_date=start or date(2019, 6, 1),
        )

    def people_and_memberships(self):
        for address, title, given, family, group, function, *_rest in D.ATTENDANCE:
            person = self.person(given, family, address, title)
            voting = function in D.VOTING_FUNCTIONS
            self.member(person, D.PTD, function, group if group in self.groups else None, voting)
            if function in D.VOTING_FUNCTIONS:
                self.member(person, D.SVV, "Stadtverordnete/r", group)
        self.member(self.people["Peter Hahnel"], "Seniorenbeirat", "Vorsitz")
        self.member(self.people["Viktor Kalitke"], "Migrantenbeirat", "Vorsitz")
        group_names = list(self.groups)
        committees = [o.name for o in self.orgs.values() if o.kind == "committee"]
        boards = [o.name for o in self.orgs.values() if o.kind == "advisory_board"]
        for index, (given, family) in enumerate(zip(GIVEN, FAMILY, strict=True)):
            person = self.person(given, family, "Frau" if index % 2 == 0 else "Herr")
            if index < 16:
                group = group_names[index % len(group_names)]
                self.member(person, D.SVV, "Stadtverordnete/r", group)
                self.member(person, committees[index % len(committees)], "Mitglied", group)
                self.member(
                    person,
                    "Hauptausschuss" if index < 8 else committees[(index + 2) % len(committees)],
                    "Mitglied",
                    group,
                )
            else:
                self.member(
                    person,
                    boards[index % len(boards)],
                    "stellv. Vorsitz" if index < 19 else "Mitglied",
                )
        mayor = self.person("Eva", "Musterfrau", "Frau", status="Oberbürgermeisterin")
        self.member(mayor, D.SVV, "Oberbürgermeisterin")
        self.member(mayor, "Hauptausschuss", "Vorsitz")

    def councillor_login(self):
        """rat@musterstadt.example: councillor, linked to Nico Marquardt (PTD member)."""
        user = User.objects.filter(email="rat@musterstadt.example").first()
        if user is None:
            user = User.objects.create_user(
                "rat@musterstadt.example",
                DEMO_PASSWORD,
                first_name="Nico",
                last_name="Marquardt",
            )
        StaffRole.objects.get_or_create(user=user, municipality=self.m, role=Role.COUNCILLOR)
        person = self.people["Nico Marquardt"]
        person.user = user
        person.email = "rat@musterstadt.example"
        person.save()

    # --- meetings ----------------------------------------------------------------------

    def meeting(self, org_name, start, place, name=None, end=None) -> Meeting:
        org = self.orgs[org_name]
        number = self.meeting_count.get(org.pk, 0) + 1
        self.meeting_count[org.pk] = number
        return services.create_meeting(
            org,
            name=name or f"{number}. Sitzung – {org.name}",
            start=start,
            end=end or start + timedelta(hours=2, minutes=30),
            place=place,
        )

    def paper(self, reference, **fields) -> Paper:
        fields = {k: v for k, v in fields.items() if k in services.PAPER_FIELDS - {"reference"}}
        for name in ("date", "tracking_due_date", "answer_due_date"):
            if isinstance(fields.get(name), str):
                fields[name] = date.fromisoformat(fields[name])
        if isinstance(fields.get("lead_office"), str):
            fields["lead_office"] = self.office(fields["lead_office"])
        return services.create_paper(self.m, reference=reference, **fields)

    def on_agenda(self, paper, meeting, role, number="", public=True) -> AgendaItem:
        consultation = services.add_consultation(paper, meeting.organization, role, meeting=meeting)
        return services.put_paper_on_agenda(consultation, meeting, number=number, public=public)

    def decide(self, item, result, unanimous=False, counts=None, text="", resolution=""):
        yes, no, abstain = counts or (None, None, None)
        services.record_result(
            item,
            result=result,
            unanimous=unanimous,
            votes_yes=yes,
            votes_no=no,
            votes_abstain=abstain,
            discussion=text,
            resolution_text=resolution,
        )

    def attendance_of_members(self, meeting):
        rows, seen = [], set()
        for m in Membership.objects.filter(organization=meeting.organization).select_related(
            "person", "on_behalf_of"
        ):
            if m.person_id in seen:
                continue
            seen.add(m.person_id)
            roll = self.rng.random()
            status = "present" if roll > 0.12 else ("excused" if roll > 0.04 else "absent")
            rows.append(
                {
                    "person": m.person,
                    "status": status,
                    "function": m.role,
                    "affiliation": m.on_behalf_of.short_name if m.on_behalf_of else "",
                    "voting": m.voting_right,
                }
            )
        services.record_attendance(meeting, rows)

    # --- seed 002 ----------------------------------------------------------------------

    def seed_meeting(self):
        papers = {ref: self.paper(ref, **fields) for ref, fields in D.SEED_PAPERS.items()}
        svv_oct = self.meeting(D.SVV, at(date(2022, 10, 5), 15), self.plenary)
        svv_dec = self.meeting(D.SVV, at(date(2022, 12, 7), 15), self.plenary)
        ha_dec = self.meeting("Hauptausschuss", at(date(2022, 12, 14), 17), self.plenary)
        for meeting, refs in (
            (svv_oct, ["22/SVV/0792"]),
            (svv_dec, ["22/SVV/1084", "22/SVV/1134"]),
        ):
            services.add_agenda_item(meeting, "Eröffnung der Sitzung")
            for ref in refs:
                item = self.on_agenda(papers[ref], meeting, Consultation.Role.DECISION)
                self.decide(
                    item,
                    AgendaItem.Result.REFERRED,
                    text=(f"Der Antrag wird in den {D.PTD} überwiesen."),
                )
            services.publish_agenda(meeting)
        services.add_agenda_item(ha_dec, "Eröffnung der Sitzung")
        item = self.on_agenda(papers["22/SVV/1207"], ha_dec, Consultation.Role.NOTICE)
        self.decide(item, AgendaItem.Result.NOTED)
        services.publish_agenda(ha_dec)

        meeting = self.meeting(
            D.PTD,
            SEED_MEETING,
            self.room_280,
            name="25. öffentliche Sitzung des Ausschusses für Partizipation, Transparenz und "
            "Digitalisierung",
            end=datetime(2023, 1, 10, 20, 27, tzinfo=BERLIN),
        )
        meeting.scribe = "Frau Marén Matyka"
        meeting.save(update_fields=["scribe"])
        items = {}
        for number, name, ref, discussion, result, unanimous, late in D.AGENDA_2023_01_10:
            if late:
                services.publish_agenda(meeting)  # 9 was added at the meeting (Dringlichkeit)
            if ref:
                role = (
                    Consultation.Role.NOTICE
                    if ref == "22/SVV/1207"
                    else Consultation.Role.PREPARATION
                )
                item = self.on_agenda(papers[ref], meeting, role, number=number)
            else:
                item = services.add_agenda_item(meeting, name, number=number, late=late)
            if discussion or result:
                self.decide(
                    item,
                    result,
                    unanimous=unanimous,
                    text=discussion,
                    resolution=D.RESOLUTION_1134 if ref == "22/SVV/1134" else "",
                )
            items[number] = item
        rows = []
        for _address, _title, given, family, group, function, status, arrived, left in D.ATTENDANCE:
            rows.append(
                {
                    "person": self.people[f"{given} {family}"],
                    "status": status,
                    "function": function,
                    "affiliation": group,
                    "voting": function in D.VOTING_FUNCTIONS,
                    "arrived": time.fromisoformat(arrived) if arrived else None,
                    "left": time.fromisoformat(left) if left else None,
                }
            )
        services.record_attendance(meeting, rows)
        services.attach_file(
            municipality=self.m,
            name="Präsentation Stadtteildialoge",
            file_name="praesentation-stadtteildialoge.txt",
            mime_type="text/plain",
            data=D.PRESENTATION_1084.encode(),
            agenda_item=items["3.2"],
            paper=papers["22/SVV/1084"],
        )
        services.attach_file(
            municipality=self.m,
            name="Präsentation Umsetzung des Onlinezugangsgesetzes",
            file_name="praesentation-ozg.txt",
            mime_type="text/plain",
            data=D.PRESENTATION_1207.encode(),
            agenda_item=items["6.1"],
            paper=papers["22/SVV/1207"],
        )
        services.add_task(
            items["3.3"],
            description="Prüfauftrag Baumpflege: dezentrales Gießen, Projekt analog "
            "„GiessdenKiez.de“ und Fördermittel Smart City prüfen und dem Ausschuss berichten",
            office=self.office("umweltamt"),
            due_date=date(2023, 6, 30),
        )
        task = items["3.3"].tasks.first()
        services.update_task(task, status="done", report="Bericht im Ausschuss am 13.06.2023.")
        services.generate_minutes(meeting)
        services.approve_minutes(meeting)

    def rostock_and_weimar(self):
        paper = self.paper(**D.ROSTOCK)
        last_item = None
        for day, org_name, role in D.ROSTOCK_PATH:
            meeting = self.meeting(
                org_name,
                at(date.fromisoformat(day), 17),
                self.plenary if org_name == D.SVV else self.room_280,
            )
            services.add_agenda_item(meeting, "Eröffnung der Sitzung")
            last_item = self.on_agenda(paper, meeting, role)
            self.decide(last_item, AgendaItem.Result.NOTED)
            services.publish_agenda(meeting)
        services.add_task(
            last_item,
            description="Fahrplan vorlegen, wann weitere Bürgerdienste im "
            "Online-Verfahren angeboten werden (OZG-Zwischenbericht als Informationsvorlage)",
            office=self.office("buero-oberbuergermeister"),
            due_date=date(2024, 5, 30),
        )
        task = services.add_task(
            last_item,
            description="Bericht an Stadtentwicklungs-, Sozial- und "
            "Jugendhilfeausschuss über die Ergebnisse der veränderten Terminvergabe",
            office=self.office("buergerservice"),
            due_date=date(2025, 3, 31),
        )
        services.update_task(task, status="in_progress", report="Auswertung der Wartezeiten läuft.")
        weimar = self.paper(**D.WEIMAR)
        services.add_consultation(
            weimar, self.orgs[D.SVV], Consultation.Role.NOTICE, planned_date=date(2022, 1, 26)
        )
        answer = dict(D.WEIMAR_ANSWER)
        parent = Paper.objects.for_municipality(self.m).get(reference=answer.pop("parent"))
        self.paper(**answer, superordinated=parent)

    # --- a year of meetings --------------------------------------------------------------

    SCHEDULE = [
        # organization, weekday, nth, hour, every n months, place
        (D.SVV, 2, 1, 17, 1, "plenary"),
        ("Hauptausschuss", 2, 2, 17, 1, "plenary"),
        (D.PTD, 1, 2, 18, 2, "room_280"),
        ("Ausschuss für Soziales, Gesundheit und Migration", 1, 3, 17, 1, "room_280"),
        ("Ausschuss für Stadtentwicklung, Umwelt und Ordnung", 3, 3, 17, 1, "room_280"),
        ("Jugendhilfeausschuss", 0, 4, 17, 2, "room_280"),
        ("Seniorenbeirat", 0, 1, 10, 1, "board_room"),
        ("Migrantenbeirat", 3, 1, 18, 2, "board_room"),
        ("Beirat für Menschen mit Behinderung", 3, 2, 16, 2, "board_room"),
        ("Klimarat", 2, 3, 18, 3, "board_room"),
        ("Naturschutzbeirat", 1, 1, 16, 3, "board_room"),
        ("Tierheimbeirat", 4, 2, 15, 6, "board_room"),
    ]

    def year_of_meetings(self):
        today = timezone.localdate()
        meetings = []
        for offset in range(-6, 7):
            month_index = today.year * 12 + today.month - 1 + offset
            year, month = divmod(month_index, 12)
            month += 1
            for org_name, weekday, nth, hour, every, place in self.SCHEDULE:
                if month % every:
                    continue
                day = nth_weekday(year, month, weekday, nth)
                meetings.append(self.meeting(org_name, at(day, hour), getattr(self, place)))
        meetings.sort(key=lambda m: m.start)
        by_org: dict[str, list[Meeting]] = {}
        for meeting in meetings:
            by_org.setdefault(meeting.organization.name, []).append(meeting)
        now = timezone.now()
        papers = D.YEAR_PAPERS + D.MORE_PAPERS
        for index, (ptype, title, originator) in enumerate(papers):
            self.paper_with_path(index, len(papers), ptype, title, originator, by_org, now)
        for meeting in meetings:
            self.finish_meeting(meeting, now)

    def paper_with_path(self, index, count, ptype, title, originator, by_org, now):
        # Spread over the past year, the newest a few days ago: papers are never dated
        # in the future, while the newest ones still wait for their upcoming meetings.
        day = timezone.localdate() - timedelta(days=360 - index * (355 // count))
        year = day.year % 100
        # Motions ask for Beschlussverfolgung (the Antrag form's box): the council's
        # adopting resolution then creates the task by itself.
        tracked = ptype == "Antrag"
        paper = self.paper(
            f"{year:02d}/SVV/{100 + index:04d}",
            name=title,
            paper_type=ptype,
            date=day,
            originator=originator,
            tracking_requested=tracked,
            tracking_due_date=day + timedelta(days=180) if tracked else None,
            lead_office=self.office(LEAD_OFFICES.get(index % 4, "buero-oberbuergermeister"))
            if tracked
            else None,
            text=f"{title}.\n\nDie Verwaltung legt den Entwurf zur Beratung vor. Die "
            "Einzelheiten ergeben sich aus der Begründung und den Anlagen.",
            reasoning="Die Vorlage setzt einen Auftrag der Stadtverordnetenversammlung um und "
            "berücksichtigt die Stellungnahmen der Beiräte.",
        )
        if ptype == "Stellungnahme":
            path = [
                (originator, Consultation.Role.DECISION),
                ("Ausschuss für Soziales, Gesundheit und Migration", Consultation.Role.NOTICE),
            ]
        elif ptype in ("Anfrage", "Mitteilungsvorlage"):
            path = [("Hauptausschuss", Consultation.Role.NOTICE)]
        else:
            committees = [o for o in self.orgs.values() if o.kind == "committee"][1:]
            committee = committees[index % len(committees)]
            path = [
                (committee.name, Consultation.Role.PREPARATION),
                ("Hauptausschuss", Consultation.Role.PREPARATION),
                (D.SVV, Consultation.Role.DECISION),
            ]
        after = at(day, 0)
        for org_name, role in path:
            candidates = [m for m in by_org.get(org_name, []) if m.start > after]
            if not candidates:
                services.add_consultation(
                    paper,
                    self.orgs[org_name],
                    role,
                    planned_date=(after + timedelta(days=30)).date(),
                )
                continue
            meeting = candidates[0]
            self.on_agenda(paper, meeting, role)
            after = meeting.start
        services.attach_file(
            municipality=self.m,
            name=f"Vorlage {paper.reference}",
            role=File.Role.MAIN,
            file_name=f"vorlage-{paper.pk}.txt",
            mime_type="text/plain",
            data=f"{paper.reference} {title}\n\n{paper.text}".encode(),
            paper=paper,
        )
        self.answer_inquiry(paper, index, count)

    def answer_inquiry(self, paper, index, count):
        """Answer the year's Anfragen: most on time, one late, the newest still open."""
        if paper.paper_type != Paper.Type.INQUIRY or index >= count - 4:
            return
        late = index % 3 == 0
        days = 35 if late else 20
        services_inquiries.answer_inquiry(
            paper,
            text=f"Die Verwaltung beantwortet die Anfrage „{paper.name}“ wie folgt: Die "
            "erfragten Zahlen sind als Anlage beigefügt; die Verwaltung berichtet im "
            "Fachausschuss über den weiteren Stand.",
            answered_on=min(paper.date + timedelta(days=days), timezone.localdate()),
            originator="Oberbürgermeisterin",
        )

    def finish_meeting(self, meeting, now):
        """Frame the agenda, publish, and for past meetings record attendance and results."""
        services.add_agenda_item(
            meeting,
            "Eröffnung der Sitzung und Feststellung der ordnungsgemäßen Ladung",
            number="1",
            late=False,
        )
        items = list(meeting.agenda_items.alive().order_by("order"))
        # Renumber: opening first, papers next, then reports and Sonstiges.
        opening = items[-1]
        opening.order = 0
        opening.save(update_fields=["order"])
        for number, item in enumerate(items[:-1], start=2):
            item.number = str(number)
            item.save(update_fields=["number"])
        next_number = len(items) + 1
        for topic, _text in D.BOARD_TOPICS.get(meeting.organization.name, []):
            services.add_agenda_item(meeting, topic, number=str(next_number), late=False)
            next_number += 1
        services.add_agenda_item(
            meeting, "Mitteilungen der Verwaltung", number=str(next_number), late=False
        )
        services.add_agenda_item(meeting, "Sonstiges", number=str(next_number + 1), late=False)
        if meeting.organization.name == "Hauptausschuss" and meeting.start < now:
            secret = services.create_paper(
                self.m,
                name="Grundstücksangelegenheit: Verkauf einer Teilfläche am Mühlenteich",
                paper_type="Beschlussvorlage",
                public=False,
                originator="Oberbürgermeisterin",
                text="Verkauf der Teilfläche Flur 7, Flurstück 112 zum Preis von 185.000 Euro.",
            )
            item = self.on_agenda(
                secret,
                meeting,
                Consultation.Role.DECISION,
                public=False,
                number=str(next_number + 2),
            )
            services.attach_file(
                municipality=self.m,
                name="Wertgutachten Teilfläche Mühlenteich",
                file_name="wertgutachten.txt",
                mime_type="text/plain",
                public=False,
                data=b"Verkehrswert 180.000 bis 190.000 Euro (vertraulich)",
                paper=secret,
            )
            self.decide(
                item,
                AgendaItem.Result.ADOPTED,
                counts=(9, 1, 1),
                resolution="Dem Verkauf wird zugestimmt.",
            )
        if meeting.organization.councillors_may_read_non_public:
            # The boards whose rules open their non-public part to all councillors.
            services.add_agenda_item(
                meeting,
                "Standorte geschützter Arten und Vertragsangelegenheiten (nichtöffentlich)",
                public=False,
                number=str(next_number + 2),
                late=False,
            )
        if meeting.start - now < timedelta(days=14):
            services.publish_agenda(meeting)
        if meeting.start >= now:
            return
        self.attendance_of_members(meeting)
        meeting.scribe = "Frau Lena Protokoll"
        meeting.save(update_fields=["scribe"])
        for item in meeting.agenda_items.alive().select_related("consultation"):
            consultation = getattr(item, "consultation", None)
            if consultation is None:
                topics = dict(D.BOARD_TOPICS.get(meeting.organization.name, []))
                if item.name in topics:
                    self.decide(item, AgendaItem.Result.NOTED, text=topics[item.name])
                elif not item.public:
                    self.decide(
                        item,
                        AgendaItem.Result.NOTED,
                        text="Der Beirat berät nichtöffentlich; die Stellungnahme liegt allen "
                        "Stadtverordneten im Ratsinformationssystem vor.",
                    )
                elif item.name == "Sonstiges":
                    self.decide(item, "", text="Es werden keine Themen benannt.")
                continue
            if item.result:
                continue
            if consultation.role == Consultation.Role.NOTICE:
                self.decide(item, AgendaItem.Result.NOTED)
            elif self.rng.random() < 0.3:
                self.decide(item, AgendaItem.Result.ADOPTED, unanimous=True)
            else:
                yes = self.rng.randint(8, 20)
                self.decide(
                    item,
                    AgendaItem.Result.ADOPTED,
                    counts=(yes, self.rng.randint(0, 5), self.rng.randint(0, 3)),
                )
            tracked = consultation.paper.tracking_requested  # its task came by itself
            if (
                consultation.role == Consultation.Role.DECISION
                and not tracked
                and self.rng.random() < 0.5
            ):
                services.add_task(
                    item,
                    description=f"Beschluss „{consultation.paper.name}“ umsetzen und "
                    "dem Hauptausschuss berichten",
                    office=self.office("buero-oberbuergermeister"),
                    due_date=timezone.localtime(meeting.start).date() + timedelta(days=90),
                )
        if meeting.organization.kind == "advisory_board" or meeting.start > now - timedelta(
            days=45
        ):
            services.generate_minutes(meeting)
            services.approve_minutes(meeting)
        else:
            Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.HELD)


@transaction.atomic
def load(municipality):
    """Demo data of this module for Musterstadt (idempotent)."""
    if Paper.objects.for_municipality(municipality).filter(reference="22/SVV/0792").exists():
        return municipality
    loader = Loader(municipality)
    loader.master_data()
    loader.people_and_memberships()
    loader.councillor_login()
    loader.seed_meeting()
    loader.rostock_and_weimar()
    loader.year_of_meetings()
    return municipality
