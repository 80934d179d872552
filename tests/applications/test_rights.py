"""Citizen rights across all modules: the download holds a record from every module
for a citizen who used them all; deleting the account leaves personal data only
where the deletion statement (and the notice) says it is kept."""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.utils import timezone

from rathaus.applications.models import Message, OidcIdentity, Payment
from rathaus.appointments.models import (
    Booking,
    Lottery,
    LotteryEntry,
    ReleaseSchedule,
    WaitlistEntry,
)
from rathaus.core.export import deletion_statements
from rathaus.core.models import User
from rathaus.council.models import SavedSearch
from rathaus.participation.budget.models import Ballot, BallotEntry, BudgetRound, Proposal, Support
from rathaus.participation.dialogues.models import DialogueEvent, Registration
from rathaus.participation.neighbourhood.models import NeighbourhoodSubscription
from rathaus.participation.reports.models import AreaAlert, Report, ReportCategory
from rathaus.participation.trees.models import Adoption, Tree, Watering

from ..appointments.conftest import make_offer
from ..appointments.conftest import make_service as make_appointment_service
from .helpers import fill_parking

pytestmark = pytest.mark.django_db
EMAIL = "buerger@example.org"
MARKERS = (EMAIL, "Mustermann")


def _used_every_module(client, town, citizen, clerk):
    """The citizen applies, books (once as a guest), waits, joins a lottery, reports,
    proposes, supports, votes, waters, adopts, registers, subscribes, links a login."""
    client.force_login(citizen)
    app, _ = fill_parking(client)
    client.post(f"/antraege/antrag/{app.key}/absenden/")
    app.refresh_from_db()
    Message.objects.create(
        municipality=town,
        application=app,
        recipient=citizen,
        sender=citizen,
        direction=Message.Direction.FROM_CITIZEN,
        subject="Rückfrage",
        body="Gilt der Ausweis auch für Herrn Mustermann junior?",
    )
    OidcIdentity.objects.create(user=citizen, issuer="https://id.bund.de", subject="abc")
    offer = make_offer(town, make_appointment_service(town), slug="rights")
    start = timezone.now() + timedelta(days=5)
    guest = Booking.objects.create(
        municipality=town,
        offer=offer,
        service=offer.service,
        resource=offer.resource,
        starts_at=start,
        ends_at=start + timedelta(minutes=20),
        status="confirmed",
        name="Erika Mustermann",
        email="Buerger@Example.org",  # a guest booking, typed differently
        person_key=EMAIL,
        code="RIGHTS22",
        fee=Decimal("60.00"),
    )
    Payment.objects.create(  # the wedding calendar's reservation fee (ADR 0034)
        municipality=town,
        booking=guest,
        provider="demo",
        provider_id="pay_rights",
        amount_cents=6000,
        description="Reservierungsgebühr – Termin RIGHTS22",
        status="success",
    )
    Booking.objects.create(
        municipality=town,
        offer=offer,
        service=offer.service,
        resource=offer.resource,
        starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, minutes=20),
        status="confirmed",
        name="E. M.",
        email="other-address@example.org",  # booked while logged in, another address
        person_key="other-address@example.org",
        code="ACCOUNT2",
        account=citizen,
    )
    WaitlistEntry.objects.create(
        municipality=town, service=offer.service, name="Erika", email=EMAIL, person_key=EMAIL
    )
    schedule = ReleaseSchedule.objects.create(
        municipality=town, name="F", weekday=3, at_time=timezone.now().time()
    )
    lottery = Lottery.objects.create(
        municipality=town,
        schedule=schedule,
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(hours=1),
        first_day=timezone.localdate(),
        last_day=timezone.localdate(),
    )
    LotteryEntry.objects.create(
        lottery=lottery, service=offer.service, name="Erika", email=EMAIL, person_key=EMAIL
    )
    office = clerk.roles.first().office
    category = ReportCategory.objects.create(
        municipality=town, code="loch", name="Schlagloch", office=office
    )
    Report.objects.create(
        municipality=town,
        category=category,
        office=office,
        description="Loch",
        contact_email=EMAIL,
        contact_name="Erika Mustermann",
    )
    budget = BudgetRound.objects.create(municipality=town, slug="bh", title="BH", phase="voting")
    proposal = Proposal.objects.create(
        round=budget,
        number=1,
        title="Bank",
        description="Eine Bank",
        category="Grün",
        district="Mitte",
        author=citizen,
    )
    Support.objects.create(proposal=proposal, user=citizen)
    ballot = Ballot.objects.create(round=budget, user=citizen)
    BallotEntry.objects.create(ballot=ballot, proposal=proposal, points=3)
    tree = Tree.objects.create(
        municipality=town, external_id="T1", latitude=Decimal("52.4"), longitude=Decimal("13.0")
    )
    Watering.objects.create(
        tree=tree, litres=10, date=timezone.localdate(), name="Erika M.", user=citizen
    )
    Adoption.objects.create(tree=tree, user=citizen)
    event = DialogueEvent.objects.create(
        municipality=town,
        kind="walk",
        slug="d",
        title="Dialog",
        venue="V",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    Registration.objects.create(event=event, name="Erika Mustermann", email=EMAIL)
    AreaAlert.objects.create(municipality=town, email=EMAIL, street="Lindenallee")
    SavedSearch.objects.create(municipality=town, email=EMAIL, query="Radweg", token="t" * 20)
    NeighbourhoodSubscription.objects.create(
        municipality=town,
        email=EMAIL,
        way="street",
        street="Lindenallee",
        south=Decimal("52.39"),
        west=Decimal("13.05"),
        north=Decimal("52.40"),
        east=Decimal("13.06"),
    )
    return app


def test_download_holds_a_record_from_every_module(client_a, town_a, citizen, parking, clerk_a):
    _used_every_module(client_a, town_a, citizen, clerk_a)
    response = client_a.get("/antraege/konto/meine-daten.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    sections = json.loads(archive.read("data.json"))["sections"]
    for key, section in sections.items():
        assert section["records"], f"no record in {key}"
    assert set(sections) >= {
        "core.account",
        "applications.cases",
        "applications.messages",
        "applications.identities",
        "applications.booking_payments",
        "appointments.bookings",
        "appointments.waiting",
        "participation.reports",
        "participation.budget",
        "participation.trees",
        "participation.registrations",
        "participation.area_alerts",
        "participation.neighbourhood",
        "council.alerts",
    }
    (fee,) = sections["applications.booking_payments"]["records"]
    assert (fee["Buchungscode"], fee["Betrag (Cent)"], fee["Status"]) == (
        "RIGHTS22",
        6000,
        "bezahlt",
    )
    kinds = {r["Art"] for r in sections["participation.budget"]["records"]}
    assert kinds == {"Vorschlag", "Unterstützung", "Stimmzettel"}
    assert {r["Art"] for r in sections["appointments.waiting"]["records"]} == {
        "Warteliste",
        "Verlosung",
    }
    assert any(name.startswith("files/applications.cases/") for name in archive.namelist())
    summary = archive.read("zusammenfassung.txt").decode()
    assert "Termine" in summary and "RIGHTS22" in summary and "ACCOUNT2" in summary


def test_download_holds_nothing_of_another_person(client_a, town_a, citizen, parking, clerk_a):
    _used_every_module(client_a, town_a, citizen, clerk_a)
    other = User.objects.create_user("x@example.org", "geheim-123!")
    client_a.force_login(other)
    sections = client_a.get("/antraege/konto/meine-daten.json").json()["sections"]
    assert [k for k, s in sections.items() if s["records"] and k != "core.account"] == []


def _where_personal_data_remains():
    found = set()
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        for row in model._default_manager.all().values(*[f.attname for f in fields]):
            for name, value in row.items():
                text = json.dumps(value, ensure_ascii=False) if value is not None else ""
                if any(marker.lower() in text.lower() for marker in MARKERS):
                    found.add(f"{model._meta.label}.{name}")
    return found


#: What the deletion statement says is kept (submitted applications under their
#: retention period; appointments, waiting and lottery places, reports and dialogue
#: registrations, made without the account, under their own periods).
KEPT = {
    "applications.Application.guest_email",
    "applications.Application.data",
    "applications.Payment.description",
    "appointments.Booking.name",
    "appointments.Booking.email",
    "appointments.Booking.person_key",
    "appointments.WaitlistEntry.email",
    "appointments.WaitlistEntry.person_key",
    "appointments.LotteryEntry.email",
    "appointments.LotteryEntry.person_key",
    "participation.Report.contact_email",
    "participation.Report.contact_name",
    "participation.Registration.name",
    "participation.Registration.email",
    "participation.AreaAlert.email",
    "participation.NeighbourhoodSubscription.email",
}


def test_account_deletion_leaves_only_what_the_statement_keeps(
    client_a, town_a, citizen, parking, clerk_a
):
    app = _used_every_module(client_a, town_a, citizen, clerk_a)
    page = client_a.get("/antraege/konto/loeschen/").content.decode()
    for statement in deletion_statements():
        assert statement.deleted in page
    assert client_a.post("/antraege/konto/loeschen/", {}).status_code == 200  # not confirmed
    assert User.objects.filter(pk=citizen.pk).exists()
    mail.outbox.clear()
    response = client_a.post("/antraege/konto/loeschen/", {"confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=citizen.pk).exists()
    assert [m.to for m in mail.outbox] == [[EMAIL]]
    assert "gelöscht" in mail.outbox[0].subject
    remaining = _where_personal_data_remains()
    assert remaining <= KEPT
    assert {"appointments.Booking.email", "applications.Application.guest_email"} <= remaining
    app.refresh_from_db()
    assert app.applicant is None and app.guest_email == EMAIL  # kept, reachable by mail
    assert not Support.objects.exists() and not Adoption.objects.exists()
    assert Proposal.objects.get().author is None
    assert client_a.get("/antraege/konto/").status_code == 302  # logged out
