"""A small council in town A (and one in town B) for the council tests."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from rathaus.core.models import Role
from rathaus.council import services
from rathaus.council.models import (
    Consultation,
    Membership,
    Organization,
    Paper,
    Person,
    Place,
)
from tests.conftest import make_staff

BERLIN = ZoneInfo("Europe/Berlin")


def at(y, m, d, hh=18, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN)


class Council:
    """Handles to the objects of a test council."""


def build_council(town, prefix="a"):
    c = Council()
    c.town = town
    c.body = services.body_of(town)
    c.place = Place.objects.create(
        municipality=town,
        description="Stadtverwaltung",
        room="Raum 280 a",
        street_address="Fr.-Ebert-Str. 79/81",
        postal_code="14469",
        locality="Musterstadt",
    )
    c.council = Organization.objects.create(
        municipality=town,
        body=c.body,
        name="Stadtverordnetenversammlung",
        kind=Organization.Kind.COUNCIL,
    )
    c.committee = Organization.objects.create(
        municipality=town,
        body=c.body,
        name="Ausschuss für Partizipation, Transparenz und Digitalisierung",
        short_name="PTD",
        kind=Organization.Kind.COMMITTEE,
    )
    c.other_committee = Organization.objects.create(
        municipality=town, body=c.body, name="Hauptausschuss", kind=Organization.Kind.COMMITTEE
    )
    c.board = Organization.objects.create(
        municipality=town,
        body=c.body,
        name="Seniorenbeirat",
        kind=Organization.Kind.ADVISORY_BOARD,
        rules_of_procedure="§ 1 Der Beirat tagt öffentlich.",
    )
    c.chair = Person.objects.create(
        municipality=town,
        body=c.body,
        name="Mechthild Rünger",
        given_name="Mechthild",
        family_name="Rünger",
        form_of_address="Frau",
        title="Dr.",
        email=f"ruenger@{prefix}.test",
    )
    c.member = Person.objects.create(
        municipality=town,
        body=c.body,
        name="Nico Marquardt",
        given_name="Nico",
        family_name="Marquardt",
        form_of_address="Herr",
    )
    c.councillor_user = make_staff(town, f"rat@{prefix}.test", Role.COUNCILLOR)
    c.member.user = c.councillor_user
    c.member.save()
    c.outsider_user = make_staff(town, f"rat2@{prefix}.test", Role.COUNCILLOR)
    c.outsider = Person.objects.create(
        municipality=town, body=c.body, name="Otto Außen", user=c.outsider_user
    )
    c.office_user = make_staff(town, f"ratsbuero@{prefix}.test", Role.COUNCIL_OFFICE)
    Membership.objects.create(
        municipality=town, person=c.chair, organization=c.committee, role="Vorsitz"
    )
    Membership.objects.create(
        municipality=town,
        person=c.member,
        organization=c.committee,
        role="Mitglied",
        start_date=date(2019, 1, 1),
    )
    Membership.objects.create(
        municipality=town, person=c.outsider, organization=c.other_committee, role="Mitglied"
    )
    c.meeting = services.create_meeting(
        c.committee,
        name="25. öffentliche Sitzung des Ausschusses",
        start=at(2023, 1, 10),
        end=at(2023, 1, 10, 20, 27),
        place=c.place,
    )
    c.paper = services.create_paper(
        town,
        name="Transparenz der Tätigkeit von Beiräten",
        reference="22/SVV/0792",
        paper_type=Paper.Type.MOTION,
        originator="Fraktion DIE aNDERE",
        text="Der Oberbürgermeister wird beauftragt, die Tätigkeit der Beiräte darzustellen.",
        date=date(2022, 9, 8),
    )
    c.consultation = services.add_consultation(
        c.paper, c.committee, Consultation.Role.PREPARATION, meeting=c.meeting
    )
    c.item = services.put_paper_on_agenda(c.consultation, c.meeting)
    c.secret_paper = services.create_paper(
        town,
        name="Grundstücksangelegenheit Geheimweg 7",
        reference="23/SVV/0001",
        paper_type=Paper.Type.DRAFT_RESOLUTION,
        public=False,
        text="Kaufpreis Geheimzahl 4711 Euro.",
    )
    c.secret_consultation = services.add_consultation(
        c.secret_paper, c.committee, Consultation.Role.DECISION, meeting=c.meeting
    )
    c.secret_item = services.put_paper_on_agenda(c.secret_consultation, c.meeting)
    c.secret_file = services.attach_file(
        municipality=town,
        name="Wertgutachten Geheimweg",
        file_name="gutachten.txt",
        data=b"Vertraulich: Geheimzahl 4711",
        mime_type="text/plain",
        public=False,
        paper=c.secret_paper,
    )
    c.public_file = services.attach_file(
        municipality=town,
        name="Präsentation Beiräte",
        file_name="beiraete.txt",
        data=b"Beiratsseiten werden neu strukturiert",
        mime_type="text/plain",
        paper=c.paper,
    )
    return c


@pytest.fixture
def council_a(town_a):
    return build_council(town_a, "a")


@pytest.fixture
def council_b(town_b):
    return build_council(town_b, "b")


__all__ = ["at", "build_council", "time"]
